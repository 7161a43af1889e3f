"""The three tailor-made courses of the reference story, with their design.

NIE co-designed with IIEP three courses for the staff of the provincial offices: the
fundamentals of educational planning and management; teacher management; and the financing
of education, for finance staff. Their titles and purpose are the reference story's; the
detailed design below (outcomes, modules, hours, assessment, workshop) is an illustrative
example, so the courses are marked as demo records. Outcomes link to the demo competency
framework (``plancampus.needs.services.framework``) by competency code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from plancampus.core.models import Organisation, OrganisationKind
from plancampus.needs.models import Competency, CompetencyFramework, RoleProfile

from ..models import (
    AssessmentModality,
    Course,
    CourseMode,
    CourseModule,
    DesignWorkshop,
    LearningOutcome,
    OutcomeCompetency,
    Programme,
    ProgrammeKind,
)

PROGRAMME = {
    "code": "poe-in-service",
    "kind": ProgrammeKind.IN_SERVICE,
    "name_en": "In-service training for provincial offices of education",
    "name_fr": "Formation continue des bureaux provinciaux de l'éducation",
    "name_km": "វគ្គបណ្តុះបណ្តាលបន្តសម្រាប់មន្ទីរអប់រំខេត្ត",
    "description": (
        "Tailor-made courses so that provincial offices prepare their education sector "
        "plans themselves."
    ),
}

# (order, en, fr, km, [(competency code, target level)])
Outcome = tuple[str, str, str, list[tuple[str, int]]]
# (en, fr, km, hours, methods)
Module = tuple[str, str, str, str, str]
# (en, fr, km, weight, max mark)
Modality = tuple[str, str, str, str, str]

COURSES: list[dict[str, object]] = [
    {
        "code": "epm-fundamentals",
        "title_en": "Fundamentals of educational planning and management",
        "title_fr": "Fondamentaux de la planification et de la gestion de l'éducation",
        "title_km": "មូលដ្ឋានគ្រឹះនៃការរៀបចំផែនការ និងការគ្រប់គ្រងការអប់រំ",
        "description_en": (
            "For managers and technical staff of provincial offices: analyse the provincial "
            "education sector, project enrolment and needs, and prepare the provincial plan."
        ),
        "description_fr": (
            "Pour les cadres et techniciens des bureaux provinciaux : analyser le secteur "
            "éducatif de la province, projeter les effectifs et les besoins, préparer le plan "
            "provincial."
        ),
        "hours": "60",
        "mode": CourseMode.BLENDED,
        "delivery_languages": ["km", "en"],
        "target_audience": "Managers and technical staff of provincial offices of education",
        "roles": ["provincial_planning_officer", "provincial_office_director"],
        "outcomes": [
            (
                "Describe the provincial education sector with the main indicators and "
                "their trends.",
                "Décrire le secteur éducatif provincial à l'aide des principaux indicateurs "
                "et de leur évolution.",
                "",
                [("sector_analysis", 3), ("indicators_flow_rates", 3)],
            ),
            (
                "Project enrolment, teachers and classrooms for the plan period and "
                "discuss scenarios.",
                "Projeter les effectifs, les enseignants et les salles de classe sur la "
                "période du plan et discuter des scénarios.",
                "",
                [("projection_simulation", 3)],
            ),
            (
                "Draft the chapters of a provincial education sector plan and its "
                "operational plan.",
                "Rédiger les chapitres d'un plan provincial du secteur de l'éducation et de "
                "son plan opérationnel.",
                "",
                [("sector_plan_preparation", 3), ("operational_planning", 3)],
            ),
            (
                "Set up the monitoring of the plan and report on its indicators.",
                "Mettre en place le suivi du plan et rendre compte de ses indicateurs.",
                "",
                [("monitoring_evaluation", 3), ("data_analysis_reporting", 3)],
            ),
        ],
        "modules": [
            (
                "Education sector analysis and indicators",
                "Analyse sectorielle et indicateurs",
                "ការវិភាគវិស័យអប់រំ និងសូចនាករ",
                "15",
                "lecture, exercises on the province's EMIS data",
            ),
            (
                "Projections and scenarios",
                "Projections et scénarios",
                "ការព្យាករ និងសេណារីយ៉ូ",
                "15",
                "spreadsheet simulation, group work",
            ),
            (
                "Preparing the provincial plan",
                "Préparer le plan provincial",
                "ការរៀបចំផែនការខេត្ត",
                "20",
                "group work by province, coaching",
            ),
            (
                "Monitoring and reporting",
                "Suivi et rapports",
                "ការតាមដាន និងការរាយការណ៍",
                "10",
                "case study, presentation",
            ),
        ],
        "modalities": [
            (
                "Exercises on provincial data",
                "Exercices sur les données provinciales",
                "លំហាត់លើទិន្នន័យខេត្ត",
                "30",
                "20",
            ),
            ("Written test", "Épreuve écrite", "ការប្រឡងសរសេរ", "30", "20"),
            (
                "Draft provincial plan",
                "Projet de plan provincial",
                "សេចក្តីព្រាងផែនការខេត្ត",
                "40",
                "20",
            ),
        ],
        "workshop": (dt.date(2017, 3, 6), dt.date(2017, 3, 8)),
    },
    {
        "code": "teacher-management",
        "title_en": "Teacher management",
        "title_fr": "Gestion des enseignants",
        "title_km": "ការគ្រប់គ្រងគ្រូបង្រៀន",
        "description_en": (
            "Estimate teacher needs, deploy teachers where pupils are, and follow their "
            "careers and support."
        ),
        "description_fr": (
            "Estimer les besoins en enseignants, les affecter là où sont les élèves, suivre "
            "leur carrière et leur accompagnement."
        ),
        "hours": "30",
        "mode": CourseMode.IN_PERSON,
        "delivery_languages": ["km"],
        "target_audience": "Personnel and planning staff of provincial and district offices",
        "roles": ["provincial_office_director", "district_officer"],
        "outcomes": [
            (
                "Estimate teacher needs by level and district from enrolment projections.",
                "Estimer les besoins en enseignants par niveau et par district à partir des "
                "projections d'effectifs.",
                "",
                [("teacher_management", 3), ("projection_simulation", 2)],
            ),
            (
                "Analyse teacher deployment and propose a fairer allocation.",
                "Analyser le déploiement des enseignants et proposer une répartition plus "
                "équitable.",
                "",
                [("teacher_management", 3), ("data_analysis_reporting", 2)],
            ),
            (
                "Use school self-assessment and inspection results to plan teacher support.",
                "Utiliser l'auto-évaluation des écoles et l'inspection pour planifier "
                "l'accompagnement des enseignants.",
                "",
                [("inspection_self_assessment", 3)],
            ),
        ],
        "modules": [
            (
                "Teacher needs and supply",
                "Besoins et offre d'enseignants",
                "តម្រូវការ និងការផ្គត់ផ្គង់គ្រូ",
                "10",
                "lecture, exercises",
            ),
            (
                "Deployment and allocation",
                "Déploiement et affectation",
                "ការបែងចែកគ្រូ",
                "10",
                "data analysis, group work",
            ),
            (
                "Careers, inspection and support",
                "Carrières, inspection et accompagnement",
                "អាជីព អធិការកិច្ច និងការគាំទ្រ",
                "10",
                "case study, role play",
            ),
        ],
        "modalities": [
            ("Deployment analysis", "Analyse du déploiement", "ការវិភាគការបែងចែកគ្រូ", "50", "20"),
            ("Written test", "Épreuve écrite", "ការប្រឡងសរសេរ", "50", "20"),
        ],
        "workshop": (dt.date(2017, 6, 12), dt.date(2017, 6, 13)),
    },
    {
        "code": "education-financing",
        "title_en": "Financing of education (for finance staff)",
        "title_fr": "Financement de l'éducation (pour le personnel financier)",
        "title_km": "ហិរញ្ញប្បទានអប់រំ (សម្រាប់មន្ត្រីហិរញ្ញវត្ថុ)",
        "description_en": (
            "Cost the provincial plan, prepare the budget and follow its execution, for the "
            "finance staff of provincial offices."
        ),
        "description_fr": (
            "Chiffrer le plan provincial, préparer le budget et suivre son exécution, pour le "
            "personnel financier des bureaux provinciaux."
        ),
        "hours": "30",
        "mode": CourseMode.IN_PERSON,
        "delivery_languages": ["km"],
        "target_audience": "Finance staff of provincial offices of education",
        "roles": ["finance_officer"],
        "outcomes": [
            (
                "Cost the activities of the provincial plan and estimate the financing gap.",
                "Chiffrer les activités du plan provincial et estimer le besoin de financement.",
                "",
                [("costing_financing", 3)],
            ),
            (
                "Prepare a programme budget and follow its execution.",
                "Préparer un budget-programme et suivre son exécution.",
                "",
                [("budgeting_financial_management", 3), ("operational_planning", 2)],
            ),
        ],
        "modules": [
            (
                "Unit costs and plan costing",
                "Coûts unitaires et chiffrage du plan",
                "ថ្លៃឯកតា និងការគណនាថ្លៃផែនការ",
                "12",
                "lecture, spreadsheet exercises",
            ),
            (
                "Programme budgeting",
                "Budget-programme",
                "ថវិកាកម្មវិធី",
                "10",
                "case study, group work",
            ),
            (
                "Budget execution and reporting",
                "Exécution budgétaire et rapports",
                "ការអនុវត្តថវិកា និងការរាយការណ៍",
                "8",
                "exercises on real budget tables",
            ),
        ],
        "modalities": [
            ("Costing exercise", "Exercice de chiffrage", "លំហាត់គណនាថ្លៃ", "60", "20"),
            ("Written test", "Épreuve écrite", "ការប្រឡងសរសេរ", "40", "20"),
        ],
        "workshop": (dt.date(2017, 9, 18), dt.date(2017, 9, 19)),
    },
]


def _framework(institution: Organisation) -> CompetencyFramework:
    framework = (
        CompetencyFramework.objects.filter(institution=institution, code="epm")
        .order_by("-version")
        .first()
    )
    if framework is None:
        from plancampus.needs.services.framework import framework_seed_epm

        framework = framework_seed_epm(institution=institution)
    return framework


@transaction.atomic
def courses_seed_reference(*, institution: Organisation) -> list[Course]:
    """Create or refresh the three reference courses of ``institution`` (idempotent,
    matched on codes), with the in-service programme they belong to."""
    framework = _framework(institution)
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)}
    roles = {r.code: r for r in RoleProfile.objects.filter(framework=framework)}
    programme, _ = Programme.objects.update_or_create(
        institution=institution,
        code=PROGRAMME["code"],
        defaults={k: v for k, v in PROGRAMME.items() if k != "code"} | {"is_synthetic": True},
    )
    country = institution.country_id
    represented = list(
        Organisation.objects.filter(
            country_id=country,
            kind__in=[OrganisationKind.MINISTRY_DEPARTMENT, OrganisationKind.PROVINCIAL_OFFICE],
        ).order_by("kind", "code")[:6]
    )
    courses = []
    for spec in COURSES:
        course = Course.objects.filter(
            institution=institution, code=spec["code"], is_current=True
        ).first() or Course(institution=institution, code=spec["code"], version=1)
        for name in (
            "title_en",
            "title_fr",
            "title_km",
            "description_en",
            "description_fr",
            "mode",
            "delivery_languages",
            "target_audience",
        ):
            setattr(course, name, spec[name])
        course.hours = Decimal(str(spec["hours"]))
        course.programme = programme
        course.is_synthetic = True
        course.full_clean(validate_constraints=False, validate_unique=False)
        course.save()
        course.target_roles.set([roles[code] for code in spec["roles"] if code in roles])

        course.outcomes.all().delete()
        for order, (en, fr, km, links) in enumerate(spec["outcomes"], start=1):
            outcome = LearningOutcome.objects.create(
                course=course, order=order, text_en=en, text_fr=fr, text_km=km
            )
            OutcomeCompetency.objects.bulk_create(
                OutcomeCompetency(outcome=outcome, competency=competencies[code], target_level=lvl)
                for code, lvl in links
                if code in competencies
            )
        course.modules.all().delete()
        CourseModule.objects.bulk_create(
            CourseModule(
                course=course,
                order=order,
                title_en=en,
                title_fr=fr,
                title_km=km,
                hours=Decimal(hours),
                methods=methods,
            )
            for order, (en, fr, km, hours, methods) in enumerate(spec["modules"], start=1)
        )
        if not course.modalities.filter(marks__isnull=False).exists():
            course.modalities.all().delete()
            AssessmentModality.objects.bulk_create(
                AssessmentModality(
                    course=course,
                    order=order,
                    name_en=en,
                    name_fr=fr,
                    name_km=km,
                    weight=Decimal(weight),
                    max_mark=Decimal(max_mark),
                )
                for order, (en, fr, km, weight, max_mark) in enumerate(spec["modalities"], start=1)
            )
        start, end = spec["workshop"]
        workshop, _ = DesignWorkshop.objects.update_or_create(
            course=course,
            date=start,
            defaults={
                "end_date": end,
                "place": "National Institute of Education, Phnom Penh",
                "notes": (
                    "Co-design workshop of NIE trainers, IIEP and staff of provincial offices "
                    "and the central level. Date and participants are illustrative (demo)."
                ),
            },
        )
        workshop.organisations.set([institution, *represented])
        courses.append(course)
    return courses

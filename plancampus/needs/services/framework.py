"""The demo's educational-planning competency framework, in English, French and Khmer.

Domains and levels are CAPNAM's (UNESCO, Capacity Needs Assessment Methodology, 2013). The
competencies follow the topics of IIEP's educational planning and management courses and the
needs NIE's own survey found among provincial office staff (sector plan preparation, the new
inspection system, teacher management, school self-assessment, data analysis and report
writing, strategic budgeting and financial management). The required levels of the role
profiles are an example to adapt, not a standard: the framework is marked as demo content.
"""

from __future__ import annotations

from django.db import transaction

from plancampus.core.models import Organisation

from ..models import (
    CapacityLevel,
    Competency,
    CompetencyFramework,
    Domain,
    RoleProfile,
    RoleRequirement,
)

DOMAINS = [
    (
        "strategic_planning",
        "Strategic planning",
        "Planification stratégique",
        "ការរៀបចំផែនការយុទ្ធសាស្ត្រ",
    ),
    ("governance", "Governance", "Gouvernance", "អភិបាលកិច្ច"),
    ("financial_resources", "Financial resources", "Ressources financières", "ធនធានហិរញ្ញវត្ថុ"),
    ("human_resources", "Human resources", "Ressources humaines", "ធនធានមនុស្ស"),
    ("learning_environment", "Learning environment", "Environnement d'apprentissage", "បរិស្ថានសិក្សា"),
]
IND, ORG, ENV = (
    CapacityLevel.INDIVIDUAL,
    CapacityLevel.ORGANISATIONAL,
    CapacityLevel.ENABLING_ENVIRONMENT,
)
COMPETENCIES = [
    # code, domain, level, English, French, Khmer
    (
        "sector_analysis",
        "strategic_planning",
        IND,
        "Education sector analysis",
        "Analyse sectorielle de l'éducation",
        "ការវិភាគវិស័យអប់រំ",
    ),
    (
        "indicators_flow_rates",
        "strategic_planning",
        IND,
        "Education indicators and flow rates",
        "Indicateurs de l'éducation et taux de flux",
        "សូចនាករអប់រំ និងអត្រាលំហូរសិស្ស",
    ),
    (
        "projection_simulation",
        "strategic_planning",
        IND,
        "Projection and simulation models",
        "Projections et modèles de simulation",
        "ការព្យាករ និងគំរូក្លែងធ្វើ",
    ),
    (
        "sector_plan_preparation",
        "strategic_planning",
        IND,
        "Education sector plan preparation",
        "Préparation du plan sectoriel de l'éducation",
        "ការរៀបចំផែនការវិស័យអប់រំ",
    ),
    (
        "operational_planning",
        "strategic_planning",
        IND,
        "Annual operational planning",
        "Planification opérationnelle annuelle",
        "ការរៀបចំផែនការប្រតិបត្តិប្រចាំឆ្នាំ",
    ),
    (
        "monitoring_evaluation",
        "governance",
        IND,
        "Monitoring and evaluation of plans",
        "Suivi et évaluation des plans",
        "ការតាមដាន និងវាយតម្លៃផែនការ",
    ),
    (
        "data_analysis_reporting",
        "governance",
        IND,
        "Data analysis and report writing",
        "Analyse des données et rédaction de rapports",
        "ការវិភាគទិន្នន័យ និងការសរសេររបាយការណ៍",
    ),
    (
        "costing_financing",
        "financial_resources",
        IND,
        "Costing and financing of plans",
        "Coût et financement des plans",
        "ការគណនាចំណាយ និងហិរញ្ញប្បទានផែនការ",
    ),
    (
        "budgeting_financial_management",
        "financial_resources",
        IND,
        "Strategic budgeting and financial management",
        "Budgétisation stratégique et gestion financière",
        "ការរៀបចំថវិកាជាយុទ្ធសាស្ត្រ និងការគ្រប់គ្រងហិរញ្ញវត្ថុ",
    ),
    (
        "teacher_management",
        "human_resources",
        IND,
        "Teacher management",
        "Gestion des enseignants",
        "ការគ្រប់គ្រងគ្រូបង្រៀន",
    ),
    (
        "inspection_self_assessment",
        "learning_environment",
        IND,
        "Inspection and school self-assessment",
        "Inspection et auto-évaluation des écoles",
        "អធិការកិច្ច និងការវាយតម្លៃខ្លួនឯងរបស់សាលារៀន",
    ),
    (
        "planning_unit_staffing",
        "human_resources",
        ORG,
        "Staffing and skills of the planning office",
        "Effectifs et compétences du service de planification",
        "បុគ្គលិក និងជំនាញរបស់ការិយាល័យផែនការ",
    ),
    (
        "emis_data_system",
        "governance",
        ORG,
        "Education data system (EMIS) and its use",
        "Système d'information pour la gestion de l'éducation (SIGE) et son utilisation",
        "ប្រព័ន្ធព័ត៌មានគ្រប់គ្រងការអប់រំ និងការប្រើប្រាស់",
    ),
    (
        "school_support",
        "learning_environment",
        ORG,
        "Support to schools and their learning environment",
        "Appui aux écoles et à leur environnement d'apprentissage",
        "ការគាំទ្រសាលារៀន និងបរិស្ថានសិក្សា",
    ),
    (
        "planning_mandate",
        "governance",
        ENV,
        "Legal mandate and rules for provincial planning",
        "Mandat légal et règles de la planification provinciale",
        "អាណត្តិច្បាប់ និងវិធាននៃការរៀបចំផែនការថ្នាក់ខេត្ត",
    ),
    (
        "budget_allocation_rules",
        "financial_resources",
        ENV,
        "Rules for allocating budgets to provinces",
        "Règles d'allocation des budgets aux provinces",
        "វិធាននៃការបែងចែកថវិកាទៅខេត្ត",
    ),
]
SCALE_LABELS = {
    "en": {"1": "Aware", "2": "Beginner", "3": "Practitioner", "4": "Proficient", "5": "Expert"},
    "fr": {"1": "Notions", "2": "Débutant", "3": "Praticien", "4": "Compétent", "5": "Expert"},
    "km": {"1": "ដឹងខ្លះៗ", "2": "ចាប់ផ្តើម", "3": "អនុវត្តបាន", "4": "ស្ទាត់ជំនាញ", "5": "អ្នកជំនាញ"},
}
ROLE_PROFILES = [
    (
        "provincial_planning_officer",
        "Provincial planning officer",
        "Planificateur provincial",
        "មន្ត្រីផែនការថ្នាក់ខេត្ត",
    ),
    (
        "provincial_office_director",
        "Provincial office director",
        "Directeur de bureau provincial",
        "ប្រធានមន្ទីរអប់រំខេត្ត",
    ),
    ("district_officer", "District officer", "Agent de district", "មន្ត្រីការិយាល័យអប់រំស្រុក"),
    ("finance_officer", "Finance officer", "Agent financier", "មន្ត្រីហិរញ្ញវត្ថុ"),
    ("national_trainer", "National trainer", "Formateur national", "គ្រូបង្គោលជាតិ"),
]
# Positions of the directory (as the demo writes them) that hold each role: used to invite
# respondents. An institution edits these to match its own position titles.
POSITION_TITLES = {
    "provincial_planning_officer": [
        "Chief of planning office",
        "Planning officer",
        "Statistics officer",
    ],
    "provincial_office_director": ["Director", "Deputy director"],
    "district_officer": ["Chief of district office", "District planning officer"],
    "finance_officer": ["Finance officer"],
    "national_trainer": ["Lecturer", "Head of training department"],
}
# Positions of the directory that head an organisation (a provincial office, a district
# office): their holder rates the organisational items by default.
HEAD_POSITION_TITLES = ["Director", "Chief of district office"]
# Required level / importance per role for the individual competencies (example values).
REQUIREMENTS = {
    "provincial_planning_officer": {
        "sector_analysis": (4, 5),
        "indicators_flow_rates": (4, 5),
        "projection_simulation": (4, 5),
        "sector_plan_preparation": (4, 5),
        "operational_planning": (4, 4),
        "monitoring_evaluation": (4, 4),
        "data_analysis_reporting": (4, 5),
        "costing_financing": (3, 4),
        "budgeting_financial_management": (3, 3),
        "teacher_management": (3, 3),
        "inspection_self_assessment": (2, 2),
    },
    "provincial_office_director": {
        "sector_analysis": (3, 4),
        "sector_plan_preparation": (3, 5),
        "operational_planning": (3, 4),
        "monitoring_evaluation": (4, 5),
        "data_analysis_reporting": (3, 3),
        "budgeting_financial_management": (3, 4),
        "teacher_management": (4, 4),
        "inspection_self_assessment": (3, 4),
    },
    "district_officer": {
        "indicators_flow_rates": (3, 4),
        "operational_planning": (3, 4),
        "data_analysis_reporting": (3, 4),
        "teacher_management": (3, 4),
        "inspection_self_assessment": (4, 5),
        "monitoring_evaluation": (3, 3),
    },
    "finance_officer": {
        "costing_financing": (4, 5),
        "budgeting_financial_management": (4, 5),
        "operational_planning": (3, 4),
        "data_analysis_reporting": (3, 3),
    },
    "national_trainer": {code: (5, 4) for code, _d, level, *_ in COMPETENCIES if level == IND},
}


@transaction.atomic
def framework_seed_epm(*, institution: Organisation) -> CompetencyFramework:
    """Create or refresh the demo framework of ``institution`` (idempotent, matched on codes)."""
    framework, _ = CompetencyFramework.objects.update_or_create(
        institution=institution,
        code="epm",
        version="1",
        defaults={
            "name_en": "Educational planning and management competencies",
            "name_fr": "Compétences en planification et gestion de l'éducation",
            "name_km": "សមត្ថភាពក្នុងការរៀបចំផែនការ និងការគ្រប់គ្រងការអប់រំ",
            "description": (
                "Example framework: CAPNAM domains and levels; competencies from IIEP's "
                "planning courses and NIE's needs survey; required levels are examples."
            ),
            "scale_min": 1,
            "scale_max": 5,
            "proficient_level": 4,
            "scale_labels": SCALE_LABELS,
            "head_position_titles": HEAD_POSITION_TITLES,
            "is_synthetic": True,
        },
    )
    framework.full_clean()
    domains = {}
    for order, (code, en, fr, km) in enumerate(DOMAINS):
        domains[code], _ = Domain.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={"name_en": en, "name_fr": fr, "name_km": km, "order": order},
        )
    competencies = {}
    for order, (code, domain, level, en, fr, km) in enumerate(COMPETENCIES):
        competencies[code], _ = Competency.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={
                "domain": domains[domain],
                "capacity_level": level,
                "name_en": en,
                "name_fr": fr,
                "name_km": km,
                "order": order,
            },
        )
    for code, en, fr, km in ROLE_PROFILES:
        profile, _ = RoleProfile.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={
                "name_en": en,
                "name_fr": fr,
                "name_km": km,
                "position_titles": POSITION_TITLES.get(code, []),
            },
        )
        for competency_code, (level, importance) in REQUIREMENTS[code].items():
            RoleRequirement.objects.update_or_create(
                profile=profile,
                competency=competencies[competency_code],
                defaults={"required_level": level, "importance": importance},
            )
    return framework

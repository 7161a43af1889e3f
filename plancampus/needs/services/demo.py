"""Demo records of the needs module: the framework, two campaigns and a capacity plan.

Everything here except the framework's structure is synthetic and flagged so
(``is_synthetic``): a 2024 baseline campaign answered by the demo's (synthetic) staff of the
provincial and district offices, shaped so that the top needs are those NIE's own survey found
(education sector plan preparation, inspection and school self-assessment, teacher management,
data analysis and report writing, strategic budgeting and financial management); a 2026
re-assessment, still open, showing movement where training took place (the demo participant's
questionnaire is left unanswered, to be filled in); and a capacity development plan answering
the baseline's gaps. Idempotent: records are matched on their codes and answers are generated
only once (from fixed seeds).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from plancampus.core.models import Organisation, OrganisationKind, Person

from ..models import (
    Answer,
    AnswerSource,
    Campaign,
    CampaignStatus,
    CapacityLevel,
    CapacityPlan,
    Competency,
    CompetencyFramework,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    InterventionKind,
    InterventionStatus,
    Objective,
    PlanStatus,
    Respondent,
    RespondentStatus,
)
from .analysis import respondents_pack
from .campaigns import campaign_create, respondents_invite
from .framework import framework_seed_epm

PARTICIPANT_PERSON = "DEMO-POE17-PLANNER"
# Mean (importance, current level) per individual competency in 2024, and the gain by 2026.
PROFILE_2024 = {
    "sector_analysis": (3.9, 2.9, 0.3),
    "indicators_flow_rates": (3.8, 3.0, 0.2),
    "projection_simulation": (3.5, 2.4, 0.3),
    "sector_plan_preparation": (4.7, 1.8, 1.2),
    "operational_planning": (3.9, 3.1, 0.2),
    "monitoring_evaluation": (3.9, 2.8, 0.3),
    "data_analysis_reporting": (4.6, 1.9, 0.9),
    "costing_financing": (3.7, 2.7, 0.4),
    "budgeting_financial_management": (4.5, 2.0, 0.6),
    "teacher_management": (4.6, 1.9, 0.4),
    "inspection_self_assessment": (4.6, 1.8, 0.2),
}
# Mean (current, desired) capacity per organisational / institutional item, and the gain.
ORGANISATIONAL_2024 = {
    "planning_unit_staffing": (2.3, 4.2, 0.3),
    "emis_data_system": (2.5, 4.4, 0.6),
    "school_support": (2.2, 4.1, 0.2),
    "planning_mandate": (2.8, 4.0, 0.1),
    "budget_allocation_rules": (2.0, 4.0, 0.1),
}


def _targets() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.PROVINCIAL_OFFICE, OrganisationKind.DISTRICT_OFFICE],
            country__iso_code="KHM",
        )
    )


def _campaign(
    *,
    institution: Organisation,
    framework: CompetencyFramework,
    code: str,
    names: tuple[str, str, str],
    starts_on: dt.date,
    ends_on: dt.date,
    baseline: Campaign | None,
) -> Campaign:
    campaign = Campaign.objects.filter(institution=institution, code=code).first()
    if campaign is None:
        campaign = campaign_create(
            institution=institution,
            framework=framework,
            code=code,
            name_en=names[0],
            name_fr=names[1],
            name_km=names[2],
            starts_on=starts_on,
            ends_on=ends_on,
            target_organisations=_targets(),
            target_roles=framework.role_profiles.exclude(code="national_trainer"),
            baseline=baseline,
            description=(
                "Synthetic demo campaign: the answers are generated, shaped on the needs NIE's "
                "survey of provincial office staff found; they are not real survey results."
            ),
            is_synthetic=True,
        )
    respondents_invite(campaign=campaign, is_synthetic=True)
    return campaign


def _answers(
    campaign: Campaign, *, seed: int, year_gain: float, share_submitted: float, keep: set[int]
) -> int:
    """Generate the answers of a campaign (once): levels drawn around the profiles above."""
    if Answer.objects.filter(respondent__campaign=campaign).exists():
        return 0
    rng = np.random.default_rng(seed)
    competencies = list(Competency.objects.filter(framework=campaign.framework).order_by("order"))
    respondents = list(campaign.respondents.select_related("role", "organisation").order_by("code"))
    province_effect: dict[int | None, float] = {}
    answers: list[Answer] = []
    submitted: list[Respondent] = []
    when = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(9)))
    for respondent in respondents:
        if respondent.person_id in keep or rng.random() > share_submitted:
            continue  # left unanswered (the demo participant fills theirs in)
        effect = province_effect.setdefault(respondent.province_id, float(rng.normal(0, 0.3)))
        senior = 0.4 if respondent.role.code == "provincial_office_director" else 0.0
        # Only the designated respondent of an office rates it (its director, by default).
        rates_organisation = (
            respondent.rates_organisation or not campaign.uses_designated_respondents
        )
        for competency in competencies:
            if competency.capacity_level == CapacityLevel.INDIVIDUAL:
                importance, current, gain = PROFILE_2024[competency.code]
                finance = respondent.role.code == "finance_officer"
                if finance and competency.code in {
                    "costing_financing",
                    "budgeting_financial_management",
                }:
                    importance += 0.3
                level = current + senior + effect + gain * year_gain + rng.normal(0, 0.8)
                answers.append(
                    Answer(
                        respondent=respondent,
                        competency=competency,
                        importance=int(np.clip(round(importance + rng.normal(0, 0.6)), 1, 5)),
                        current_level=int(np.clip(round(level), 1, 5)),
                    )
                )
            elif rates_organisation:
                current, desired, gain = ORGANISATIONAL_2024[competency.code]
                answers.append(
                    Answer(
                        respondent=respondent,
                        competency=competency,
                        current_level=int(
                            np.clip(
                                round(current + effect + gain * year_gain + rng.normal(0, 0.7)),
                                1,
                                5,
                            )
                        ),
                        desired_level=int(np.clip(round(desired + rng.normal(0, 0.5)), 1, 5)),
                        evidence="Synthetic demo answer.",
                    )
                )
        respondent.status = RespondentStatus.SUBMITTED
        respondent.source = AnswerSource.SYNTHETIC
        respondent.started_at = respondent.submitted_at = when + dt.timedelta(
            days=int(rng.integers(0, 40)), minutes=int(rng.integers(0, 600))
        )
        submitted.append(respondent)
    Answer.objects.bulk_create(answers, batch_size=2000)
    Respondent.objects.bulk_update(
        submitted, ["status", "source", "started_at", "submitted_at"], batch_size=500
    )
    respondents_pack([r.pk for r in submitted])
    campaign.touch_answers()
    return len(submitted)


def _plan(institution: Organisation, campaign: Campaign) -> CapacityPlan:
    plan, created = CapacityPlan.objects.get_or_create(
        institution=institution,
        name_en="Capacity development plan for provincial planning 2025–2027",
        defaults={
            "name_fr": "Plan de développement des capacités en planification provinciale 2025-2027",
            "name_km": "ផែនការអភិវឌ្ឍសមត្ថភាពសម្រាប់ការរៀបចំផែនការថ្នាក់ខេត្ត ២០២៥-២០២៧",
            "campaign": campaign,
            "start_year": 2025,
            "end_year": 2027,
            "status": PlanStatus.IN_PROGRESS,
            "summary": (
                "Synthetic demo plan answering the 2024 baseline: train provincial planners in "
                "sector plan preparation and data analysis, finance staff in budgeting, and "
                "strengthen the provincial planning offices."
            ),
            "is_synthetic": True,
        },
    )
    if not created:
        return plan
    competencies = {c.code: c for c in Competency.objects.filter(framework=campaign.framework)}
    domains = {d.code: d for d in campaign.framework.domains.all()}
    moeys_dop = Organisation.objects.filter(code="MOEYS-DOP").first()
    objectives = [
        {
            "names": (
                "Provincial offices prepare their education sector plans themselves",
                "Les bureaux provinciaux préparent eux-mêmes leurs plans sectoriels",
                "មន្ទីរអប់រំខេត្តរៀបចំផែនការវិស័យអប់រំដោយខ្លួនឯង",
            ),
            "domain": "strategic_planning",
            "level": CapacityLevel.INDIVIDUAL,
            "gaps": ["sector_plan_preparation", "data_analysis_reporting"],
            "indicators": [
                (
                    (
                        "Share of provincial offices that prepared their plan without external drafting",
                        "Part des bureaux provinciaux ayant préparé leur plan sans rédaction externe",
                        "ភាគរយមន្ទីរដែលរៀបចំផែនការដោយគ្មានជំនួយសរសេរពីខាងក្រៅ",
                    ),
                    "%",
                    20,
                    2024,
                    100,
                    2027,
                    "Plans submitted to the planning department",
                    [(dt.date(2025, 6, 30), 44), (dt.date(2026, 6, 30), 76)],
                ),
                (
                    (
                        "Planning officers at or above the proficient level in sector plan preparation",
                        "Planificateurs au niveau compétent ou au-dessus en préparation du plan",
                        "មន្ត្រីផែនការដែលមានកម្រិតស្ទាត់ជំនាញក្នុងការរៀបចំផែនការ",
                    ),
                    "%",
                    8,
                    2024,
                    60,
                    2027,
                    "Needs re-assessment (2026, 2027)",
                    [(dt.date(2026, 11, 1), 35)],
                ),
            ],
            "interventions": [
                (
                    InterventionKind.TRAINING,
                    (
                        "Course: fundamentals of educational planning and management",
                        "Cours : fondamentaux de la planification et de la gestion de l'éducation",
                        "វគ្គ៖ មូលដ្ឋានគ្រឹះនៃការរៀបចំផែនការ និងការគ្រប់គ្រងការអប់រំ",
                    ),
                    dt.date(2025, 3, 1),
                    dt.date(2026, 6, 30),
                    84000,
                    InterventionStatus.DONE,
                    ["sector_plan_preparation", "data_analysis_reporting"],
                ),
                (
                    InterventionKind.COACHING,
                    (
                        "Coaching of provincial teams while they draft their plans",
                        "Accompagnement des équipes provinciales pendant la rédaction",
                        "ការណែនាំក្រុមការងារខេត្តពេលរៀបចំសេចក្តីព្រាងផែនការ",
                    ),
                    dt.date(2026, 1, 15),
                    dt.date(2027, 6, 30),
                    36000,
                    InterventionStatus.IN_PROGRESS,
                    ["sector_plan_preparation"],
                ),
            ],
        },
        {
            "names": (
                "Finance staff budget and report on plans strategically",
                "Le personnel financier budgétise les plans de façon stratégique",
                "បុគ្គលិកហិរញ្ញវត្ថុរៀបចំថវិកា និងរបាយការណ៍ផែនការជាយុទ្ធសាស្ត្រ",
            ),
            "domain": "financial_resources",
            "level": CapacityLevel.INDIVIDUAL,
            "gaps": ["budgeting_financial_management", "costing_financing"],
            "indicators": [
                (
                    (
                        "Provincial budgets linked to the plan's programmes",
                        "Budgets provinciaux liés aux programmes du plan",
                        "ថវិកាខេត្តដែលភ្ជាប់នឹងកម្មវិធីនៃផែនការ",
                    ),
                    "%",
                    12,
                    2024,
                    80,
                    2027,
                    "Budget submissions",
                    [(dt.date(2025, 12, 31), 30), (dt.date(2026, 9, 30), 52)],
                ),
            ],
            "interventions": [
                (
                    InterventionKind.TRAINING,
                    (
                        "Course: financing of education, for finance staff",
                        "Cours : financement de l'éducation, pour le personnel financier",
                        "វគ្គ៖ ហិរញ្ញប្បទានអប់រំ សម្រាប់បុគ្គលិកហិរញ្ញវត្ថុ",
                    ),
                    dt.date(2025, 9, 1),
                    dt.date(2026, 3, 31),
                    42000,
                    InterventionStatus.DONE,
                    ["budgeting_financial_management", "costing_financing"],
                ),
                (
                    InterventionKind.TOOLS,
                    (
                        "Budget template linked to the provincial plan",
                        "Modèle de budget lié au plan provincial",
                        "គំរូថវិកាភ្ជាប់នឹងផែនការខេត្ត",
                    ),
                    dt.date(2026, 4, 1),
                    dt.date(2026, 12, 31),
                    9000,
                    InterventionStatus.DELAYED,
                    ["budgeting_financial_management"],
                ),
            ],
        },
        {
            "names": (
                "Planning offices are staffed and supported by a working data system",
                "Les services de planification ont le personnel et un système de données",
                "ការិយាល័យផែនការមានបុគ្គលិកគ្រប់គ្រាន់ និងប្រព័ន្ធទិន្នន័យដំណើរការ",
            ),
            "domain": "governance",
            "level": CapacityLevel.ORGANISATIONAL,
            "gaps": ["planning_unit_staffing", "emis_data_system", "inspection_self_assessment"],
            "indicators": [
                (
                    (
                        "Provincial planning offices with at least four trained staff",
                        "Services provinciaux de planification avec au moins quatre agents formés",
                        "ការិយាល័យផែនការខេត្តដែលមានបុគ្គលិកបានបណ្តុះបណ្តាលយ៉ាងតិច៤នាក់",
                    ),
                    "number",
                    6,
                    2024,
                    25,
                    2027,
                    "Staff records",
                    [(dt.date(2026, 6, 30), 14)],
                ),
            ],
            "interventions": [
                (
                    InterventionKind.ORGANISATIONAL_CHANGE,
                    (
                        "Staffing norm for provincial planning offices",
                        "Norme d'effectifs des services provinciaux de planification",
                        "បទដ្ឋានបុគ្គលិកសម្រាប់ការិយាល័យផែនការខេត្ត",
                    ),
                    dt.date(2025, 6, 1),
                    dt.date(2026, 12, 31),
                    5000,
                    InterventionStatus.IN_PROGRESS,
                    ["planning_unit_staffing"],
                ),
                (
                    InterventionKind.TOOLS,
                    (
                        "School self-assessment and inspection toolkit",
                        "Outils d'auto-évaluation et d'inspection des écoles",
                        "ឧបករណ៍វាយតម្លៃខ្លួនឯង និងអធិការកិច្ចសាលារៀន",
                    ),
                    dt.date(2026, 1, 1),
                    dt.date(2027, 6, 30),
                    15000,
                    InterventionStatus.PLANNED,
                    ["inspection_self_assessment"],
                ),
            ],
        },
    ]
    for order, spec in enumerate(objectives):
        objective = Objective.objects.create(
            plan=plan,
            order=order,
            name_en=spec["names"][0],
            name_fr=spec["names"][1],
            name_km=spec["names"][2],
            domain=domains[spec["domain"]],
            capacity_level=spec["level"],
        )
        objective.gaps.set([competencies[c] for c in spec["gaps"]])
        for names, unit, base, base_year, target, target_year, verification, measures in spec[
            "indicators"
        ]:
            indicator = Indicator.objects.create(
                objective=objective,
                name_en=names[0],
                name_fr=names[1],
                name_km=names[2],
                unit=unit,
                baseline_value=Decimal(base),
                baseline_year=base_year,
                target_value=Decimal(target),
                target_year=target_year,
                means_of_verification=verification,
            )
            for when, value in measures:
                IndicatorMeasurement.objects.create(
                    indicator=indicator, measured_on=when, value=Decimal(value), note="Synthetic"
                )
        for kind, names, start, end, cost, status, gaps in spec["interventions"]:
            intervention = Intervention.objects.create(
                objective=objective,
                kind=kind,
                name_en=names[0],
                name_fr=names[1],
                name_km=names[2],
                responsible_unit=moeys_dop
                if kind == InterventionKind.ORGANISATIONAL_CHANGE
                else institution,
                starts_on=start,
                ends_on=end,
                cost=Decimal(cost),
                status=status,
            )
            intervention.gaps.set([competencies[c] for c in gaps])
    return plan


@transaction.atomic
def demo_load() -> list[str]:
    nie = Organisation.objects.get(code="NIE")
    framework = framework_seed_epm(institution=nie)
    baseline = _campaign(
        institution=nie,
        framework=framework,
        code="poe-2024",
        names=(
            "Needs assessment of provincial and district offices 2024 (baseline)",
            "Évaluation des besoins des bureaux provinciaux et de district 2024 (référence)",
            "ការវាយតម្លៃតម្រូវការរបស់មន្ទីរ និងការិយាល័យអប់រំ ២០២៤ (មូលដ្ឋាន)",
        ),
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 5, 31),
        baseline=None,
    )
    participant = Person.objects.filter(external_id=PARTICIPANT_PERSON).values_list("pk", flat=True)
    baseline_answered = _answers(baseline, seed=2024, year_gain=0, share_submitted=0.92, keep=set())
    if baseline.status != CampaignStatus.CLOSED:
        baseline.status = CampaignStatus.CLOSED
        baseline.save(update_fields=["status"])
    reassessment = _campaign(
        institution=nie,
        framework=framework,
        code="poe-2026",
        names=(
            "Needs re-assessment of provincial and district offices 2026",
            "Réévaluation des besoins des bureaux provinciaux et de district 2026",
            "ការវាយតម្លៃតម្រូវការឡើងវិញរបស់មន្ទីរ និងការិយាល័យអប់រំ ២០២៦",
        ),
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 31),
        baseline=baseline,
    )
    reassessment_answered = _answers(
        reassessment, seed=2026, year_gain=1, share_submitted=0.85, keep=set(participant)
    )
    if reassessment.status == CampaignStatus.DRAFT:
        reassessment.status = CampaignStatus.OPEN
        reassessment.save(update_fields=["status"])
    plan = _plan(nie, baseline)
    lines = [
        f"competency framework '{framework.name_en}' with {framework.competencies.count()} "
        f"competencies in {framework.domains.count()} domains (example content)",
        f"campaign {baseline.code}: {baseline.respondents.count()} respondents"
        + (f", {baseline_answered} synthetic questionnaires" if baseline_answered else ""),
        f"campaign {reassessment.code} (open): {reassessment.respondents.count()} respondents"
        + (f", {reassessment_answered} synthetic questionnaires" if reassessment_answered else ""),
        f"capacity development plan '{plan.name_en}' (synthetic)",
    ]
    return lines

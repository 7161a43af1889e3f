"""The capacity development plan: progress, gap links, and recording measurements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, Sum

from plancampus.core.models import User

from ..models import (
    CapacityPlan,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    InterventionStatus,
    Objective,
)
from .analysis import Analysis, campaign_analysis


@dataclass
class IndicatorProgress:
    indicator: Indicator
    measurements: list[IndicatorMeasurement]

    @property
    def latest(self) -> IndicatorMeasurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def percent(self) -> int | None:
        latest = self.latest
        return self.indicator.progress_percent(latest.value if latest else None)


@dataclass
class ObjectiveView:
    objective: Objective
    indicators: list[IndicatorProgress]
    interventions: list[Intervention]
    gaps: list[tuple[object, float | None]] = field(default_factory=list)  # (competency, score)


@dataclass
class PlanView:
    plan: CapacityPlan
    objectives: list[ObjectiveView]
    total_cost: Decimal
    currency: str
    status_counts: dict[str, int]


def _gap_scores(analysis: Analysis | None) -> dict[int, float]:
    """The gap measure shown beside each linked competency: the Borich MWDS for individual
    competencies, desired − current for organisational items."""
    if analysis is None:
        return {}
    scores = {n.competency.pk: n.mwds for n in analysis.needs}
    scores |= {i.competency.pk: i.gap for i in analysis.organisational}
    return scores


def plan_view(plan: CapacityPlan, *, with_gaps: bool = True) -> PlanView:
    """The plan with its objectives, indicators (and measurements), interventions, gaps."""
    objectives = list(
        plan.objectives.select_related("domain")
        .prefetch_related(
            "gaps",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch(
                        "measurements",
                        queryset=IndicatorMeasurement.objects.order_by("measured_on", "id"),
                    )
                ),
            ),
            Prefetch(
                "interventions",
                queryset=Intervention.objects.select_related("responsible_unit").prefetch_related(
                    "gaps"
                ),
            ),
        )
        .order_by("order", "id")
    )
    analysis = campaign_analysis(plan.campaign) if with_gaps and plan.campaign else None
    scores = _gap_scores(analysis)
    views = []
    total = Decimal(0)
    currencies: set[str] = set()
    counts: dict[str, int] = {}
    for objective in objectives:
        interventions = list(objective.interventions.all())
        for intervention in interventions:
            if intervention.status != InterventionStatus.CANCELLED:
                total += intervention.cost
                currencies.add(intervention.currency)
            counts[intervention.status] = counts.get(intervention.status, 0) + 1
        views.append(
            ObjectiveView(
                objective=objective,
                indicators=[
                    IndicatorProgress(i, list(i.measurements.all()))
                    for i in objective.indicators.all()
                ],
                interventions=interventions,
                gaps=[(c, scores.get(c.pk)) for c in objective.gaps.all()],
            )
        )
    return PlanView(
        plan=plan,
        objectives=views,
        total_cost=total,
        currency="/".join(sorted(currencies)) or "USD",
        status_counts=counts,
    )


@transaction.atomic
def measurement_add(
    *, indicator: Indicator, measured_on: dt.date, value: Decimal, note: str, user: User | None
) -> IndicatorMeasurement:
    measurement = IndicatorMeasurement(
        indicator=indicator, measured_on=measured_on, value=value, note=note, recorded_by=user
    )
    measurement.full_clean()
    measurement.save()
    return measurement


@transaction.atomic
def intervention_update(
    *, intervention: Intervention, status: str, progress_note: str
) -> Intervention:
    intervention.status = status
    intervention.progress_note = progress_note
    intervention.full_clean()
    intervention.save()
    return intervention


def plan_costs_by_kind(plan: CapacityPlan) -> list[tuple[str, Decimal]]:
    rows = (
        Intervention.objects.filter(objective__plan=plan)
        .exclude(status=InterventionStatus.CANCELLED)
        .values("kind")
        .annotate(total=Sum("cost"))
        .order_by("kind")
    )
    return [(row["kind"], row["total"]) for row in rows]

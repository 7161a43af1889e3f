"""Deleting the items of a capacity development plan, saying first what goes with them.

An objective takes its indicators (with their measurements) and its interventions with it;
an indicator takes its measurements; an intervention and a measurement go alone. The linked
competencies (gaps) are not deleted, only the links. Every deleted record stays in its
history (objectives, indicators, measurements and interventions are audited), with who
deleted it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Model

from plancampus.core.models import User

from ..models import Indicator, IndicatorMeasurement, Intervention, InterventionStatus, Objective

PlanItem = Objective | Indicator | Intervention | IndicatorMeasurement


@dataclass
class Deletion:
    """What deleting a plan item deletes with it."""

    item: PlanItem
    indicators: int = 0
    measurements: list[IndicatorMeasurement] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    gaps: int = 0  # links to competencies (the competencies stay)

    @property
    def cost(self) -> Decimal:
        """What leaves the plan's total cost (cancelled interventions are not counted)."""
        return sum(
            (i.cost for i in self.interventions if i.status != InterventionStatus.CANCELLED),
            Decimal(0),
        )


def deletion_of(item: PlanItem) -> Deletion:
    """What goes with ``item`` (a fixed number of queries)."""
    deletion = Deletion(item)
    if isinstance(item, Objective):
        deletion.indicators = item.indicators.count()
        deletion.measurements = list(
            IndicatorMeasurement.objects.filter(indicator__objective=item)
            .select_related("indicator")
            .order_by("indicator_id", "measured_on")
        )
        deletion.interventions = list(item.interventions.order_by("starts_on", "id"))
        deletion.gaps = item.gaps.count()
    elif isinstance(item, Indicator):
        deletion.measurements = list(item.measurements.order_by("measured_on", "id"))
    elif isinstance(item, Intervention):
        deletion.interventions = [item]
        deletion.gaps = item.gaps.count()
    return deletion


def _with_user(objects: list[Model], user: User | None) -> None:
    if user is not None and user.is_authenticated:
        for obj in objects:
            obj._history_user = user  # type: ignore[attr-defined]


@transaction.atomic
def plan_item_delete(*, item: PlanItem, user: User | None) -> Deletion:
    """Delete a plan item and what goes with it (see ``deletion_of``); returns what went.

    The history of each deleted record (audit) names ``user``: the objects deleted with the
    item are deleted one by one for that, not by the database's cascade.
    """
    deletion = deletion_of(item)
    children: list[Model] = []
    if isinstance(item, Objective):
        children = [*deletion.measurements, *item.indicators.all(), *deletion.interventions]
    elif isinstance(item, Indicator):
        children = list(deletion.measurements)
    _with_user([*children, item], user)
    for child in children:
        child.delete()
    item.delete()
    return deletion

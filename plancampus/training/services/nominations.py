"""Nominations made by the education offices themselves, through their training focal point.

An office nominates its own staff — a provincial office also the staff of its district offices
— to a cohort that is announced to the offices (status *nominations open*) while its
nomination window is open. The institution then decides (``enrolment_accept``: a seat, or the
waiting list past the capacity; ``enrolment_reject``). The office may withdraw its
nominations; a seat freed that way goes to the first person on the waiting list
(``enrolment_withdraw``). The rules of ``services.enrolment`` apply: all or nothing, one
message per problem, the cohort's row locked while seats change.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Organisation, OrganisationKind, Person, User

from ..models import Cohort, CohortStatus, Enrolment
from .enrolment import cohort_lock, enrolment_nominate, enrolment_withdraw, office_reach

NOMINATING_OFFICE_KINDS = {OrganisationKind.PROVINCIAL_OFFICE, OrganisationKind.DISTRICT_OFFICE}


def office_nominable_people(office: Organisation) -> QuerySet[Person]:
    """The people ``office`` may nominate: its staff first, then (provincial office) the staff
    of its district offices, office by office."""
    return (
        Person.objects.filter(organisation_id__in=office_reach(office))
        .select_related("organisation")
        .annotate(
            own_office=Case(
                When(organisation_id=office.pk, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("own_office", "organisation__code", "name_latin", "id")
    )


@transaction.atomic
def office_nominate(
    *, cohort: Cohort, people: Sequence[Person], office: Organisation, user: User | None
) -> list[Enrolment]:
    """``office`` nominates ``people`` to ``cohort``; all or nothing.

    Refused, with a message saying why: an organisation that is not a provincial or district
    office, or of another country; a cohort not announced to the offices or outside its
    nomination window; and whatever ``enrolment_nominate`` refuses (someone already in the
    cohort, listed twice, or working in another office).
    """
    if office.kind not in NOMINATING_OFFICE_KINDS:
        raise ValidationError(
            _("Only a provincial or district office of education nominates its staff."),
            code="not_an_office",
        )
    cohort = cohort_lock(cohort)
    if office.country_id != cohort.institution.country_id:
        raise ValidationError(
            _("%(office)s is not in the country of %(code)s.")
            % {"office": office.display_name, "code": cohort.code},
            code="other_country",
        )
    if cohort.status != CohortStatus.NOMINATIONS_OPEN:
        raise ValidationError(
            _("Cohort %(code)s does not take nominations from the offices: it is %(status)s.")
            % {"code": cohort.code, "status": cohort.get_status_display().lower()},
            code="nominations_closed",
        )
    return enrolment_nominate(
        cohort=cohort, people=people, organisation=office, user=user, check_window=True
    )


@transaction.atomic
def office_withdraw(
    *, enrolment: Enrolment, office: Organisation, user: User | None
) -> Enrolment | None:
    """``office`` withdraws one of its nominations (pending, accepted or waiting); a seat it
    frees goes to the first person on the waiting list, who is returned."""
    if enrolment.nominated_by_organisation_id != office.pk:
        raise ValidationError(
            _("%(office)s did not nominate %(name)s: only the institution may withdraw them.")
            % {"office": office.display_name, "name": enrolment.person.name_latin},
            code="other_office",
        )
    return enrolment_withdraw(enrolment=enrolment, user=user)

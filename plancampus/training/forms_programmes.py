"""Forms of the degree programme pages: a student's record, enrolling an intake."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Organisation, Person

from .forms import DATE
from .models import Cohort, Programme, ProgrammeStudent
from .models.students import FIRST_INTAKE


def supervisor_choices(institution: Organisation) -> QuerySet[Person]:
    """People who may supervise: the institution's staff, its trainers, and anyone who
    already supervises one of its students."""
    return (
        Person.objects.filter(
            Q(organisation=institution)
            | Q(cohorts_led__institution=institution)
            | Q(cohorts_co_trained__institution=institution)
            | Q(supervised_students__programme__institution=institution)
        )
        .distinct()
        .order_by("name_latin", "id")
    )


class ProgrammeStudentForm(forms.ModelForm):
    """A student's record. A new record names its person (picked in the directory the user
    can see); the person of a saved record does not change."""

    class Meta:
        model = ProgrammeStudent
        fields = [
            "person",
            "intake",
            "status",
            "enrolled_on",
            "status_since",
            "expected_completion",
            "completed_on",
            "employer",
            "thesis_title",
            "supervisor",
            "notes",
        ]
        widgets = {
            "person": forms.HiddenInput,
            "enrolled_on": DATE,
            "status_since": DATE,
            "expected_completion": DATE,
            "completed_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "person": {"invalid_choice": _("This person is not in the directory you can see.")}
        }

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, programme: Programme, people: QuerySet[Person], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        institution = programme.institution
        if self.instance.pk:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people.select_related("organisation__country")
        year = timezone.localdate().year
        self.fields["intake"].widget = forms.NumberInput(
            attrs={"min": FIRST_INTAKE, "max": year + 1}
        )
        self.fields["employer"].queryset = Organisation.objects.filter(
            Q(country_id=institution.country_id) | Q(country__isnull=True)
        ).order_by("kind", "code")
        self.fields["supervisor"].queryset = supervisor_choices(institution)
        self.fields["supervisor"].help_text = _(
            "Usually a lecturer of the institution. Someone from elsewhere is added by an "
            "administrator."
        )
        if programme.kind == "doctorate":
            self.fields["thesis_title"].label = _("Dissertation title")
        else:
            self.fields["thesis_title"].label = _("Thesis title")


class IntakeEnrolForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the cohorts listed: this one is not open.")
        },
    )

    def __init__(self, *args, cohorts: list[Cohort], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        field.queryset = (
            Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
            .select_related("course")
            .order_by("start_date", "code")
        )
        field.label_from_instance = lambda c: (
            f"{c.code} — {c.course.display_title} ({c.start_date.isoformat()})"
        )

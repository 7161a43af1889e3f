"""Forms of the training pages. Querysets are narrowed to the institution by the views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.forms import too_big_message
from plancampus.core.models import Organisation, Person
from plancampus.needs.models import Competency, RoleProfile

from .models import (
    AssessmentModality,
    Cohort,
    CohortStatus,
    Course,
    CourseModule,
    DesignWorkshop,
    LearningOutcome,
    Programme,
    Session,
)
from .models.base import plain
from .models.courses import HUNDRED

DELIVERY_LANGUAGES = [
    ("km", _("Khmer")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("lo", _("Lao")),
    ("vi", _("Vietnamese")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["code", "kind", "name_en", "name_fr", "name_km", "description", "is_active"]


class CourseForm(forms.ModelForm):
    delivery_languages = forms.MultipleChoiceField(
        label=_("Delivery languages"),
        choices=DELIVERY_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Course
        fields = [
            "programme",
            "code",
            "title_en",
            "title_fr",
            "title_km",
            "description_en",
            "description_fr",
            "description_km",
            "delivery_languages",
            "hours",
            "credits",
            "mode",
            "target_roles",
            "target_audience",
            "min_attendance_percent",
            "pass_mark",
        ]
        widgets = {
            "target_roles": forms.CheckboxSelectMultiple,
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_km": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, institution: Organisation, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["programme"].queryset = Programme.objects.filter(institution=institution)
        self.fields["target_roles"].queryset = RoleProfile.objects.filter(
            framework__institution=institution
        )
        if self.instance.pk:
            # The code ties the versions together: it does not change.
            self.fields["code"].disabled = True


class OutcomeForm(forms.ModelForm):
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies developed"),
        queryset=Competency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    target_level = forms.IntegerField(
        label=_("Level targeted"),
        min_value=0,
        max_value=10,
        initial=3,
        help_text=_("The proficiency level the outcome aims at in these competencies."),
    )

    class Meta:
        model = LearningOutcome
        fields = ["order", "text_en", "text_fr", "text_km"]
        widgets = {
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "text_fr": forms.Textarea(attrs={"rows": 2}),
            "text_km": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, course: Course, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.course = course
        self.fields["competencies"].queryset = (
            Competency.objects.filter(framework__institution=course.institution_id)
            .select_related("domain", "framework")
            .order_by("framework", "domain__order", "order")
        )
        if self.instance.pk:
            links = list(self.instance.competency_links.all())
            self.fields["competencies"].initial = [link.competency_id for link in links]
            if links:
                self.fields["target_level"].initial = links[0].target_level

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        level = data.get("target_level")
        for competency in data.get("competencies") or []:
            framework = competency.framework
            if level is not None and not (framework.scale_min <= level <= framework.scale_max):
                self.add_error(
                    "target_level",
                    _("The level must lie between %(low)s and %(high)s.")
                    % {"low": framework.scale_min, "high": framework.scale_max},
                )
                break
        return data

    @property
    def links(self) -> dict[int, int]:
        level = self.cleaned_data["target_level"]
        return {c.pk: level for c in self.cleaned_data.get("competencies") or []}


ModuleFormSet = inlineformset_factory(
    Course,
    CourseModule,
    fields=["order", "title_en", "title_fr", "title_km", "hours", "methods"],
    extra=2,
    can_delete=True,
)


class BaseModalityFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        kept = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("weight") or 0
            kept += 1
        if kept and total != HUNDRED:
            raise ValidationError(
                _("The weights add up to %(total)s %%; they must add up to 100 %%.")
                % {"total": plain(total)},
                code="weights",
            )


ModalityFormSet = inlineformset_factory(
    Course,
    AssessmentModality,
    formset=BaseModalityFormSet,
    fields=["order", "name_en", "name_fr", "name_km", "weight", "max_mark"],
    extra=2,
    can_delete=True,
)


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = DesignWorkshop
        fields = ["date", "end_date", "place", "organisations", "notes"]
        widgets = {
            "date": DATE,
            "end_date": DATE,
            "organisations": forms.SelectMultiple(attrs={"size": 10}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, course: Course, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.course = course
        country = course.institution.country_id
        self.fields["organisations"].queryset = Organisation.objects.filter(
            Q(country_id=country) | Q(country__isnull=True)
        ).order_by("kind", "code")
        self.fields["organisations"].help_text = _(
            "Provincial offices, central departments and partners that took part."
        )


def trainer_choices(institution: Organisation):  # type: ignore[no-untyped-def]
    """People who may train: the institution's staff and anyone who already trained in one
    of its cohorts."""
    return (
        Person.objects.filter(
            Q(organisation=institution)
            | Q(cohorts_led__institution=institution)
            | Q(cohorts_co_trained__institution=institution)
        )
        .distinct()
        .order_by("name_latin")
    )


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "course",
            "code",
            "title",
            "start_date",
            "end_date",
            "venue",
            "is_online",
            "online_url",
            "capacity",
            "language",
            "lead_trainer",
            "co_trainers",
            "nomination_opens",
            "nomination_closes",
            "status",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "nomination_opens": DATE,
            "nomination_closes": DATE,
            "language": forms.Select(choices=DELIVERY_LANGUAGES),
            "co_trainers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, institution: Organisation, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        # A cohort keeps the version it was planned with, or moves to the current one.
        versions = Q(is_current=True)
        if self.instance.pk:
            versions |= Q(pk=self.instance.course_id)
        self.fields["course"].queryset = Course.objects.filter(
            versions, institution=institution
        ).order_by("code", "-version")
        if self.instance.status != CohortStatus.COMPLETED:
            # A cohort is completed by closing its results (which computes them), not here.
            self.fields["status"].choices = [
                c for c in CohortStatus.choices if c[0] != CohortStatus.COMPLETED
            ]
        trainers = trainer_choices(institution)
        self.fields["lead_trainer"].queryset = trainers
        self.fields["co_trainers"].queryset = trainers
        self.fields["co_trainers"].required = False

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        lead, co = data.get("lead_trainer"), data.get("co_trainers") or []
        if lead and lead in co:
            self.add_error("co_trainers", _("The lead trainer is not also a co-trainer."))
        return data


class SessionForm(forms.ModelForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        model = Session
        fields = ["duration_minutes", "place", "topic", "module", "is_cancelled"]

    field_order = ["date", "start_time", "duration_minutes", "place", "topic", "module"]

    def __init__(self, *args, cohort: Cohort, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        self.fields["module"].queryset = CourseModule.objects.filter(course=cohort.course_id)
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.fields["date"].initial = local.date()
            self.fields["start_time"].initial = local.time()
        else:
            self.fields["date"].initial = cohort.start_date
            self.fields["start_time"].initial = dt.time(8, 0)
            self.fields["duration_minutes"].initial = 180

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("date") and data.get("start_time"):
            self.instance.starts_at = timezone.make_aware(
                dt.datetime.combine(data["date"], data["start_time"])
            )
        return data


class SessionPlanForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=DATE)
    last_day = forms.DateField(label=_("Last day"), widget=DATE)
    start_time = forms.TimeField(
        label=_("Start time"),
        initial=dt.time(8, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=180
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=255)
    weekdays_only = forms.BooleanField(
        label=_("Monday to Friday only"), initial=True, required=False
    )


class NominationForm(forms.Form):
    """The staff of one office that it nominates."""

    people = forms.ModelMultipleChoiceField(
        label=_("Staff to nominate"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = organisation.staff.order_by("name_latin", "id")


class SpreadsheetForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("A CSV file saved as UTF-8, or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,.ods,text/csv"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(too_big_message(upload.size), code="too_big")
        return upload


class CloseForm(forms.Form):
    allow_missing_marks = forms.BooleanField(
        label=_("Participants with missing marks do not complete the course"),
        required=False,
    )


class ReopenForm(forms.Form):
    """Reopen closed results: a reason, and (when certificates exist) a confirmation."""

    reason = forms.CharField(
        label=_("Why are the results reopened?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the cohort's history with your name and the date."),
    )
    confirm_certificates = forms.BooleanField(
        label=_(
            "I understand: when the results are closed again, the certificate of anyone who "
            "no longer completes the course is revoked."
        ),
        required=False,
    )

    def __init__(self, *args, certificates: int = 0, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not certificates:
            del self.fields["confirm_certificates"]


class KeyRotationForm(forms.Form):
    """Rotate an institution's signing key: a reason and an explicit confirmation."""

    reason = forms.CharField(
        label=_("Why is the key rotated?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For instance: yearly rotation; an administrator with database access left; "
            "the database may have been copied. Kept in the keys' history."
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: new certificates and the revocation lists will be signed with a "
            "new key; credentials signed before still verify with the old key, which stays "
            "published."
        ),
        required=True,
        error_messages={"required": _("Tick the confirmation to rotate the key.")},
    )

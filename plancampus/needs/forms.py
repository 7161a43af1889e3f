"""Forms of the needs pages (validation only; saving goes through the services)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Area, AreaKind, Organisation, OrganisationKind

from .models import (
    Campaign,
    CapacityPlan,
    Competency,
    CompetencyFramework,
    Domain,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    InterventionStatus,
    Objective,
    Respondent,
    RoleProfile,
)
from .models.campaigns import OrganisationalAnswers

TARGET_KINDS = [
    (OrganisationKind.PROVINCIAL_OFFICE, OrganisationKind.PROVINCIAL_OFFICE.label),
    (OrganisationKind.DISTRICT_OFFICE, OrganisationKind.DISTRICT_OFFICE.label),
    (OrganisationKind.MINISTRY_DEPARTMENT, OrganisationKind.MINISTRY_DEPARTMENT.label),
]


class DateInput(forms.DateInput):
    input_type = "date"


class CampaignForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=255)
    name_km = forms.CharField(label=_("Name (Khmer)"), max_length=255, required=False)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=255, required=False)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short identifier, used in the XLSForm's form id, e.g. poe-2026."),
    )
    framework = forms.ModelChoiceField(
        label=_("Competency framework"), queryset=CompetencyFramework.objects.none()
    )
    starts_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Closes on"), widget=DateInput)
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Organisations assessed"),
        choices=TARGET_KINDS,
        widget=forms.CheckboxSelectMultiple,
        initial=[OrganisationKind.PROVINCIAL_OFFICE],
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Only in these provinces"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave empty for every province."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    target_roles = forms.ModelMultipleChoiceField(
        label=_("Roles assessed"),
        queryset=RoleProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    baseline = forms.ModelChoiceField(
        label=_("Baseline campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("The earlier campaign this one re-assesses, to compare with."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, institution: Organisation, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.institution = institution
        frameworks = CompetencyFramework.objects.filter(institution=institution)
        self.fields["framework"].queryset = frameworks
        if frameworks.count() == 1:
            self.fields["framework"].initial = frameworks.first()
        self.fields["target_roles"].queryset = RoleProfile.objects.filter(
            framework__institution=institution
        ).select_related("framework")
        self.fields["provinces"].queryset = Area.objects.filter(
            country_id=institution.country_id, kind=AreaKind.PROVINCE
        ).order_by("code")
        self.fields["baseline"].queryset = Campaign.objects.filter(institution=institution)

    def target_organisations(self) -> list[Organisation]:
        organisations = Organisation.objects.filter(
            country_id=self.institution.country_id,
            kind__in=self.cleaned_data["organisation_kinds"],
        ).select_related("area")
        provinces = list(self.cleaned_data.get("provinces") or [])
        if provinces:
            keep = []
            for organisation in organisations.select_related(
                "area__parent", "area__parent__parent"
            ):
                area = organisation.area
                while area is not None and area.kind != AreaKind.PROVINCE:
                    area = area.parent
                if area in provinces:
                    keep.append(organisation)
            return keep
        return list(organisations)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export of the submissions (CSV or Excel)"),
        help_text=_("From KoboToolbox: Data → Downloads, XLS or CSV, “XML values and headers”."),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = IndicatorMeasurement
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": DateInput}


class InterventionStatusForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = ["status", "progress_note"]

    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)


class PlanForm(forms.ModelForm):
    class Meta:
        model = CapacityPlan
        fields = [
            "name_en",
            "name_km",
            "name_fr",
            "campaign",
            "start_year",
            "end_year",
            "status",
            "summary",
        ]

    def __init__(self, *args, institution: Organisation, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["campaign"].queryset = Campaign.objects.filter(institution=institution)


def _gap_choices(form: forms.ModelForm, plan: CapacityPlan) -> None:
    """Offer the competencies of the plan's framework (or of the institution's frameworks)."""
    competencies = Competency.objects.select_related("domain").order_by("domain__order", "order")
    if plan.campaign_id:
        competencies = competencies.filter(framework_id=plan.campaign.framework_id)
    else:
        competencies = competencies.filter(framework__institution_id=plan.institution_id)
    form.fields["gaps"].queryset = competencies
    form.fields["gaps"].widget = forms.CheckboxSelectMultiple()
    form.fields["gaps"].widget.choices = form.fields["gaps"].choices


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["name_en", "name_km", "name_fr", "order", "domain", "capacity_level", "gaps"]

    def __init__(self, *args, plan: CapacityPlan, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        domains = Domain.objects.filter(framework__institution_id=plan.institution_id)
        if plan.campaign_id:
            domains = domains.filter(framework_id=plan.campaign.framework_id)
        self.fields["domain"].queryset = domains
        _gap_choices(self, plan)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name_en",
            "name_km",
            "name_fr",
            "unit",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "means_of_verification",
        ]

    def __init__(self, *args, objective: Objective, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.objective = objective


class InterventionForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = [
            "name_en",
            "name_km",
            "name_fr",
            "kind",
            "responsible_unit",
            "responsible_note",
            "starts_on",
            "ends_on",
            "cost",
            "currency",
            "status",
            "gaps",
        ]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    def __init__(self, *args, objective: Objective, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
        plan = objective.plan
        self.fields["responsible_unit"].queryset = Organisation.objects.filter(
            country_id=plan.institution.country_id
        ).exclude(kind=OrganisationKind.DISTRICT_OFFICE)
        _gap_choices(self, plan)


class CampaignEditForm(forms.Form):
    """What may change after a campaign is created (not the framework, code or version)."""

    name_en = forms.CharField(label=_("Name (English)"), max_length=255)
    name_km = forms.CharField(label=_("Name (Khmer)"), max_length=255, required=False)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=255, required=False)
    starts_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Closes on"), widget=DateInput)
    target_roles = forms.ModelMultipleChoiceField(
        label=_("Roles assessed"),
        queryset=RoleProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    target_organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations assessed"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "columns"}),
        help_text=_(
            "People of an added organisation (or in an added role) are invited at once. "
            "Removing one removes its respondents."
        ),
    )
    organisational_answers = forms.ChoiceField(
        label=_("Organisational items rated by"),
        choices=OrganisationalAnswers.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Changing this changes the organisational figures of the analysis (and of the "
            "documents made after)."
        ),
    )
    baseline = forms.ModelChoiceField(
        label=_("Baseline campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("The earlier campaign this one re-assesses, to compare with."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    confirm_removals = forms.BooleanField(
        label=_("Remove them, with their answers"),
        required=False,
        help_text=_(
            "Needed when an organisation or a role you remove has respondents who already answered."
        ),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault(
            "initial",
            {
                "name_en": campaign.name_en,
                "name_km": campaign.name_km,
                "name_fr": campaign.name_fr,
                "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on,
                "target_roles": list(campaign.target_roles.all()),
                "target_organisations": list(campaign.target_organisations.all()),
                "organisational_answers": campaign.organisational_answers,
                "baseline": campaign.baseline,
                "description": campaign.description,
            },
        )
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["target_roles"].queryset = RoleProfile.objects.filter(
            framework_id=campaign.framework_id
        )
        institution = campaign.institution
        self.fields["target_organisations"].queryset = (
            Organisation.objects.filter(
                Q(country_id=institution.country_id, kind__in=[k for k, _l in TARGET_KINDS])
                | Q(pk__in=campaign.target_organisations.values("pk"))
            )
            .distinct()
            .order_by("kind", "code")
        )
        self.fields["baseline"].queryset = Campaign.objects.filter(
            institution_id=campaign.institution_id, framework_id=campaign.framework_id
        ).exclude(pk=campaign.pk)


class RespondentForm(forms.Form):
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=RoleProfile.objects.none(),
        help_text=_("The role profile the respondent's gaps are measured against."),
    )
    rates_organisation = forms.BooleanField(
        label=_("Designated to rate the organisation"),
        required=False,
        help_text=_("Answers the organisational and institutional items for their organisation."),
    )

    def __init__(self, *args, respondent: Respondent, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault(
            "initial",
            {"role": respondent.role, "rates_organisation": respondent.rates_organisation},
        )
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = respondent.campaign.target_roles.all()

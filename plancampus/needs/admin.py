from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Campaign,
    CapacityPlan,
    Competency,
    CompetencyFramework,
    Domain,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    Objective,
    Respondent,
    RoleProfile,
    RoleRequirement,
)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(CompetencyFramework)
class CompetencyFrameworkAdmin(SimpleHistoryAdmin):
    list_display = ("code", "version", "name_en", "institution", "is_synthetic")
    inlines = [DomainInline]


@admin.register(Competency)
class CompetencyAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "domain", "capacity_level", "framework")
    list_filter = ("framework", "capacity_level", "domain__code")
    search_fields = ("code", "name_en", "name_km")


class RoleRequirementInline(admin.TabularInline):
    model = RoleRequirement
    extra = 0


@admin.register(RoleProfile)
class RoleProfileAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "framework")
    inlines = [RoleRequirementInline]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "institution", "status", "starts_on", "is_synthetic")
    list_filter = ("status", "institution")
    filter_horizontal = ("target_organisations", "target_roles")
    raw_id_fields = ("baseline",)


@admin.register(Respondent)
class RespondentAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "person",
        "campaign",
        "role",
        "organisation",
        "rates_organisation",
        "status",
        "source",
    )
    list_filter = ("campaign", "status", "source", "rates_organisation")
    search_fields = ("code", "person__name_latin", "person__name_km")
    raw_id_fields = ("person", "organisation", "province")
    readonly_fields = ("instance_id", "answers_packed")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        # The role and the designation change the analysis: recompute it.
        obj.campaign.touch_answers()


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 0
    filter_horizontal = ("gaps",)
    show_change_link = True


@admin.register(CapacityPlan)
class CapacityPlanAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "institution", "start_year", "end_year", "status", "is_synthetic")
    inlines = [ObjectiveInline]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


class InterventionInline(admin.StackedInline):
    model = Intervention
    extra = 0
    filter_horizontal = ("gaps",)


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("name_en", "plan", "domain", "capacity_level")
    filter_horizontal = ("gaps",)
    inlines = [IndicatorInline, InterventionInline]


@admin.register(Intervention)
class InterventionAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "objective", "kind", "status", "starts_on", "ends_on", "cost")
    list_filter = ("kind", "status")
    filter_horizontal = ("gaps",)


@admin.register(IndicatorMeasurement)
class IndicatorMeasurementAdmin(admin.ModelAdmin):
    list_display = ("indicator", "measured_on", "value")

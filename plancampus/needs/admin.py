from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Competency, CompetencyFramework, Domain, RoleProfile, RoleRequirement


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

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ApiToken,
    Area,
    BackgroundJob,
    Country,
    Membership,
    Organisation,
    Person,
    Position,
    SchoolLevel,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("PlanCampus"), {"fields": ("person", "language")}))
    raw_id_fields = ("person",)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso_code", "name_en", "name_km")


@admin.register(SchoolLevel)
class SchoolLevelAdmin(admin.ModelAdmin):
    list_display = ("country", "code", "first_grade", "number_of_grades", "entry_age", "valid_from")
    list_filter = ("country",)


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_km", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name_en", "name_km")
    raw_id_fields = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "kind", "area", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("code", "name_en", "name_km", "acronym")
    raw_id_fields = ("parent", "area")


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    raw_id_fields = ("organisation",)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name_latin", "name_km", "sex", "organisation", "position", "is_synthetic")
    list_filter = ("sex", "is_synthetic", "organisation__kind")
    search_fields = ("name_latin", "name_km", "email", "external_id")
    raw_id_fields = ("organisation",)
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    """Positions also have their own page, for their change history."""

    list_display = ("person", "title", "organisation", "start_date", "end_date")
    search_fields = ("person__name_latin", "title", "organisation__code")
    raw_id_fields = ("person", "organisation")
    list_select_related = ("person", "organisation")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "institution", "role", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("user", "institution")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "created_by", "created_at")
    list_filter = ("status", "kind")

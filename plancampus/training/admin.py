from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssessmentModality,
    Certificate,
    Cohort,
    Course,
    CourseModule,
    DesignWorkshop,
    Enrolment,
    IssuerKey,
    LearningOutcome,
    OutcomeCompetency,
    Programme,
    Session,
)


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "kind", "institution", "is_synthetic")
    list_filter = ("kind", "institution")


class ModuleInline(admin.TabularInline):
    model = CourseModule
    extra = 0


class ModalityInline(admin.TabularInline):
    model = AssessmentModality
    extra = 0


class OutcomeInline(admin.StackedInline):
    model = LearningOutcome
    extra = 0


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ("code", "version", "title_en", "institution", "is_current", "mode", "hours")
    list_filter = ("institution", "is_current", "mode")
    search_fields = ("code", "title_en", "title_km")
    inlines = [OutcomeInline, ModuleInline, ModalityInline]
    filter_horizontal = ("target_roles",)


class OutcomeCompetencyInline(admin.TabularInline):
    model = OutcomeCompetency
    extra = 0
    autocomplete_fields = ("competency",)


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(admin.ModelAdmin):
    list_display = ("course", "order", "text_en")
    inlines = [OutcomeCompetencyInline]


@admin.register(DesignWorkshop)
class DesignWorkshopAdmin(admin.ModelAdmin):
    list_display = ("course", "date", "place")
    filter_horizontal = ("organisations",)
    raw_id_fields = ("participants",)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ("code", "course", "start_date", "status", "capacity", "institution")
    list_filter = ("status", "institution")
    search_fields = ("code", "title")
    raw_id_fields = ("lead_trainer", "co_trainers")
    inlines = [SessionInline]


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "cohort", "status", "result_status", "final_mark", "attendance_rate")
    list_filter = ("status", "result_status")
    raw_id_fields = ("person", "cohort")


# --- Certificates (plancampus.training.models.certificates) ---------------------------------
# Issued and revoked through the pages and the API (services.certificates), which check the
# rules and keep the history; the admin shows them, with their history, read only.


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin):
    list_display = ("number", "holder_name", "course_code", "language", "issued_at", "revoked_at")
    list_filter = ("institution", "language", "year")
    search_fields = ("number", "holder_name", "holder_name_km", "verification_id")
    readonly_fields = [field.name for field in Certificate._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(IssuerKey)
class IssuerKeyAdmin(SimpleHistoryAdmin):
    list_display = ("institution", "kid", "is_active", "created_at", "retired_at")
    list_filter = ("is_active",)
    # The private key never shows, not even to administrators (nor is it in the history).
    exclude = ("private_key_pem",)
    readonly_fields = (
        "institution",
        "kid",
        "public_jwk",
        "created_at",
        "created_by",
        "is_active",
        "retired_at",
        "retired_by",
        "retirement_reason",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# Trainers and external programmes; students of degree programmes.
from . import admin_programmes, admin_trainers  # noqa: E402, F401

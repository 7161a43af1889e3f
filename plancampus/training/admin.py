from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssessmentModality,
    Cohort,
    Course,
    CourseModule,
    DesignWorkshop,
    Enrolment,
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


# Trainers and external programmes.
from . import admin_trainers  # noqa: E402, F401

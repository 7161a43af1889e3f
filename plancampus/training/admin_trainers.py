"""Admin of trainer profiles and external programmes (imported by ``training.admin``)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExternalParticipation, ExternalProgramme, TrainerProfile


@admin.register(TrainerProfile)
class TrainerProfileAdmin(SimpleHistoryAdmin):
    list_display = ("person", "institution", "trainer_since", "is_active", "is_synthetic")
    list_filter = ("institution", "is_active")
    raw_id_fields = ("person",)
    filter_horizontal = ("courses",)
    search_fields = ("person__name_latin", "person__name_km")


@admin.register(ExternalProgramme)
class ExternalProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "kind", "provider")
    list_filter = ("kind", "provider")


@admin.register(ExternalParticipation)
class ExternalParticipationAdmin(SimpleHistoryAdmin):
    list_display = ("person", "programme", "year", "result", "is_synthetic")
    list_filter = ("programme", "result")
    raw_id_fields = ("person",)
    search_fields = ("person__name_latin", "person__name_km", "course_title")

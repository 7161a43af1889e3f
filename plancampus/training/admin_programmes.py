"""Admin of degree programme students (imported by ``training.admin``). The pages check the
record's rules; here an administrator may also name a supervisor from outside the
institution."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ProgrammeStudent


@admin.register(ProgrammeStudent)
class ProgrammeStudentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "programme", "intake", "status", "completed_on", "is_synthetic")
    list_filter = ("programme", "intake", "status")
    raw_id_fields = ("person", "supervisor", "employer")
    search_fields = ("person__name_latin", "person__name_km", "thesis_title")

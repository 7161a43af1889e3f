"""Forms of the trainer pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Course, ExternalParticipation, ExternalProgramme, TrainerProfile


class TrainerProfileForm(forms.ModelForm):
    class Meta:
        model = TrainerProfile
        fields = ["qualifications", "expertise", "trainer_since", "courses", "is_active"]
        widgets = {
            "qualifications": forms.Textarea(attrs={"rows": 4}),
            "courses": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: object, manage: bool, institution_id: int, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if manage:
            self.fields["courses"].queryset = (
                Course.objects.filter(institution_id=institution_id).current().order_by("code")
            )
        else:
            # A trainer describes themselves; which courses they may teach is decided by
            # the coordinator.
            del self.fields["courses"]
            del self.fields["is_active"]


class ParticipationForm(forms.ModelForm):
    class Meta:
        model = ExternalParticipation
        fields = ["programme", "year", "result", "course_title", "notes"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["programme"].queryset = ExternalProgramme.objects.select_related(
            "provider"
        ).order_by("provider__code", "kind", "code")
        self.fields["year"].widget = forms.NumberInput(
            attrs={"min": 1950, "max": timezone.localdate().year + 1}
        )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("A participation cannot be more than a year ahead."))
        return year

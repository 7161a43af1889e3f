import pytest

from plancampus.needs.models import CapacityLevel, Competency, RoleRequirement
from plancampus.needs.services.framework import COMPETENCIES, framework_seed_epm

pytestmark = pytest.mark.django_db


def test_seed_is_complete_trilingual_and_idempotent(institution):
    framework = framework_seed_epm(institution=institution)
    again = framework_seed_epm(institution=institution)
    assert framework.pk == again.pk
    assert Competency.objects.filter(framework=framework).count() == len(COMPETENCIES)
    assert set(framework.domains.values_list("code", flat=True)) == {
        "strategic_planning",
        "governance",
        "financial_resources",
        "human_resources",
        "learning_environment",
    }
    for competency in framework.competencies.all():
        assert all([competency.name_en, competency.name_fr, competency.name_km])
    levels = set(framework.competencies.values_list("capacity_level", flat=True))
    assert levels == set(CapacityLevel.values)
    assert RoleRequirement.objects.filter(profile__framework=framework).exists()
    assert framework.level_label(4, "km") == "ស្ទាត់ជំនាញ"

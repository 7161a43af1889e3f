import pytest

from plancampus.core.models import Area, AreaKind
from plancampus.core.services.geo import areas_import_cambodia

pytestmark = pytest.mark.django_db


def test_cambodia_areas_import_counts_and_is_idempotent():
    result = areas_import_cambodia()
    assert (result.provinces, result.districts, result.communes) == (25, 210, 1661)
    assert Area.objects.filter(kind=AreaKind.PROVINCE).count() == 25
    assert Area.objects.filter(kind=AreaKind.DISTRICT).count() == 210
    assert Area.objects.filter(kind=AreaKind.COMMUNE).count() == 1661
    again = areas_import_cambodia()
    assert (again.created, again.updated) == (0, 0)
    siem_reap = Area.objects.get(code="17")
    assert siem_reap.name_km == "សៀមរាប"
    assert Area.objects.search("សៀមរាប").filter(code="17").exists()

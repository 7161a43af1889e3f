"""Fixtures for the API tests: demo-like directory data and a bearer token."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo_like_directory(institution, office, province, outsider):
    """A province with districts and communes, offices, and people with Khmer names; plus
    another country's institution (the outsider's), which the coordinator must not see."""
    from plancampus.core.models import Position
    from plancampus.core.tests.factories import AreaFactory, OrganisationFactory, PersonFactory

    country = province.country
    people = []
    for d in range(1, 4):
        district = AreaFactory(
            country=country,
            parent=province,
            kind="district",
            code=f"170{d}",
            name_en=f"District {d}",
            name_fr=f"District {d}",
            name_km=f"ស្រុក {d}",
        )
        for c in range(1, 3):
            AreaFactory(
                country=country,
                parent=district,
                kind="commune",
                code=f"170{d}0{c}",
                name_en=f"Commune {d}.{c}",
                name_km=f"ឃុំ {d}.{c}",
            )
        doe = OrganisationFactory(
            country=country,
            kind="district_office",
            code=f"DOE-170{d}",
            area=district,
            parent=office,
            name_en=f"District office {d}",
            is_synthetic=True,
        )
        for n, (latin, khmer) in enumerate(
            [("Keo Sreymom", "កែវ ស្រីមុំ"), ("Heng Piseth", "ហេង ពិសិដ្ឋ")]
        ):
            person = PersonFactory(
                name_latin=f"{latin} {d}",
                name_km=khmer,
                organisation=doe,
                sex="FM"[n],
                phone="+855 12 000 000",
                position="Planning officer",
                is_synthetic=True,
            )
            Position.objects.create(person=person, organisation=doe, title="Planning officer")
            people.append(person)
    return {"people": people}


@pytest.fixture
def bearer_for():
    """``bearer_for(user)``: the headers of a request made with a new token of the user."""
    from plancampus.core.models import ApiToken

    def headers(user):
        _token, raw = ApiToken.issue(user, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return headers

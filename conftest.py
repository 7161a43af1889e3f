"""Shared fixtures: the named personas every view is tested with.

- ``institution``: a training institution in Cambodia (like NIE), with a provincial office.
- ``coordinator``, ``trainer``, ``participant``, ``admin_user``: members of it.
- ``specialist``: the partner's programme specialist, who sees every country.
- ``outsider``: a coordinator of an institution in another country: sees none of ours.
"""

from __future__ import annotations

import pytest

PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture


@pytest.fixture
def country(db):
    from plancampus.core.tests.factories import CountryFactory

    return CountryFactory()


@pytest.fixture
def province(country):
    from plancampus.core.tests.factories import AreaFactory

    return AreaFactory(country=country, code="17", name_en="Siemreap", name_km="សៀមរាប")


@pytest.fixture
def institution(country, province):
    from plancampus.core.tests.factories import InstitutionFactory

    return InstitutionFactory(
        country=country,
        code="NIE",
        name_en="National Institute of Education",
        name_km="វិទ្យាស្ថានជាតិអប់រំ",
        area=province,
    )


@pytest.fixture
def office(country, province):
    from plancampus.core.tests.factories import OrganisationFactory

    return OrganisationFactory(
        country=country,
        code="POE-17",
        area=province,
        name_en="Siemreap Provincial Office of Education",
    )


def _member(username, role, institution):
    from plancampus.core.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    MembershipFactory(user=user, institution=institution, role=role)
    return user


@pytest.fixture
def coordinator(institution):
    return _member("coordinator", "coordinator", institution)


@pytest.fixture
def trainer(institution):
    return _member("trainer", "trainer", institution)


@pytest.fixture
def participant(institution):
    return _member("participant", "participant", institution)


@pytest.fixture
def admin_user(institution):
    user = _member("nieadmin", "institution_admin", institution)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def specialist(db):
    from plancampus.core.tests.factories import OrganisationFactory

    iiep = OrganisationFactory(country=None, kind="partner", code="IIEP", name_en="IIEP-UNESCO")
    return _member("specialist", "specialist", iiep)


@pytest.fixture
def outsider(db):
    """A coordinator of an institution in another country."""
    from plancampus.core.tests.factories import CountryFactory, InstitutionFactory

    elsewhere = CountryFactory(iso_code="LAO", name_en="Elsewhere")
    other = InstitutionFactory(country=elsewhere, code="OTHER-INST", name_en="Other institute")
    return _member("outsider", "coordinator", other)


@pytest.fixture
def client_for(client):
    """Log a persona in: ``client_for(coordinator)``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    """Tasks run immediately in tests (a separate test runs the real database worker),
    static files need no collected manifest, and files (certificate PDFs...) go to a
    temporary media folder, not the development one."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

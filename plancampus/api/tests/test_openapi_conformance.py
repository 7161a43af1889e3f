"""Property-based tests of every API operation against its own OpenAPI schema (schemathesis).

The schema is loaded in-process from the Django WSGI application; requests carry a valid
bearer token of a coordinator, on demo-like data. Each operation gets a bounded,
deterministic set of generated requests; the checks are: no server error, and every
response (200, 401, 403, 404, 422…) conforms to the schema it documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]


def _load_schema() -> schemathesis.BaseSchema:
    """The schema as the running site serves it: fetched in-process from the WSGI app."""
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


schema = _load_schema()


@pytest.fixture
def keep_test_connection():
    """Requests go through the plain WSGI handler, which closes the database connection when
    a request ends (on PostgreSQL, that would end the test's transaction); Django's test
    client avoids it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_headers(demo_like_directory, coordinator, bearer_for):
    return bearer_for(coordinator)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_its_schema(
    case, db, keep_test_connection, coordinator_headers
):
    case.call_and_validate(headers=coordinator_headers, checks=CHECKS)


def test_schema_is_openapi_3_1_with_both_security_schemes(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerToken"].items()
    assert schemes["MemberSession"]["in"] == "cookie"
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("/api/areas/", "get"),
        ("/api/areas/{code}/", "get"),
        ("/api/organisations/", "get"),
        ("/api/organisations/{code}/", "get"),
        ("/api/people/", "get"),
        ("/api/people/{person_id}/", "get"),
        # training (plancampus/training/api.py)
        ("/api/training/courses/", "get"),
        ("/api/training/courses/{course_id}/", "get"),
        ("/api/training/cohorts/", "get"),
        ("/api/training/cohorts/{cohort_id}/", "get"),
        ("/api/training/enrolments/", "get"),
        ("/api/training/cohorts/{cohort_id}/enrolments/", "post"),
        ("/api/training/enrolments/{enrolment_id}/{decision}/", "post"),
        ("/api/training/cohorts/{cohort_id}/sessions/{session_id}/attendance/", "get"),
        ("/api/training/cohorts/{cohort_id}/sessions/{session_id}/attendance/", "post"),
        ("/api/training/cohorts/{cohort_id}/marks/", "get"),
        ("/api/training/cohorts/{cohort_id}/marks/", "post"),
        # results (plancampus/training/api_results.py)
        ("/api/training/cohorts/{cohort_id}/results/close/", "post"),
        ("/api/training/cohorts/{cohort_id}/results/reopen/", "post"),
        # students of degree programmes (plancampus/training/api_programmes.py)
        ("/api/training/programmes/{programme_id}/students/", "get"),
        ("/api/training/programmes/{programme_id}/students/{student_id}/", "get"),
        # certificates (plancampus/training/api_certificates.py)
        ("/api/training/cohorts/{cohort_id}/certificates/", "get"),
        ("/api/training/cohorts/{cohort_id}/certificates/", "post"),
        ("/api/training/certificates/{certificate_id}/", "get"),
        ("/api/training/certificates/{certificate_id}/revoke/", "post"),
    }

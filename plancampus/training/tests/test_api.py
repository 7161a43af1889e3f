"""The training API: same permissions as the pages, all-or-nothing changes, bounded queries."""

from __future__ import annotations

import json

import pytest

from plancampus.core.models import ApiToken
from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import Attendance, EnrolmentStatus, Mark

from .factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    class Caller:
        def __init__(self, user):
            _token, raw = ApiToken.issue(user, "tests")
            self.headers = {"Authorization": f"Bearer {raw}"}

        def get(self, path, **params):
            return client.get(f"/api/training{path}", params, headers=self.headers)

        def post(self, path, body):
            return client.post(
                f"/api/training{path}",
                json.dumps(body, default=str),
                content_type="application/json",
                headers=self.headers,
            )

    return Caller


def test_lists_and_details_for_the_coordinator(api, coordinator, course, cohort, session):
    caller = api(coordinator)
    courses = caller.get("/courses/").json()
    assert [c["code"] for c in courses["items"]] == [course.code]
    detail = caller.get(f"/courses/{course.pk}/").json()
    assert [m["name_en"] for m in detail["modalities"]] == ["Exercises", "Written test"]
    cohorts = caller.get("/cohorts/", status="nominations_open").json()
    assert cohorts["items"][0]["code"] == cohort.code
    assert cohorts["items"][0]["accepted_count"] == 0
    one = caller.get(f"/cohorts/{cohort.pk}/").json()
    assert [s["id"] for s in one["sessions"]] == [session.pk]


def test_outsiders_get_404_and_empty_lists(api, outsider, course, cohort, session):
    enrolment = EnrolmentFactory(cohort=cohort)
    caller = api(outsider)
    assert caller.get("/courses/").json()["count"] == 0
    assert caller.get("/cohorts/").json()["count"] == 0
    assert caller.get("/enrolments/").json()["count"] == 0
    assert caller.get(f"/courses/{course.pk}/").status_code == 404
    assert caller.get(f"/cohorts/{cohort.pk}/").status_code == 404
    assert caller.get(f"/cohorts/{cohort.pk}/marks/").status_code == 404
    assert caller.get(f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/").status_code == 404
    marks = {"marks": [{"enrolment_id": enrolment.pk, "status": "present"}]}
    assert (
        caller.post(f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/", marks).status_code
        == 404
    )
    assert caller.post(f"/cohorts/{cohort.pk}/enrolments/", {"person_ids": [1]}).status_code == 404
    assert caller.post(f"/enrolments/{enrolment.pk}/withdraw/", {}).status_code == 404
    assert not Attendance.objects.exists()


def test_unauthenticated_calls_answer_401(client, cohort):
    assert client.get("/api/training/cohorts/").status_code == 401


def test_enrol_over_capacity_and_double_enrolment_answer_400_and_save_nothing(
    api, coordinator, cohort, office
):
    cohort.capacity = 2
    cohort.save()
    people = [PersonFactory(organisation=office) for _ in range(3)]
    caller = api(coordinator)
    response = caller.post(
        f"/cohorts/{cohort.pk}/enrolments/", {"person_ids": [p.pk for p in people]}
    )
    assert response.status_code == 400
    assert "free seat" in response.json()["detail"]
    assert cohort.enrolments.count() == 0
    ok = caller.post(f"/cohorts/{cohort.pk}/enrolments/", {"person_ids": [people[0].pk]})
    assert ok.status_code == 201
    again = caller.post(f"/cohorts/{cohort.pk}/enrolments/", {"person_ids": [people[0].pk]})
    assert again.status_code == 400
    assert "already in this cohort" in again.json()["detail"]
    unknown = caller.post(f"/cohorts/{cohort.pk}/enrolments/", {"person_ids": [10**12]})
    assert unknown.status_code == 400
    assert "No person" in unknown.json()["detail"]


def test_nominations_overflow_and_withdraw_promotes(api, coordinator, cohort, office):
    cohort.capacity = 1
    cohort.save()
    people = [PersonFactory(organisation=office) for _ in range(2)]
    caller = api(coordinator)
    response = caller.post(
        f"/cohorts/{cohort.pk}/enrolments/",
        {
            "person_ids": [p.pk for p in people],
            "status": "nominated",
            "organisation_code": office.code,
        },
    )
    assert response.status_code == 201
    assert {e["nominated_by_organisation"] for e in response.json()} == {office.code}
    first, second = cohort.enrolments.order_by("id")
    assert caller.post(f"/enrolments/{first.pk}/accept/", {}).json()["status"] == "accepted"
    assert caller.post(f"/enrolments/{second.pk}/accept/", {}).json()["status"] == "waiting"
    refused = caller.post(f"/enrolments/{first.pk}/reject/", {})
    assert refused.status_code == 400
    assert "withdraw" in refused.json()["detail"]
    first = cohort.enrolments.get(person=people[0])
    withdrawn = caller.post(f"/enrolments/{first.pk}/withdraw/", {})
    assert withdrawn.json()["status"] == "withdrawn"
    assert cohort.enrolments.get(person=people[1]).status == EnrolmentStatus.ACCEPTED


def test_trainer_marks_attendance_idempotently_only_in_their_cohorts(
    api, trainer, cohort, session, course
):
    enrolment = EnrolmentFactory(cohort=cohort)
    caller = api(trainer)
    url = f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
    body = {"marks": [{"enrolment_id": enrolment.pk, "status": "late"}]}
    for _ in range(2):
        response = caller.post(url, body)
        assert response.status_code == 200
    assert Attendance.objects.get().status == "late"
    assert [a["status"] for a in caller.get(url).json()] == ["late"]

    other = CohortFactory(course=course)
    other_session = SessionFactory(cohort=other)
    other_enrolment = EnrolmentFactory(cohort=other)
    forbidden = caller.post(
        f"/cohorts/{other.pk}/sessions/{other_session.pk}/attendance/",
        {"marks": [{"enrolment_id": other_enrolment.pk, "status": "present"}]},
    )
    assert forbidden.status_code == 403
    # An enrolment of another cohort, sent to this cohort's session: refused, nothing saved.
    mixed = caller.post(
        url,
        {
            "marks": [
                {"enrolment_id": enrolment.pk, "status": "present"},
                {"enrolment_id": other_enrolment.pk, "status": "present"},
            ]
        },
    )
    assert mixed.status_code == 400
    assert "not in cohort" in mixed.json()["detail"]
    assert Attendance.objects.get().status == "late"


def test_marks_out_of_range_answer_400(api, trainer, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    exercises, test = cohort.course.modalities.order_by("id")
    caller = api(trainer)
    bad = caller.post(
        f"/cohorts/{cohort.pk}/marks/",
        {
            "marks": [
                {"enrolment_id": enrolment.pk, "modality_id": exercises.pk, "value": "12"},
                {"enrolment_id": enrolment.pk, "modality_id": test.pk, "value": "101"},
            ]
        },
    )
    assert bad.status_code == 400
    assert "out of range" in bad.json()["detail"]
    assert not Mark.objects.exists()
    good = caller.post(
        f"/cohorts/{cohort.pk}/marks/",
        {"marks": [{"enrolment_id": enrolment.pk, "modality_id": test.pk, "value": "88.5"}]},
    )
    assert good.json() == {"changed": 1}
    assert caller.get(f"/cohorts/{cohort.pk}/marks/").json()[0]["value"] == "88.50"


def test_participants_see_only_their_own_enrolments(api, participant, participant_person, cohort):
    mine = EnrolmentFactory(cohort=cohort, person=participant_person)
    EnrolmentFactory(cohort=cohort)
    caller = api(participant)
    assert [e["id"] for e in caller.get("/enrolments/").json()["items"]] == [mine.pk]
    assert caller.get(f"/cohorts/{cohort.pk}/marks/").status_code == 404
    assert caller.get(f"/cohorts/{cohort.pk}/").status_code == 200


def test_specialist_reads_everything_and_changes_nothing(api, specialist, cohort, session):
    enrolment = EnrolmentFactory(cohort=cohort)
    caller = api(specialist)
    assert caller.get(f"/cohorts/{cohort.pk}/marks/").status_code == 200
    response = caller.post(
        f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/",
        {"marks": [{"enrolment_id": enrolment.pk, "status": "present"}]},
    )
    assert response.status_code == 403


def test_list_query_counts_do_not_grow(api, coordinator, course, django_assert_max_num_queries):
    caller = api(coordinator)
    for _ in range(3):
        cohort = CohortFactory(course=course)
        EnrolmentFactory(cohort=cohort)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        caller.get("/cohorts/")
        caller.get("/enrolments/")
    for _ in range(20):
        cohort = CohortFactory(course=course)
        EnrolmentFactory(cohort=cohort)
    with django_assert_max_num_queries(len(few.captured_queries)):
        caller.get("/cohorts/")
        caller.get("/enrolments/")

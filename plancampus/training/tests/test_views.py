"""Pages: what each persona sees and may do; outsiders get 404; query counts are bounded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import (
    Attendance,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Mark,
)

from .factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    LearningOutcomeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(cohort, participant_person):
    return EnrolmentFactory(cohort=cohort, person=participant_person)


def _urls(course, cohort, session, enrolment):
    outcome = LearningOutcomeFactory(course=course)
    return [
        reverse("training:programme-detail", args=[course.programme_id]),
        reverse("training:programme-edit", args=[course.programme_id]),
        reverse("training:course-detail", args=[course.pk]),
        reverse("training:course-edit", args=[course.pk]),
        reverse("training:outcome-create", args=[course.pk]),
        reverse("training:outcome-edit", args=[course.pk, outcome.pk]),
        reverse("training:modules-edit", args=[course.pk]),
        reverse("training:assessment-edit", args=[course.pk]),
        reverse("training:workshop-create", args=[course.pk]),
        reverse("training:cohort-detail", args=[cohort.pk]),
        reverse("training:cohort-edit", args=[cohort.pk]),
        reverse("training:cohort-calendar", args=[cohort.pk]),
        reverse("training:session-create", args=[cohort.pk]),
        reverse("training:session-plan", args=[cohort.pk]),
        reverse("training:session-edit", args=[cohort.pk, session.pk]),
        reverse("training:attendance", args=[cohort.pk, session.pk]),
        reverse("training:nominate", args=[cohort.pk]),
        reverse("training:enrolment-import", args=[cohort.pk]),
        reverse("training:enrolment-template", args=[cohort.pk]),
        reverse("training:results", args=[cohort.pk]),
        reverse("training:results-import", args=[cohort.pk]),
        reverse("training:results-template", args=[cohort.pk]),
        reverse("training:cohort-close", args=[cohort.pk]),
    ]


LISTS = ["training:home", "training:course-list", "training:cohort-list", "training:mine"]


def test_every_page_renders_for_the_coordinator(
    client_for, coordinator, course, cohort, session, enrolment
):
    client = client_for(coordinator)
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200, name
    for url in _urls(course, cohort, session, enrolment):
        assert client.get(url).status_code == 200, url
    for url in [
        reverse("training:programme-create"),
        reverse("training:course-create"),
        reverse("training:cohort-create"),
    ]:
        assert client.get(url).status_code == 200, url


def test_outsiders_get_404_on_every_object_page(
    client_for, outsider, course, cohort, session, enrolment
):
    client = client_for(outsider)
    for url in _urls(course, cohort, session, enrolment):
        assert client.get(url).status_code == 404, url
    post_urls = [
        reverse("training:course-version", args=[course.pk]),
        reverse("training:accept-all", args=[cohort.pk]),
        reverse("training:enrolment-decide", args=[cohort.pk, enrolment.pk, "withdraw"]),
        reverse("training:attendance-tap", args=[cohort.pk, session.pk, enrolment.pk]),
        reverse("training:cohort-status", args=[cohort.pk]),
        reverse("training:cohort-reopen", args=[cohort.pk]),
    ]
    for url in post_urls:
        assert client.post(url, {"status": "present"}).status_code == 404, url
    # Their own lists show none of ours.
    assert cohort.code not in client.get(reverse("training:cohort-list")).content.decode()
    assert course.title_en not in client.get(reverse("training:course-list")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, course, cohort):
    for url in [reverse("training:home"), reverse("training:cohort-detail", args=[cohort.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_specialist_sees_everything_but_changes_nothing(
    client_for, specialist, course, cohort, session, enrolment
):
    client = client_for(specialist)
    assert client.get(reverse("training:cohort-detail", args=[cohort.pk])).status_code == 200
    assert client.get(reverse("training:course-detail", args=[course.pk])).status_code == 200
    assert client.get(reverse("training:cohort-edit", args=[cohort.pk])).status_code == 403
    assert (
        client.get(reverse("training:attendance", args=[cohort.pk, session.pk])).status_code == 403
    )
    assert client.get(reverse("training:course-create")).status_code == 403


def test_a_trainer_marks_only_in_cohorts_they_train(
    client_for, trainer, course, cohort, session, enrolment
):
    client = client_for(trainer)
    assert (
        client.get(reverse("training:attendance", args=[cohort.pk, session.pk])).status_code == 200
    )
    assert client.get(reverse("training:results", args=[cohort.pk])).status_code == 200
    other = CohortFactory(course=course)
    other_session = SessionFactory(cohort=other)
    assert (
        client.get(reverse("training:attendance", args=[other.pk, other_session.pk])).status_code
        == 403
    )
    assert client.get(reverse("training:results", args=[other.pk])).status_code == 403
    # A trainer does not manage: no editing, no nominations.
    assert client.get(reverse("training:cohort-edit", args=[cohort.pk])).status_code == 403
    assert client.get(reverse("training:nominate", args=[cohort.pk])).status_code == 403


def test_a_participant_sees_only_their_own_cohorts_and_not_the_others(
    client_for, participant, cohort, enrolment, course
):
    client = client_for(participant)
    other = CohortFactory(course=course)
    EnrolmentFactory(cohort=cohort, person=PersonFactory(name_latin="Someone Else"))
    page = client.get(reverse("training:cohort-detail", args=[cohort.pk]))
    assert page.status_code == 200
    assert "Someone Else" not in page.content.decode()
    assert "Your enrolment" in page.content.decode()
    assert client.get(reverse("training:cohort-detail", args=[other.pk])).status_code == 404
    mine = client.get(reverse("training:mine")).content.decode()
    assert cohort.code in mine
    assert (
        client.get(
            reverse(
                "training:attendance",
                args=[
                    cohort.pk,
                    cohort.sessions.create(starts_at=timezone.now(), duration_minutes=60).pk,
                ],
            )
        ).status_code
        == 403
    )


def test_coordinator_creates_a_course_then_a_cohort(client_for, coordinator, institution):
    client = client_for(coordinator)
    response = client.post(
        reverse("training:course-create"),
        {
            "code": "teacher-management",
            "title_en": "Teacher management",
            "title_km": "ការគ្រប់គ្រងគ្រូបង្រៀន",
            "delivery_languages": ["km"],
            "hours": "30",
            "mode": "in_person",
            "min_attendance_percent": "80",
            "pass_mark": "50",
        },
    )
    course = Course.objects.get(code="teacher-management")
    assert response.status_code == 302
    assert course.institution == institution
    today = timezone.localdate()
    response = client.post(
        reverse("training:cohort-create"),
        {
            "course": course.pk,
            "code": "tm-2026",
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=5)).isoformat(),
            "capacity": "20",
            "language": "km",
            "status": "nominations_open",
        },
    )
    cohort = Cohort.objects.get(code="tm-2026")
    assert response.status_code == 302
    assert cohort.institution == institution
    assert cohort.course == course


def test_assessment_weights_must_sum_to_100(client_for, coordinator, course):
    client = client_for(coordinator)
    modalities = list(course.modalities.all())
    data = {
        "modalities-TOTAL_FORMS": "2",
        "modalities-INITIAL_FORMS": "2",
        "modalities-MIN_NUM_FORMS": "0",
        "modalities-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(modalities):
        data |= {
            f"modalities-{i}-id": m.pk,
            f"modalities-{i}-order": i,
            f"modalities-{i}-name_en": m.name_en,
            f"modalities-{i}-weight": "40",
            f"modalities-{i}-max_mark": "20",
        }
    response = client.post(reverse("training:assessment-edit", args=[course.pk]), data)
    assert response.status_code == 400
    assert "add up to 80" in response.content.decode()
    data["modalities-1-weight"] = "60"
    response = client.post(reverse("training:assessment-edit", args=[course.pk]), data)
    assert response.status_code == 302


def test_nominate_accept_all_and_withdraw_through_the_pages(
    client_for, coordinator, cohort, office
):
    client = client_for(coordinator)
    cohort.capacity = 2
    cohort.save()
    staff = [PersonFactory(organisation=office) for _ in range(3)]
    url = reverse("training:nominate", args=[cohort.pk])
    page = client.get(url, {"organisation": office.code})
    assert staff[0].name_latin in page.content.decode()
    response = client.post(url, {"organisation": office.code, "people": [p.pk for p in staff]})
    assert response.status_code == 302
    client.post(reverse("training:accept-all", args=[cohort.pk]))
    assert cohort.enrolments.accepted().count() == 2
    waiting = cohort.enrolments.waiting().get()
    first = cohort.enrolments.accepted().first()
    client.post(reverse("training:enrolment-decide", args=[cohort.pk, first.pk, "withdraw"]))
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ACCEPTED
    # Nominating the same people again is refused with their names.
    response = client.post(url, {"organisation": office.code, "people": [staff[1].pk]}, follow=True)
    assert "already in this cohort" in response.content.decode()


def test_attendance_tap_is_idempotent_and_answers_a_small_json(
    client_for, trainer, cohort, session, enrolment
):
    client = client_for(trainer)
    url = reverse("training:attendance-tap", args=[cohort.pk, session.pk, enrolment.pk])
    for _ in range(2):
        response = client.post(url, {"status": "absent"}, headers={"Accept": "application/json"})
        assert response.status_code == 200
        assert len(response.content) < 400
        assert response.json()["status"] == "absent"
        assert response.json()["applied"] is True
    assert Attendance.objects.get(session=session, enrolment=enrolment).status == "absent"
    assert Attendance.objects.count() == 1


def test_attendance_form_without_javascript_writes_only_changed_rows(
    client_for, trainer, cohort, session, enrolment, office
):
    other = EnrolmentFactory(cohort=cohort, person=PersonFactory(organisation=office))
    # A colleague marked ``other`` present after this trainer's page was shown.
    AttendanceFactory(session=session, enrolment=other, status="present")
    client = client_for(trainer)
    response = client.post(
        reverse("training:attendance", args=[cohort.pk, session.pk]),
        {f"s-{enrolment.pk}": "present", f"was-{enrolment.pk}": "", f"was-{other.pk}": ""},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=enrolment).status == "present"
    assert Attendance.objects.get(enrolment=other).status == "present"


def test_attendance_grid_shows_late_enrolments_as_not_counted(client_for, trainer, cohort, office):
    session = SessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=1))
    late = EnrolmentFactory(
        cohort=cohort, person=PersonFactory(organisation=office), enrolled_at=timezone.now()
    )
    page = client_for(trainer).get(reverse("training:attendance", args=[cohort.pk, session.pk]))
    html = page.content.decode()
    assert late.person.name_latin in html
    assert "Not yet enrolled at this session" in html
    assert f'name="s-{late.pk}"' not in html


def test_attendance_for_a_session_of_another_cohort_is_refused(
    client_for, trainer, cohort, session, course
):
    stranger = EnrolmentFactory(cohort=CohortFactory(course=course))
    url = reverse("training:attendance-tap", args=[cohort.pk, session.pk, stranger.pk])
    assert client_for(trainer).post(url, {"status": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_results_grid_saves_marks_and_rejects_out_of_range(client_for, trainer, cohort, enrolment):
    client = client_for(trainer)
    exercises, test = cohort.course.modalities.order_by("id")
    url = reverse("training:results", args=[cohort.pk])
    bad = client.post(
        url, {f"m-{enrolment.pk}-{exercises.pk}": "25", f"m-{enrolment.pk}-{test.pk}": "70"}
    )
    assert bad.status_code == 400
    assert "out of range" in bad.content.decode()
    assert not Mark.objects.exists()
    good = client.post(
        url, {f"m-{enrolment.pk}-{exercises.pk}": "15", f"m-{enrolment.pk}-{test.pk}": "70,5"}
    )
    assert good.status_code == 302
    assert Mark.objects.get(modality=test).value == Decimal("70.5")


def _participants(cohort, office, n, session):
    for _ in range(n):
        enrolment = EnrolmentFactory(cohort=cohort, person=PersonFactory(organisation=office))
        Attendance.objects.create(session=session, enrolment=enrolment, status="present")


@pytest.mark.parametrize("page", ["cohort", "attendance", "results", "list", "programme"])
def test_query_counts_do_not_grow_with_participants(
    page, client_for, coordinator, cohort, session, office, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = {
        "cohort": reverse("training:cohort-detail", args=[cohort.pk]),
        "attendance": reverse("training:attendance", args=[cohort.pk, session.pk]),
        "results": reverse("training:results", args=[cohort.pk]),
        "list": reverse("training:cohort-list"),
        "programme": reverse("training:programme-detail", args=[cohort.course.programme_id]),
    }[page]
    _participants(cohort, office, 5, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _participants(cohort, office, 45, session)
    for _ in range(3):
        CohortFactory(course=cohort.course)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) <= 20


def test_cohort_list_filters(client_for, coordinator, course, cohort):
    CohortFactory(
        course=course,
        code="old-one",
        start_date=dt.date(2019, 3, 1),
        end_date=dt.date(2019, 3, 5),
        status="completed",
    )
    client = client_for(coordinator)
    html = client.get(reverse("training:cohort-list"), {"year": "2019"}).content.decode()
    assert "old-one" in html
    assert cohort.code not in html
    html = client.get(
        reverse("training:cohort-list"), {"status": "nominations_open"}
    ).content.decode()
    assert "old-one" not in html
    assert cohort.code in html


def test_enrolment_counts_after_enrolment_are_unchanged(enrolment):
    assert Enrolment.objects.count() == 1


def test_programme_page_lists_its_courses_and_students(
    client_for, coordinator, participant, cohort, enrolment
):
    url = reverse("training:programme-detail", args=[cohort.course.programme_id])
    html = client_for(coordinator).get(url).content.decode()
    assert cohort.course.title_en in html
    assert enrolment.person.name_latin in html
    assert "1 student" in html
    # Participants see the programme and its courses, not its students.
    html = client_for(participant).get(url).content.decode()
    assert cohort.course.title_en in html
    assert enrolment.person.name_latin not in html

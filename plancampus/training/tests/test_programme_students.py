"""Students of degree programmes: the record's rules, courses and progress through cohorts,
the pages (who sees and manages what, form errors, bounded queries) and the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plancampus.core.models import ApiToken
from plancampus.core.tests.factories import (
    CountryFactory,
    OrganisationFactory,
    PersonFactory,
)
from plancampus.reports.services.coverage import CoverageFilters, coverage_compute
from plancampus.training.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    ProgrammeKind,
    ProgrammeStudent,
    ResultStatus,
    StudentStatus,
)
from plancampus.training.services.cascade import cascade_graph
from plancampus.training.services.students import (
    COMPLETED,
    IN_PROGRESS,
    NOT_TAKEN,
    intake_enrol,
    programme_courses,
    programme_progress,
    student_courses,
    student_save,
)

from .factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    MarkFactory,
    ModalityFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def masters(institution):
    return ProgrammeFactory(
        institution=institution,
        code="med",
        kind=ProgrammeKind.MASTERS,
        name_en="Master of Education in educational administration",
    )


@pytest.fixture
def degree_courses(masters, institution):
    courses = []
    for code, title in [("med-policy", "Educational policy"), ("med-finance", "Finance")]:
        course = CourseFactory(
            institution=institution,
            programme=masters,
            code=code,
            title_en=title,
            credits=Decimal(3),
            hours=Decimal(45),
        )
        ModalityFactory(course=course, name_en="Exam", weight=Decimal(100))
        courses.append(course)
    return courses


def _student(masters, person=None, intake=2023, **fields):
    fields.setdefault("enrolled_on", dt.date(intake, 10, 7))
    student = ProgrammeStudent(
        programme=masters,
        person=person or PersonFactory(),
        intake=intake,
        **fields,
    )
    student.full_clean()
    student.save()
    return student


def _completed(course, person, start=dt.date(2023, 10, 7)):
    cohort = CohortFactory(
        course=course,
        start_date=start,
        end_date=start + dt.timedelta(days=60),
        status=CohortStatus.COMPLETED,
        closed_at=timezone.now(),
    )
    return EnrolmentFactory(
        cohort=cohort,
        person=person,
        result_status=ResultStatus.COMPLETED,
        final_mark=Decimal("72.5"),
        attendance_rate=Decimal(95),
    )


# --- The record's rules --------------------------------------------------------------------


def _errors(student) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    return caught.value.message_dict


def test_only_degree_programmes_have_students(institution):
    short = ProgrammeFactory(institution=institution, kind=ProgrammeKind.IN_SERVICE)
    student = ProgrammeStudent(programme=short, person=PersonFactory(), intake=2023)
    assert "Only a degree programme" in _errors(student)["programme"][0]


def test_a_person_of_another_country_is_refused(masters):
    elsewhere = CountryFactory(iso_code="LAO", name_en="Laos")
    person = PersonFactory(
        name_latin="Vongsa Phet",
        organisation=OrganisationFactory(country=elsewhere, name_en="Vientiane office"),
    )
    student = ProgrammeStudent(programme=masters, person=person, intake=2023)
    message = _errors(student)["person"][0]
    assert "Vongsa Phet works in another country (Vientiane office)" in message


def test_a_person_without_organisation_is_refused(masters):
    person = PersonFactory(organisation=None, name_latin="Nobody Known")
    message = _errors(ProgrammeStudent(programme=masters, person=person, intake=2023))["person"]
    assert "has no organisation" in message[0]


def test_one_record_per_person_and_intake(masters):
    person = PersonFactory(name_latin="Keo Dara")
    _student(masters, person, intake=2023)
    again = ProgrammeStudent(programme=masters, person=person, intake=2023)
    errors = _errors(again)
    assert errors == {
        "intake": ["Keo Dara is already a student of this programme in the 2023 intake."]
    }
    # Back in a later intake: a second record.
    _student(masters, person, intake=2025)
    assert ProgrammeStudent.objects.filter(person=person).count() == 2


def test_dates_follow_the_intake(masters):
    student = ProgrammeStudent(
        programme=masters,
        person=PersonFactory(),
        intake=2023,
        enrolled_on=dt.date(2024, 1, 8),
        expected_completion=dt.date(2022, 12, 31),
    )
    errors = _errors(student)
    assert "start in 2023, not on 2024-01-08" in errors["enrolled_on"][0]
    assert "Completion cannot come before the intake" in errors["expected_completion"][0]
    student = ProgrammeStudent(
        programme=masters,
        person=PersonFactory(),
        intake=2023,
        status=StudentStatus.GRADUATED,
    )
    assert "needs the day the degree was awarded" in _errors(student)["completed_on"][0]
    student.status = StudentStatus.ENROLLED
    student.completed_on = dt.date(2025, 12, 19)
    assert "Only a graduate" in _errors(student)["completed_on"][0]
    student.status = StudentStatus.GRADUATED
    student.completed_on = dt.date(2023, 3, 1)
    student.enrolled_on = dt.date(2023, 10, 7)
    assert "studies start on 2023-10-07" in _errors(student)["completed_on"][0]


def test_a_student_does_not_supervise_themselves(masters):
    person = PersonFactory()
    student = ProgrammeStudent(programme=masters, person=person, intake=2023, supervisor=person)
    assert _errors(student)["supervisor"] == ["A student cannot supervise their own thesis."]


def test_saving_is_audited_and_dates_a_status_change(masters, coordinator):
    student = ProgrammeStudent(programme=masters, person=PersonFactory(), intake=2023)
    student_save(student=student, user=coordinator)
    assert student.status_since is None
    student.status = StudentStatus.ON_LEAVE
    student_save(student=student, user=coordinator)
    assert student.status_since == timezone.localdate()
    history = list(student.history.order_by("history_date"))
    assert [h.status for h in history] == ["enrolled", "on_leave"]
    assert {h.history_user for h in history} == {coordinator}
    student.status, student.completed_on = StudentStatus.GRADUATED, dt.date(2025, 12, 19)
    student_save(student=student, user=coordinator)
    assert student.status_since == dt.date(2025, 12, 19)


# --- Courses and progress ------------------------------------------------------------------


def test_progress_counts_the_courses_completed_in_the_records_window(masters, degree_courses):
    policy, finance = degree_courses
    person = PersonFactory()
    first = _student(masters, person, intake=2021, status=StudentStatus.WITHDRAWN)
    second = _student(masters, person, intake=2023)
    other = _student(masters, intake=2023)
    _completed(policy, person, start=dt.date(2021, 10, 9))  # before withdrawing
    _completed(policy, person, start=dt.date(2023, 10, 7))  # again, in the new intake
    _completed(finance, person, start=dt.date(2024, 2, 3))
    progress = programme_progress(
        programme=masters,
        students=[first, second, other],
        courses=programme_courses(masters),
    )
    assert (progress[first.pk].completed, progress[first.pk].required) == (1, 2)
    assert (progress[second.pk].completed, progress[second.pk].credits_earned) == (2, 6)
    assert progress[other.pk].completed == 0
    assert progress[second.pk].percent == 100


def test_student_courses_show_results_so_far(masters, degree_courses):
    policy, finance = degree_courses
    student = _student(masters)
    _completed(policy, student.person)
    running = CohortFactory(course=finance, start_date=timezone.localdate() - dt.timedelta(days=5))
    enrolment = EnrolmentFactory(cohort=running, person=student.person)
    MarkFactory(enrolment=enrolment, modality=finance.modalities.get(), value=Decimal(15))
    results, progress = student_courses(student=student, courses=programme_courses(masters))
    by_code = {r.course.code: r for r in results}
    assert by_code["med-policy"].state == COMPLETED
    assert by_code["med-finance"].state == IN_PROGRESS
    assert by_code["med-finance"].provisional_mark == Decimal("75.00")
    assert (progress.completed, progress.required) == (1, 2)
    # A course not taken yet.
    fresh = _student(masters, intake=2025, enrolled_on=dt.date(2025, 10, 4))
    results, progress = student_courses(student=fresh, courses=programme_courses(masters))
    assert {r.state for r in results} == {NOT_TAKEN}
    assert progress.completed == 0


def test_an_intake_is_enrolled_in_a_cohort(masters, degree_courses, coordinator):
    policy = degree_courses[0]
    cohort = CohortFactory(course=policy, capacity=3, status=CohortStatus.PLANNED)
    enrolled = [_student(masters) for _ in range(2)]
    away = _student(masters, status=StudentStatus.ON_LEAVE)
    _student(masters, intake=2025, enrolled_on=dt.date(2025, 10, 4))
    made = intake_enrol(programme=masters, intake=2023, cohort=cohort, user=coordinator)
    assert {e.person_id for e in made} == {s.person_id for s in enrolled}
    assert not cohort.enrolments.filter(person=away.person).exists()
    with pytest.raises(ValidationError, match="already in cohort"):
        intake_enrol(programme=masters, intake=2023, cohort=cohort, user=coordinator)
    # Over the capacity: all or nothing.
    more = [_student(masters) for _ in range(2)]
    with pytest.raises(ValidationError, match="free seat"):
        intake_enrol(programme=masters, intake=2023, cohort=cohort, user=coordinator)
    assert not cohort.enrolments.filter(person__in=[s.person for s in more]).exists()
    # A cohort of another programme's course.
    other = CohortFactory(course=CourseFactory(institution=masters.institution))
    with pytest.raises(ValidationError, match="not a cohort of this programme"):
        intake_enrol(programme=masters, intake=2023, cohort=other, user=coordinator)


def test_degree_courses_stay_out_of_coverage_and_cascade(
    masters, degree_courses, institution, office, trainer_person
):
    """A Master's student who completes a degree course is not "trained" on the coverage
    dashboard, and the lecturer is not a link of the training cascade."""
    person = PersonFactory(organisation=office)
    _student(masters, person)
    enrolment = _completed(degree_courses[0], person)
    Cohort.objects.filter(pk=enrolment.cohort_id).update(lead_trainer=trainer_person)
    coverage = coverage_compute(
        institution_ids=frozenset({institution.pk}), filters=CoverageFilters()
    )
    assert coverage.people == 0
    assert coverage.trainers == 0
    assert coverage.years == []
    graph = cascade_graph(institution_ids=[institution.pk])
    assert graph.forest().people_reached == 0
    # The same completion in a short course counts.
    _completed(CourseFactory(institution=institution), person)
    coverage = coverage_compute(
        institution_ids=frozenset({institution.pk}), filters=CoverageFilters()
    )
    assert coverage.people == 1


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def students(masters, degree_courses, office):
    made = [
        _student(
            masters,
            PersonFactory(organisation=office, name_latin=f"Student {n}"),
            employer=office,
        )
        for n in range(3)
    ]
    made.append(
        _student(
            masters,
            PersonFactory(organisation=office, name_latin="Graduate One"),
            status=StudentStatus.GRADUATED,
            completed_on=dt.date(2025, 12, 19),
            thesis_title="Teacher deployment in Ratanakiri",
        )
    )
    made.append(
        _student(
            masters,
            PersonFactory(organisation=office, name_latin="Newcomer Two"),
            intake=2025,
            enrolled_on=dt.date(2025, 10, 4),
        )
    )
    _completed(degree_courses[0], made[0].person)
    return made


def test_the_programme_page_lists_students_by_intake(client_for, coordinator, masters, students):
    url = reverse("training:programme-detail", args=[masters.pk])
    html = client_for(coordinator).get(url).content.decode()
    assert "Educational policy" in html
    assert "5 students" in html
    assert "Intake 2023" in html
    assert "Intake 2025" in html
    assert "Teacher deployment in Ratanakiri" in html
    assert "1 / 2" in html  # Student 0 completed one of the two courses
    assert reverse("training:student-create", args=[masters.pk]) in html
    graduated = client_for(coordinator).get(url, {"status": "graduated"}).content.decode()
    assert "Graduate One" in graduated
    assert "Student 1" not in graduated
    newest = client_for(coordinator).get(url, {"intake": "2025"}).content.decode()
    assert "Newcomer Two" in newest
    assert "Graduate One" not in newest


def test_staff_read_and_coordinators_manage(
    client_for, trainer, participant, masters, students, degree_courses
):
    student = students[0]
    detail = reverse("training:student-detail", args=[masters.pk, student.pk])
    page = reverse("training:programme-detail", args=[masters.pk])
    client = client_for(trainer)
    html = client.get(page).content.decode()
    assert "Student 0" in html
    assert reverse("training:student-create", args=[masters.pk]) not in html
    assert client.get(detail).status_code == 200
    for url in [
        reverse("training:student-create", args=[masters.pk]),
        reverse("training:student-edit", args=[masters.pk, student.pk]),
        reverse("training:intake-enrol", args=[masters.pk, 2023]),
    ]:
        assert client.get(url).status_code == 403, url
    # Participants see the programme and its courses, not its students.
    client = client_for(participant)
    html = client.get(page).content.decode()
    assert "Educational policy" in html
    assert "Student 0" not in html
    assert client.get(detail).status_code == 404


def test_outsiders_get_404(client_for, outsider, specialist, masters, students):
    student = students[0]
    urls = [
        reverse("training:programme-detail", args=[masters.pk]),
        reverse("training:student-detail", args=[masters.pk, student.pk]),
        reverse("training:student-create", args=[masters.pk]),
        reverse("training:student-edit", args=[masters.pk, student.pk]),
        reverse("training:intake-enrol", args=[masters.pk, 2023]),
    ]
    client = client_for(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The partner's programme specialist reads, and changes nothing.
    client = client_for(specialist)
    assert client.get(urls[1]).status_code == 200
    assert client.get(urls[3]).status_code == 403


def test_a_student_of_another_programme_is_404(client_for, coordinator, masters, students):
    doctorate = ProgrammeFactory(institution=masters.institution, kind=ProgrammeKind.DOCTORATE)
    url = reverse("training:student-detail", args=[doctorate.pk, students[0].pk])
    assert client_for(coordinator).get(url).status_code == 404


def test_the_student_page_shows_courses_and_progress(client_for, coordinator, masters, students):
    url = reverse("training:student-detail", args=[masters.pk, students[0].pk])
    html = client_for(coordinator).get(url).content.decode()
    assert "1 of 2 courses completed" in html
    assert "3 of 6 credits" in html
    assert "72.5 %" in html  # the closed result
    assert "Not taken yet" in html


def test_add_a_student_from_the_directory(client_for, coordinator, masters, office):
    person = PersonFactory(organisation=office, name_latin="Chan Sophea")
    client = client_for(coordinator)
    url = reverse("training:student-create", args=[masters.pk])
    found = client.get(url, {"q": "Sophea"}).content.decode()
    assert f"?person={person.pk}" in found
    form = client.get(url, {"person": person.pk}).content.decode()
    assert "New student: Chan Sophea" in form
    response = client.post(
        url,
        {
            "person": person.pk,
            "intake": 2025,
            "status": "enrolled",
            "enrolled_on": "2025-10-04",
            "employer": office.pk,
            "thesis_title": "",
        },
    )
    student = ProgrammeStudent.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == reverse("training:student-detail", args=[masters.pk, student.pk])
    assert student.history.get().history_user == coordinator


def _post_student(client, masters, person, **changes):
    data = {"person": person.pk, "intake": 2023, "status": "enrolled", "enrolled_on": "2023-10-07"}
    data.update(changes)
    return client.post(reverse("training:student-create", args=[masters.pk]), data)


def test_form_errors_are_clear_and_save_nothing(
    client_for, coordinator, admin_user, masters, office
):
    person = PersonFactory(organisation=office, name_latin="Ly Navy")
    _student(masters, person, intake=2023)
    client = client_for(coordinator)
    response = _post_student(client, masters, person)
    assert response.status_code == 400
    assert "Ly Navy is already a student of this programme in the 2023 intake." in (
        response.content.decode()
    )
    other = PersonFactory(organisation=office)
    response = _post_student(client, masters, other, expected_completion="2021-06-30")
    assert response.status_code == 400
    assert "Completion cannot come before the intake" in response.content.decode()
    assert not ProgrammeStudent.objects.filter(person=other).exists()
    # A person of another country: only someone who sees every country could pick them.
    elsewhere = PersonFactory(
        name_latin="Vongsa Phet",
        organisation=OrganisationFactory(
            country=CountryFactory(iso_code="LAO", name_en="Laos"), name_en="Vientiane office"
        ),
    )
    response = _post_student(client, masters, elsewhere)
    assert "This person is not in the directory you can see." in response.content.decode()
    response = _post_student(client_for(admin_user), masters, elsewhere)
    assert response.status_code == 400
    assert "Vongsa Phet works in another country" in response.content.decode()
    assert not ProgrammeStudent.objects.filter(person=elsewhere).exists()


def test_edit_a_student(client_for, coordinator, masters, students):
    student = students[1]
    url = reverse("training:student-edit", args=[masters.pk, student.pk])
    client = client_for(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "intake": 2023,
            "status": "withdrawn",
            "enrolled_on": "2023-10-07",
            "status_since": "2024-09-30",
            "employer": student.employer_id,
        },
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.status, student.status_since) == ("withdrawn", dt.date(2024, 9, 30))
    assert student.person.name_latin == "Student 1"


def test_enrol_an_intake_from_the_page(client_for, coordinator, masters, students, degree_courses):
    cohort = CohortFactory(course=degree_courses[1], code="med-2023-finance", status="planned")
    url = reverse("training:intake-enrol", args=[masters.pk, 2023])
    client = client_for(coordinator)
    assert "med-2023-finance" in client.get(url).content.decode()
    response = client.post(url, {"cohort": cohort.pk})
    assert response.status_code == 302
    # The three enrolled students of 2023; not the graduate, not the 2025 intake.
    assert cohort.enrolments.filter(status=EnrolmentStatus.ACCEPTED).count() == 3
    assert client.get(reverse("training:intake-enrol", args=[masters.pk, 2019])).status_code == 404


def test_programme_page_queries_do_not_grow_with_students(
    client_for, coordinator, masters, degree_courses, office, django_assert_max_num_queries
):
    def add(count, intake):
        for _ in range(count):
            student = _student(masters, PersonFactory(organisation=office), intake=intake)
            _completed(degree_courses[0], student.person, start=dt.date(intake, 10, 7))

    client = client_for(coordinator)
    url = reverse("training:programme-detail", args=[masters.pk])
    add(3, 2023)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(30, 2023)
    add(10, 2025)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "43 students" in html
    assert len(few.captured_queries) <= 15


def test_student_page_queries_are_bounded(
    client_for, coordinator, masters, degree_courses, django_assert_max_num_queries
):
    student = _student(masters)
    for course in degree_courses:
        _completed(course, student.person)
    url = reverse("training:student-detail", args=[masters.pk, student.pk])
    client = client_for(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    def caller(user):
        _token, raw = ApiToken.issue(user, "tests")
        headers = {"Authorization": f"Bearer {raw}"}
        return lambda path, **params: client.get(f"/api/training{path}", params, headers=headers)

    return caller


def test_api_lists_and_details_students(api, coordinator, trainer, masters, students):
    get = api(coordinator)
    listing = get(f"/programmes/{masters.pk}/students/").json()
    assert listing["count"] == 5
    first = listing["items"][0]
    assert first["intake"] == 2025
    assert first["person_name"] == "Newcomer Two"
    assert {i["status"] for i in listing["items"]} == {"enrolled", "graduated"}
    graduates = get(f"/programmes/{masters.pk}/students/", status="graduated").json()
    assert [i["thesis_title"] for i in graduates["items"]] == ["Teacher deployment in Ratanakiri"]
    assert get(f"/programmes/{masters.pk}/students/", intake=2025).json()["count"] == 1
    detail = get(f"/programmes/{masters.pk}/students/{students[0].pk}/").json()
    assert (detail["courses_completed"], detail["courses_required"]) == (1, 2)
    states = {c["course_code"]: c["state"] for c in detail["courses"]}
    assert states == {"med-policy": "completed", "med-finance": "not_taken"}
    assert api(trainer)(f"/programmes/{masters.pk}/students/").status_code == 200


def test_api_hides_students_from_others(api, outsider, participant, masters, students):
    for user in (outsider, participant):
        get = api(user)
        assert get(f"/programmes/{masters.pk}/students/").status_code == 404
        assert get(f"/programmes/{masters.pk}/students/{students[0].pk}/").status_code == 404


def test_api_list_queries_do_not_grow(
    api, coordinator, masters, degree_courses, office, django_assert_max_num_queries
):
    get = api(coordinator)
    path = f"/programmes/{masters.pk}/students/"
    for _ in range(3):
        _student(masters, PersonFactory(organisation=office))
    with CaptureQueriesContext(connection) as few:
        assert get(path).status_code == 200
    for _ in range(20):
        student = _student(masters, PersonFactory(organisation=office))
        _completed(degree_courses[0], student.person)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        # +1: a page that is not the last one counts its rows.
        assert get(path, limit=10).json()["count"] == 23


def test_api_schema_has_the_student_endpoints(client, coordinator):
    client.force_login(coordinator)
    schema = json.loads(client.get("/api/openapi.json").content)
    paths = schema["paths"]
    assert "/api/training/programmes/{programme_id}/students/" in paths
    assert "/api/training/programmes/{programme_id}/students/{student_id}/" in paths
    assert "StudentDetail" in schema["components"]["schemas"]


def test_enrolments_of_the_intake_use_the_cohort_machinery(masters, degree_courses, coordinator):
    """Marks, attendance and results of a degree course are the cohort's (no parallel
    system): closing the cohort gives the student their result."""
    from plancampus.training.services.results import cohort_close

    course = degree_courses[0]
    student = _student(masters)
    cohort = CohortFactory(
        course=course,
        start_date=timezone.localdate() - dt.timedelta(days=10),
        end_date=timezone.localdate() - dt.timedelta(days=1),
        status=CohortStatus.RUNNING,
    )
    (enrolment,) = intake_enrol(programme=masters, intake=2023, cohort=cohort, user=coordinator)
    MarkFactory(enrolment=enrolment, modality=course.modalities.get(), value=Decimal(16))
    cohort_close(cohort=cohort, user=coordinator)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    # No session was planned: attendance cannot reach the minimum, so not completed.
    assert enrolment.result_status == ResultStatus.NOT_COMPLETED
    results, _progress = student_courses(student=student, courses=programme_courses(masters))
    assert results[1].course == course or results[0].course == course
    assert {r.state for r in results} == {"not_completed", "not_taken"}

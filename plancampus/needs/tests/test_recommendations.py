"""Recommendations: courses whose outcomes address the top gaps, and who should take them."""

import pytest
from django.urls import reverse

from plancampus.needs.services.recommendations import recommendations_for
from plancampus.training.models import OutcomeCompetency
from plancampus.training.tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    LearningOutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(answered, institution):
    """A current course with an outcome on sector plan preparation (aims at level 4)."""
    course = CourseFactory(institution=institution, title_en="Preparing the provincial plan")
    outcome = LearningOutcomeFactory(course=course)
    competency = answered.framework.competencies.get(code="sector_plan_preparation")
    OutcomeCompetency.objects.create(outcome=outcome, competency=competency, target_level=4)
    return course


def test_course_on_a_top_gap_with_the_people_below_the_required_level(answered, course):
    result = recommendations_for(answered)
    assert [r.course for r in result.courses] == [course]
    recommendation = result.courses[0]
    assert [n.competency.code for n in recommendation.needs] == ["sector_plan_preparation"]
    # Sok Dara (gap 3), Chan Thida (gap 2), the director (requires 3, is at 2: gap 1).
    names = [c.person_id for c in recommendation.candidates]
    people = answered.respondents.filter(person_id__in=names).values_list(
        "person__name_latin", flat=True
    )
    assert sorted(people) == ["Chan Thida", "Keo Vannak", "Sok Dara"]
    assert [c.gap for c in recommendation.candidates] == [3, 2, 1]
    uncovered = {n.competency.code for n in result.uncovered}
    assert "teacher_management" in uncovered
    assert "sector_plan_preparation" not in uncovered


def people(answered):
    return {r.person.name_latin: r.person for r in answered.respondents.select_related("person")}


def test_people_who_completed_the_course_are_left_out(answered, course):
    sok = people(answered)["Sok Dara"]
    EnrolmentFactory(cohort=CohortFactory(course=course), person=sok, result_status="completed")
    recommendation = recommendations_for(answered).courses[0]
    assert [c.person_id for c in recommendation.candidates] != []
    assert sok.pk not in [c.person_id for c in recommendation.candidates]
    assert [c.person_id for c in recommendation.already_completed] == [sok.pk]
    assert recommendation.already_enrolled == []


def test_people_enrolled_in_the_course_are_shown_apart(answered, course, institution):
    """Nominated, accepted or waiting in a cohort that runs, no result yet: already enrolled.
    Withdrawn, not accepted, failed, or in a cancelled cohort: should take it (again)."""
    named = people(answered)
    cohort = CohortFactory(course=course)
    EnrolmentFactory(cohort=cohort, person=named["Sok Dara"], status="accepted")
    EnrolmentFactory(cohort=cohort, person=named["Chan Thida"], status="waiting")
    EnrolmentFactory(cohort=cohort, person=named["Keo Vannak"], status="withdrawn")
    recommendation = recommendations_for(answered).courses[0]
    enrolled = {c.person_id: c for c in recommendation.already_enrolled}
    assert set(enrolled) == {named["Sok Dara"].pk, named["Chan Thida"].pk}
    assert enrolled[named["Chan Thida"].pk].enrolment_status == "waiting"
    assert enrolled[named["Chan Thida"].pk].enrolment_status_label == "Waiting list"
    assert enrolled[named["Sok Dara"].pk].cohort_code == cohort.code
    assert [c.person_id for c in recommendation.candidates] == [named["Keo Vannak"].pk]
    assert recommendation.already_completed == []


def test_a_failed_or_cancelled_enrolment_does_not_count(answered, course):
    named = people(answered)
    EnrolmentFactory(
        cohort=CohortFactory(course=course, status="completed"),
        person=named["Sok Dara"],
        result_status="not_completed",
    )
    EnrolmentFactory(
        cohort=CohortFactory(course=course, status="cancelled"), person=named["Chan Thida"]
    )
    recommendation = recommendations_for(answered).courses[0]
    assert len(recommendation.candidates) == 3
    assert recommendation.already_enrolled == recommendation.already_completed == []


def test_completion_wins_over_a_new_enrolment(answered, course):
    """Completed an earlier version (same course code), enrolled again in a newer one."""
    sok = people(answered)["Sok Dara"]
    earlier = CourseFactory(
        institution=course.institution, code=course.code, version=0, is_current=False
    )
    EnrolmentFactory(
        cohort=CohortFactory(course=earlier, status="completed"),
        person=sok,
        result_status="completed",
    )
    EnrolmentFactory(cohort=CohortFactory(course=course), person=sok)
    recommendation = recommendations_for(answered).courses[0]
    assert [c.person_id for c in recommendation.already_completed] == [sok.pk]
    assert recommendation.already_enrolled == []


def test_another_institution_s_cohorts_do_not_count(answered, course, outsider):
    from plancampus.core.models import Membership

    elsewhere = Membership.objects.get(user=outsider).institution
    other_course = CourseFactory(institution=elsewhere, code=course.code)
    sok = people(answered)["Sok Dara"]
    EnrolmentFactory(cohort=CohortFactory(course=other_course), person=sok)
    recommendation = recommendations_for(answered).courses[0]
    assert sok.pk in [c.person_id for c in recommendation.candidates]


def test_recommendations_page_and_nomination_list(
    client_for, coordinator, outsider, answered, course
):
    client = client_for(coordinator)
    page = client.get(reverse("needs-recommendations", args=[answered.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Preparing the provincial plan" in text
    assert "Sok Dara" in text
    assert "input to course design" in text
    csv = client.get(reverse("needs-recommendation-people", args=[answered.pk, course.pk]))
    assert csv.status_code == 200
    assert "Sok Dara" in csv.content.decode("utf-8-sig")
    client.logout()
    client = client_for(outsider)
    assert client.get(reverse("needs-recommendations", args=[answered.pk])).status_code == 404
    url = reverse("needs-recommendation-people", args=[answered.pk, course.pk])
    assert client.get(url).status_code == 404


def test_recommendations_page_shows_who_is_already_on_the_course(
    client_for, coordinator, answered, course
):
    named = people(answered)
    cohort = CohortFactory(course=course, code="plan-2026-a")
    EnrolmentFactory(cohort=cohort, person=named["Sok Dara"], status="nominated")
    EnrolmentFactory(
        cohort=CohortFactory(course=course, status="completed"),
        person=named["Chan Thida"],
        result_status="completed",
    )
    client = client_for(coordinator)
    text = client.get(reverse("needs-recommendations", args=[answered.pk])).content.decode()
    assert "1 person should take it" in text
    on_course = text[text.index(f'id="on-course-{course.pk}"') :]
    assert "already enrolled: 1" in on_course
    assert "already completed: 1" in on_course
    assert "plan-2026-a</code>, Nominated" in on_course
    assert "Chan Thida" in on_course
    # The nomination list has only those who should take it.
    csv = client.get(reverse("needs-recommendation-people", args=[answered.pk, course.pk]))
    rows = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 2
    assert "Keo Vannak" in rows[1]


def page_queries(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_recommendations_page_queries(
    client_for, coordinator, answered, course, django_assert_max_num_queries
):
    """Bounded, and the same whether one course or several, with or without enrolments."""
    from django.core.cache import cache

    url = reverse("needs-recommendations", args=[answered.pk])
    cache.clear()
    client = client_for(coordinator)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    one_course = page_queries(client, url)
    named = people(answered)
    competencies = answered.framework.competencies
    for code in ("data_analysis_reporting", "teacher_management", "sector_plan_preparation"):
        more = CourseFactory(institution=course.institution)
        OutcomeCompetency.objects.create(
            outcome=LearningOutcomeFactory(course=more),
            competency=competencies.get(code=code),
            target_level=4,
        )
        cohort = CohortFactory(course=more)
        EnrolmentFactory(cohort=cohort, person=named["Sok Dara"])
        EnrolmentFactory(cohort=cohort, person=named["Chan Thida"], result_status="completed")
    EnrolmentFactory(cohort=CohortFactory(course=course), person=named["Keo Vannak"])
    several = page_queries(client, url)
    assert len(recommendations_for(answered).courses) == 4
    assert several == one_course
    assert several <= 25

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


def test_people_who_completed_the_course_are_left_out(answered, course):
    sok = answered.respondents.get(person__name_latin="Sok Dara").person
    EnrolmentFactory(cohort=CohortFactory(course=course), person=sok, result_status="completed")
    recommendation = recommendations_for(answered).courses[0]
    assert [c.person_id for c in recommendation.candidates] != []
    assert sok.pk not in [c.person_id for c in recommendation.candidates]
    assert recommendation.already_trained == 1


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


def test_recommendations_page_queries(
    client_for, coordinator, answered, course, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    client = client_for(coordinator)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("needs-recommendations", args=[answered.pk])).status_code == 200

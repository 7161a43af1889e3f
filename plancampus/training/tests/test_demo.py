"""The training demo: idempotent, synthetic, and shaped like the reference story (25/25
provincial offices covered, about 225 people trained, about 20 ATP alumni)."""

from __future__ import annotations

import pytest

from plancampus.core.models import Organisation, Person
from plancampus.core.services.demo import demo_load as core_demo_load
from plancampus.reports.services.coverage import CoverageFilters, coverage_compute
from plancampus.training.models import (
    Attendance,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    ExternalParticipation,
    Mark,
    ProgrammeStudent,
    ResultStatus,
    Session,
    StudentStatus,
    TrainerProfile,
)
from plancampus.training.services.cascade import cascade_graph
from plancampus.training.services.demo import PARTICIPANT_ID, TRAINER_ID, demo_load

pytestmark = pytest.mark.xdist_group("training-demo")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The core demo and the training demo, loaded once for the module."""
    with django_db_blocker.unblock():
        core_demo_load()
        lines = demo_load()
    yield lines
    with django_db_blocker.unblock():
        # Leave the database as the other tests expect it.
        from django.core.management import call_command

        call_command("flush", "--no-input", verbosity=0)


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Cohort,
            Session,
            Enrolment,
            Attendance,
            Mark,
            ExternalParticipation,
            TrainerProfile,
            Person,
            ProgrammeStudent,
        )
    }


@pytest.mark.django_db
def test_demo_shape_follows_the_reference_story(demo):
    nie = Organisation.objects.get(code="NIE")
    coverage = coverage_compute(institution_ids=frozenset({nie.pk}), filters=CoverageFilters())
    poe = {o.kind: o for o in coverage.offices}["provincial_office"]
    assert (poe.covered, poe.total) == (25, 25)
    assert 200 <= coverage.people <= 250
    kinds = {bar.key: bar.count for bar in coverage.by_kind}
    assert 200 <= kinds["provincial_office"] <= 250
    assert all(bar.count >= 5 for bar in coverage.by_province)
    programmes = {p.programme.code: p for p in coverage.programmes}
    assert 18 <= programmes["iiep-atp"].alumni <= 22
    assert 18 <= programmes["iiep-atp"].alumni_trainers <= 22
    assert 50 <= programmes["iiep-scp"].participants <= 60
    assert coverage.all_synthetic
    assert "25/25 provincial offices covered" in " ".join(demo)


@pytest.mark.django_db
def test_completion_follows_the_rules(demo):
    closed = Enrolment.objects.filter(cohort__closed_at__isnull=False)
    completed = closed.filter(result_status=ResultStatus.COMPLETED)
    not_completed = closed.filter(result_status=ResultStatus.NOT_COMPLETED)
    assert not_completed.exists()
    assert completed.count() > 10 * not_completed.count()
    for enrolment in completed.select_related("cohort__course")[:200]:
        course = enrolment.cohort.course
        assert enrolment.attendance_rate >= course.min_attendance_percent
        assert enrolment.final_mark >= course.pass_mark
    for enrolment in not_completed.select_related("cohort__course"):
        course = enrolment.cohort.course
        assert (
            enrolment.attendance_rate < course.min_attendance_percent
            or enrolment.final_mark < course.pass_mark
        )


@pytest.mark.django_db
def test_every_training_record_is_synthetic(demo):
    assert not Cohort.objects.filter(is_synthetic=False).exists()
    assert not Enrolment.objects.filter(is_synthetic=False).exists()
    assert not ExternalParticipation.objects.filter(is_synthetic=False).exists()
    assert not TrainerProfile.objects.filter(is_synthetic=False).exists()
    assert not Person.objects.filter(enrolments__isnull=False, is_synthetic=False).exists()


@pytest.mark.django_db
def test_demo_accounts_have_their_cohorts(demo):
    trainer = Person.objects.get(external_id=TRAINER_ID)
    led = Cohort.objects.filter(lead_trainer=trainer)
    assert led.count() >= 4
    assert led.filter(status=CohortStatus.RUNNING, sessions__attendances__isnull=False).exists()
    participant = Person.objects.get(external_id=PARTICIPANT_ID)
    enrolments = Enrolment.objects.filter(person=participant)
    assert enrolments.filter(result_status=ResultStatus.COMPLETED).count() == 1
    open_one = enrolments.get(cohort__status=CohortStatus.NOMINATIONS_OPEN)
    assert open_one.status == EnrolmentStatus.ACCEPTED
    assert open_one.cohort.nominations_are_open()


@pytest.mark.django_db
def test_the_cascade_reaches_district_offices(demo):
    nie = Organisation.objects.get(code="NIE")
    graph = cascade_graph(institution_ids=[nie.pk])
    forest = graph.forest()
    assert len(forest.roots) == 4  # the senior trainers (ATP alumni)
    assert forest.depth == 3  # NIE trainers → provincial staff → district staff
    trainer = Person.objects.get(external_id=TRAINER_ID)
    tree = graph.subtree(trainer.pk)
    provincial_trainers = [c for c in tree.roots[0].children if c.via_training_of_trainers]
    assert len(provincial_trainers) >= 4
    assert tree.depth == 2
    assert [p.name_latin for p in graph.trained_by(trainer.pk)]


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo):
    before = _counts()
    again = demo_load()
    assert _counts() == before
    assert "(0 new)" in " ".join(again)


@pytest.mark.django_db
def test_degree_programmes_have_courses_and_students(demo):
    """The Master's and the Doctorate: courses taught in cohorts per intake, students with
    theses and supervisors; synthetic, and not counted as people trained."""
    masters = ProgrammeStudent.objects.filter(programme__code="med-educational-administration")
    by_intake = masters.counts_by_intake()
    assert sorted(by_intake) == [2023, 2025]
    assert all(15 <= sum(counts.values()) <= 20 for counts in by_intake.values())
    assert by_intake[2023][StudentStatus.GRADUATED] >= 10
    graduates = masters.filter(status=StudentStatus.GRADUATED)
    assert not graduates.filter(thesis_title="").exists()
    assert not graduates.filter(supervisor=None).exists()
    assert not graduates.filter(completed_on=None).exists()
    doctorate = ProgrammeStudent.objects.filter(programme__code="phd-educational-administration")
    assert doctorate.count() == 5
    assert not doctorate.filter(thesis_title="").exists()
    assert not doctorate.filter(supervisor=None).exists()
    assert not ProgrammeStudent.objects.filter(is_synthetic=False).exists()
    # Each course of the Master's has a cohort per intake, its students enrolled.
    courses = Cohort.objects.filter(course__programme__code="med-educational-administration")
    assert courses.values("course__code").distinct().count() == 6
    assert courses.filter(code__startswith="med-2023-").count() == 6
    assert courses.filter(code__startswith="med-2025-").count() == 6
    graduate = graduates.first()
    completed = Enrolment.objects.filter(
        person=graduate.person,
        cohort__code__startswith="med-2023-",
        result_status=ResultStatus.COMPLETED,
    )
    assert completed.count() == 6
    assert "Master's in educational administration: 6 courses" in " ".join(demo)

"""Demo records of NIE's degree programmes: the Master's and the Doctorate in educational
administration, with their courses and students (synthetic, ``is_synthetic=True``).

- The Master's has six courses, taught on Saturdays, one cohort per course and intake; two
  intakes (2023 and 2025). Most of the 2023 intake graduated at the end of 2025 with a thesis;
  a few are still writing, one is on leave, two withdrew. The 2025 intake is half-way through
  its courses (whatever is past on the day the demo is loaded is closed, with results).
- The Doctorate has three courses and five candidates (intakes 2022 and 2024), each with a
  dissertation and a supervisor among NIE's senior staff; one has graduated.

The students are synthetic staff of the ministry's planning department and of the provincial
offices (the people of the core demo, with their Khmer names); lecturers and supervisors
are NIE's synthetic staff. The courses of degree programmes are left out of the coverage
dashboard and of the cascade, so the figures of the reference story do not move.

Idempotent: courses are matched on their code, cohorts on theirs, and an intake that has
students is left as it is. Random choices use fixed seeds.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plancampus.core.models import Organisation, OrganisationKind, Person

from ..models import (
    AssessmentModality,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    Course,
    CourseMode,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Programme,
    ProgrammeStudent,
    Session,
    StudentStatus,
)
from .demo_degrees_data import COURSES, DISSERTATIONS, DOCTORATE, MASTERS, MASTERS_THESES
from .results import cohort_close

SEED = 20231007
SESSION_MINUTES = 180  # Saturday mornings, 8:00 to 11:00
GAP_WEEKS = 2
# People of the core demo who have demo accounts: their pages tell another story.
ACCOUNT_PEOPLE = {"DEMO-POE17-PLANNER", "DEMO-POE17-FOCAL", "DEMO-DOP-ME"}


@dataclass
class Fate:
    """What happens to a student: which courses they take, whether they fail one, and how
    their studies end."""

    courses: int  # how many of the programme's courses (in order) they take
    status: str = StudentStatus.ENROLLED
    status_since: dt.date | None = None
    completed_on: dt.date | None = None
    expected_completion: dt.date | None = None
    thesis: bool = True
    fail_marks: set[int] = field(default_factory=set)  # course indexes
    fail_attendance: set[int] = field(default_factory=set)


@dataclass
class Intake:
    programme: str
    year: int
    first_day: dt.date  # a Saturday
    fates: list[Fate]
    ministry: int = 0  # how many students come from the ministry's planning department


def _masters_2023() -> list[Fate]:
    graduated = dt.date(2025, 12, 19)
    expected = dt.date(2025, 12, 31)
    later = dt.date(2027, 6, 30)
    fates = [
        Fate(
            6,
            StudentStatus.GRADUATED,
            graduated,
            completed_on=graduated,
            expected_completion=expected,
        )
        for _ in range(12)
    ]
    fates += [
        Fate(6, expected_completion=later, fail_marks={5}),  # failed the thesis seminar
        Fate(6, expected_completion=later),  # still writing
        Fate(6, expected_completion=later),
        Fate(
            5, StudentStatus.ON_LEAVE, dt.date(2025, 5, 12), expected_completion=later, thesis=False
        ),
        Fate(1, StudentStatus.WITHDRAWN, dt.date(2024, 1, 26), thesis=False),
        Fate(3, StudentStatus.WITHDRAWN, dt.date(2024, 9, 30), thesis=False, fail_attendance={2}),
    ]
    return fates


def _masters_2025() -> list[Fate]:
    expected = dt.date(2027, 12, 31)
    fates = [Fate(6, expected_completion=expected, thesis=False) for _ in range(15)]
    fates[3].fail_marks = {1}
    fates.append(Fate(1, StudentStatus.WITHDRAWN, dt.date(2026, 1, 24), thesis=False))
    return fates


INTAKES = [
    Intake(MASTERS, 2023, dt.date(2023, 10, 7), _masters_2023(), ministry=3),
    Intake(MASTERS, 2025, dt.date(2025, 10, 4), _masters_2025(), ministry=2),
    Intake(
        DOCTORATE,
        2022,
        dt.date(2022, 10, 8),
        [
            Fate(
                3,
                StudentStatus.GRADUATED,
                dt.date(2026, 6, 26),
                completed_on=dt.date(2026, 6, 26),
                expected_completion=dt.date(2026, 9, 30),
            ),
            Fate(3, expected_completion=dt.date(2027, 9, 30)),
            Fate(3, expected_completion=dt.date(2027, 9, 30)),
        ],
        ministry=1,
    ),
    Intake(
        DOCTORATE,
        2024,
        dt.date(2024, 10, 5),
        [
            Fate(3, expected_completion=dt.date(2028, 9, 30)),
            Fate(3, expected_completion=dt.date(2028, 9, 30)),
        ],
        ministry=1,
    ),
]


def _courses(nie: Organisation, programme: Programme) -> list[Course]:
    found = []
    for code, (en, fr, km), hours, credits, modalities in COURSES[programme.code]:
        course = Course.objects.filter(institution=nie, code=code, is_current=True).first()
        if course is None:
            course = Course(
                institution=nie,
                programme=programme,
                code=code,
                title_en=en,
                title_fr=fr,
                title_km=km,
                hours=Decimal(hours),
                credits=Decimal(credits),
                mode=CourseMode.IN_PERSON,
                delivery_languages=["km", "en"],
                target_audience=f"Students of the {programme.name_en}",
                is_synthetic=True,
            )
            course.full_clean(validate_constraints=False, validate_unique=False)
            course.save()
            AssessmentModality.objects.bulk_create(
                AssessmentModality(
                    course=course,
                    order=order,
                    name_en=m_en,
                    name_fr=m_fr,
                    name_km=m_km,
                    weight=Decimal(weight),
                    max_mark=Decimal(20),
                )
                for order, (m_en, m_fr, m_km, weight) in enumerate(modalities, start=1)
            )
        found.append(course)
    return found


def _candidates() -> dict[tuple[str, str], list[Person]]:
    """Synthetic staff who may study, by (programme, "ministry" or "office"): planners of the
    provincial offices and of the ministry's planning department for the Master's; the
    deputy directors of the offices and the department's heads for the Doctorate."""
    people = Person.objects.filter(is_synthetic=True).exclude(external_id__in=ACCOUNT_PEOPLE)
    office = people.filter(organisation__kind=OrganisationKind.PROVINCIAL_OFFICE)
    ministry = people.filter(organisation__code="MOEYS-DOP")
    planners = [
        "Planning officer",
        "Statistics officer",
        "Chief of planning office",
        "Finance officer",
        "Primary education officer",
    ]
    return {
        (MASTERS, "office"): list(office.filter(position__in=planners).order_by("external_id")),
        (MASTERS, "ministry"): list(
            ministry.filter(position="Planning officer").order_by("external_id")
        ),
        (DOCTORATE, "office"): list(
            office.filter(position="Deputy director").order_by("external_id")
        ),
        (DOCTORATE, "ministry"): list(
            ministry.filter(position__in=["Director", "Deputy director"]).order_by("external_id")
        ),
    }


def _saturdays(first_day: dt.date, count: int) -> list[dt.date]:
    return [first_day + dt.timedelta(weeks=week) for week in range(count)]


def _cohort(
    *,
    course: Course,
    code: str,
    days: list[dt.date],
    lead: Person,
    students: list[Person],
    fates: list[Fate],
    index: int,
    rng: random.Random,
) -> Cohort:
    """One course's cohort for an intake: Saturday sessions, the students accepted, their
    attendance of the sessions held so far and, once it is over, marks and closed results."""
    today = timezone.localdate()
    now = timezone.now()
    status = CohortStatus.PLANNED if days[0] > today else CohortStatus.RUNNING
    cohort = Cohort(
        institution=course.institution,
        course=course,
        code=code,
        start_date=days[0],
        end_date=days[-1],
        venue="National Institute of Education, Phnom Penh",
        capacity=max(25, len(students)),
        language="km",
        lead_trainer=lead,
        status=status,
        is_synthetic=True,
    )
    cohort.full_clean()
    cohort.save()
    accepted_at = timezone.make_aware(
        dt.datetime.combine(days[0] - dt.timedelta(days=14), dt.time(9, 0))
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            cohort=cohort,
            person=person,
            status=EnrolmentStatus.ACCEPTED,
            nominated_at=accepted_at,
            enrolled_at=accepted_at,
            is_synthetic=True,
        )
        for person in students
    )
    sessions = _sessions(cohort, days)
    held = [s for s in sessions if s.starts_at <= now]
    enrolments = {e.person_id: e for e in cohort.enrolments.all()}
    fate_of = {p.pk: f for p, f in zip(students, fates, strict=True)}
    attendance = []
    for person_id, enrolment in enrolments.items():
        fate = fate_of[person_id]
        misses: set[int] = set()
        if index in fate.fail_attendance and held:
            misses = set(rng.sample(range(len(held)), max(1, len(held) // 2)))
        elif len(held) > 5 and rng.random() < 0.3:
            misses = {rng.randrange(len(held))}
        for number, session in enumerate(held):
            if number in misses:
                mark = rng.choice([AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
            else:
                mark = AttendanceStatus.LATE if rng.random() < 0.05 else AttendanceStatus.PRESENT
            attendance.append(
                Attendance(
                    session=session, enrolment=enrolment, status=mark, marked_at=session.ends_at
                )
            )
    Attendance.objects.bulk_create(attendance)
    over = days[-1] < today
    modalities = list(course.modalities.all())
    if held:
        # A running course has the marks of its first assessment; a course that is over
        # has them all, and its results are closed.
        marks = []
        for person_id, enrolment in enrolments.items():
            failing = index in fate_of[person_id].fail_marks
            for modality in modalities if over else modalities[:1]:
                low, high = (5, 9) if failing else (11, 18)
                value = Decimal(rng.randint(low * 2, high * 2)) / 2 * modality.max_mark / 20
                marks.append(Mark(enrolment=enrolment, modality=modality, value=value))
        Mark.objects.bulk_create(marks)
    if over:
        cohort_close(cohort=cohort, user=None)
    return cohort


def _sessions(cohort: Cohort, days: list[dt.date]) -> list[Session]:
    return Session.objects.bulk_create(
        Session(
            cohort=cohort,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))),
            duration_minutes=SESSION_MINUTES,
            place=cohort.venue,
        )
        for day in days
    )


def _schedule(first_day: dt.date, courses: list[Course]) -> list[list[dt.date]]:
    """The Saturdays of each course, one course after the other with a short break."""
    days = []
    start = first_day
    for course in courses:
        count = math.ceil(float(course.hours) * 60 / SESSION_MINUTES)
        days.append(_saturdays(start, count))
        start = days[-1][-1] + dt.timedelta(weeks=GAP_WEEKS + 1)
    return days


def _students(
    intake: Intake,
    programme: Programme,
    people: list[Person],
    supervisors: list[Person],
    titles: list[str],
) -> list[ProgrammeStudent]:
    students = []
    for number, (person, fate) in enumerate(zip(people, intake.fates, strict=True)):
        student = ProgrammeStudent(
            programme=programme,
            person=person,
            intake=intake.year,
            status=fate.status,
            enrolled_on=intake.first_day,
            status_since=fate.status_since,
            expected_completion=fate.expected_completion,
            completed_on=fate.completed_on,
            employer_id=person.organisation_id,
            thesis_title=titles.pop(0) if fate.thesis and titles else "",
            supervisor=supervisors[number % len(supervisors)] if fate.thesis else None,
            is_synthetic=True,
        )
        students.append(student)
    return students


def degree_programmes_demo_load(
    *, nie: Organisation, programmes: dict[str, Programme], pool: list[Person]
) -> list[str]:
    """Courses, cohorts and students of the Master's and the Doctorate; returns lines to
    print. ``pool`` is NIE's synthetic staff (the demo trainer first)."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic data
    courses = {code: _courses(nie, programmes[code]) for code in (MASTERS, DOCTORATE)}
    candidates = _candidates()
    for people in candidates.values():
        rng.shuffle(people)
    lecturers = pool[1:9]
    supervisors = {MASTERS: pool[1:9], DOCTORATE: pool[1:5]}
    titles = {MASTERS: list(MASTERS_THESES), DOCTORATE: list(DISSERTATIONS)}
    existing_cohorts = set(Cohort.objects.filter(institution=nie).values_list("code", flat=True))
    taken = dict.fromkeys(candidates, 0)
    new_students = new_cohorts = 0
    for intake in INTAKES:
        programme = programmes[intake.programme]
        people = []
        for where, count in (("ministry", intake.ministry), ("office", len(intake.fates))):
            key = (intake.programme, where)
            wanted = count - len(people) if where == "office" else count
            people += candidates[key][taken[key] : taken[key] + wanted]
            taken[key] += wanted
        rng.shuffle(people)  # the ministry's staff among graduates and others alike
        students = _students(
            intake, programme, people, supervisors[intake.programme], titles[intake.programme]
        )
        if ProgrammeStudent.objects.filter(programme=programme, intake=intake.year).exists():
            continue  # loaded before, with its cohorts
        for student in students:
            student.full_clean()
        bulk_create_with_history(students, ProgrammeStudent)
        new_students += len(students)
        prefix = "med" if intake.programme == MASTERS else "phd"
        schedule = _schedule(intake.first_day, courses[intake.programme])
        for index, (course, days) in enumerate(
            zip(courses[intake.programme], schedule, strict=True)
        ):
            code = f"{prefix}-{intake.year}-{course.code.removeprefix(prefix + '-')}"
            if code in existing_cohorts:
                continue
            group = [
                (person, fate)
                for person, fate in zip(people, intake.fates, strict=True)
                if index < fate.courses
            ]
            _cohort(
                course=course,
                code=code,
                days=days,
                lead=lecturers[(index + intake.year) % len(lecturers)],
                students=[p for p, _fate in group],
                fates=[f for _p, f in group],
                index=index,
                rng=rng,
            )
            new_cohorts += 1
    counts = {
        code: ProgrammeStudent.objects.filter(programme=programmes[code]).counts_by_intake()
        for code in (MASTERS, DOCTORATE)
    }

    def describe(code: str) -> str:
        parts = []
        for year, by_status in sorted(counts[code].items()):
            graduated = by_status.get(StudentStatus.GRADUATED, 0)
            parts.append(
                f"{year}: {sum(by_status.values())} students, {graduated} graduated"
                if graduated
                else f"{year}: {sum(by_status.values())} students"
            )
        return "; ".join(parts)

    return [
        f"Master's in educational administration: {len(courses[MASTERS])} courses, intakes "
        f"{describe(MASTERS)}; Doctorate: {len(courses[DOCTORATE])} courses, intakes "
        f"{describe(DOCTORATE)} ({new_students} students and {new_cohorts} cohorts new; "
        "synthetic records, not counted in the coverage figures)"
    ]

"""Demo records of the training module, shaped like the reference story.

The story (real figures): over ten years NIE's own trainers were trained by IIEP (about 20
alumni of IIEP's Advanced Training Programme, about 55 participants of its Specialized
Courses Programme); NIE co-designed three tailor-made courses and trained about 225 managers
and technical staff of the 25 provincial offices of education — 100 % of them.

The records below reproduce that shape with **synthetic** people and training records (every
one ``is_synthetic=True``, shown as demo data): NIE's programmes; the three reference courses
(``reference_courses``) and the courses of its training of trainers; IIEP's three programmes
(real programmes) with synthetic participations of NIE's staff; two training-of-trainers
cohorts (2015, 2016) whose trainers then deliver the three courses to the provincial offices
from 2016 to 2025; and a cascade to a further level, where provincial staff trained as
trainers (2021) teach district staff. Sessions, attendance and marks are generated so that
each result follows the course's completion rules (``results.cohort_close`` computes them):
most participants complete, a few miss too many sessions or fail the assessment.

The Master's and the Doctorate in educational administration get their courses and students
(``demo_degrees``), left out of the coverage figures.

The demo trainer (Heng Piseth) leads cohorts, among them a running one whose attendance can
be marked today; the demo participant completed the fundamentals in 2019 and is accepted in
a cohort open for nominations.

Idempotent and fast: cohorts, people and participations are matched on their codes; a cohort
that exists is left as it is. Random choices use fixed seeds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from plancampus.core.models import Organisation, OrganisationKind, Person, Position, User
from plancampus.core.services.demo import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M

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
    ExternalParticipation,
    ExternalProgramme,
    ExternalProgrammeKind,
    Mark,
    ParticipationResult,
    Programme,
    ProgrammeKind,
    ResultStatus,
    Session,
    TrainerProfile,
)
from .certificates_demo import certificates_demo_load
from .demo_degrees import degree_programmes_demo_load
from .enrolment import enrolment_nominate
from .reference_courses import courses_seed_reference
from .results import cohort_close

TRAINER_ID = "DEMO-NIE-TRAINER"
PARTICIPANT_ID = "DEMO-POE17-PLANNER"
FOCAL_POINT_ID = "DEMO-POE17-FOCAL"  # the training focal point of POE-17 (account "focalpoint")
SEED = 20150302
EXTRA_TRAINERS = 24
HQ = "National Institute of Education, Phnom Penh"
HUBS = [HQ, "Regional hub, Siem Reap", "Regional hub, Battambang", "Regional hub, Kampong Cham"]

PROGRAMMES = [
    (
        "tot",
        ProgrammeKind.TRAINING_OF_TRAINERS,
        "Training of trainers in educational planning and management",
        "Formation de formateurs en planification et gestion de l'éducation",
        "វគ្គបណ្តុះបណ្តាលគ្រូបង្គោលផ្នែកផែនការ និងការគ្រប់គ្រងការអប់រំ",
    ),
    (
        "doe-in-service",
        ProgrammeKind.IN_SERVICE,
        "In-service training for district offices of education",
        "Formation continue des bureaux de district de l'éducation",
        "វគ្គបណ្តុះបណ្តាលបន្តសម្រាប់ការិយាល័យអប់រំស្រុក",
    ),
    (
        "med-educational-administration",
        ProgrammeKind.MASTERS,
        "Master of Education in educational administration",
        "Master en administration de l'éducation",
        "អនុបណ្ឌិតអប់រំ ផ្នែករដ្ឋបាលអប់រំ",
    ),
    (
        "phd-educational-administration",
        ProgrammeKind.DOCTORATE,
        "Doctorate in educational administration",
        "Doctorat en administration de l'éducation",
        "បណ្ឌិត ផ្នែករដ្ឋបាលអប់រំ",
    ),
]

# code, programme, titles (en, fr, km), hours, modalities [(en, fr, km, weight)]
EXTRA_COURSES = [
    (
        "tot-epm",
        "tot",
        (
            "Training of trainers: teaching educational planning and management",
            "Formation de formateurs : enseigner la planification et la gestion de l'éducation",
            "វគ្គគ្រូបង្គោល៖ ការបង្រៀនផែនការ និងការគ្រប់គ្រងការអប់រំ",
        ),
        "42",
        [
            ("Micro-teaching", "Micro-enseignement", "ការបង្រៀនសាកល្បង", "60"),
            ("Session plan", "Plan de séance", "ផែនការបង្រៀន", "40"),
        ],
    ),
    (
        "tot-provincial",
        "tot",
        (
            "Training of provincial trainers: cascading the fundamentals to district offices",
            "Formation de formateurs provinciaux : démultiplier les fondamentaux vers les "
            "districts",
            "វគ្គគ្រូបង្គោលខេត្ត៖ ការពង្រីកមូលដ្ឋានគ្រឹះទៅការិយាល័យអប់រំស្រុក",
        ),
        "24",
        [("Micro-teaching", "Micro-enseignement", "ការបង្រៀនសាកល្បង", "100")],
    ),
    (
        "district-planning",
        "doe-in-service",
        (
            "Planning at district level",
            "La planification au niveau du district",
            "ការរៀបចំផែនការថ្នាក់ស្រុក",
        ),
        "18",
        [("Group exercise", "Exercice de groupe", "លំហាត់ក្រុម", "100")],
    ),
]

EXTERNAL = [
    (
        "iiep-atp",
        ExternalProgrammeKind.ADVANCED_TRAINING,
        "ATP",
        "Advanced Training Programme in Educational Planning and Management",
        "Programme de formation avancée en planification et gestion de l'éducation",
        "កម្មវិធីបណ្តុះបណ្តាលកម្រិតខ្ពស់ផ្នែកផែនការ និងការគ្រប់គ្រងការអប់រំ",
    ),
    (
        "iiep-scp",
        ExternalProgrammeKind.SPECIALIZED_COURSES,
        "SCP",
        "Specialized Courses Programme",
        "Programme de cours spécialisés",
        "កម្មវិធីវគ្គឯកទេស",
    ),
    (
        "iiep-virtual-campus",
        ExternalProgrammeKind.VIRTUAL_CAMPUS,
        "Virtual Campus",
        "IIEP Virtual Campus (distance courses)",
        "Campus virtuel de l'IIPE (cours à distance)",
        "សាកលវិទ្យាល័យនិម្មិតរបស់ IIEP (វគ្គសិក្សាពីចម្ងាយ)",
    ),
]
SCP_COURSES = [
    "Education sector planning",
    "Education sector analysis",
    "Using indicators in planning",
    "Costing and financing of education",
    "Monitoring and evaluation of education plans",
    "Gender equality in educational planning",
    "Crisis-sensitive educational planning",
    "Teacher management",
]
VIRTUAL_COURSES = [
    "Education sector diagnosis",
    "Projection and simulation models",
    "Learning assessments for planning",
    "Results-based management",
]

# Which reference course each provincial position takes (the chief of planning takes two).
COURSE_OF_POSITION = {
    "Director": ["teacher-management"],
    "Deputy director": ["education-financing"],
    "Chief of planning office": ["epm-fundamentals", "education-financing"],
    "Planning officer": ["epm-fundamentals"],
    "Statistics officer": ["epm-fundamentals"],
    "Finance officer": ["education-financing"],
    "Personnel officer": ["teacher-management"],
    "Inspector": ["teacher-management"],
    "Primary education officer": ["epm-fundamentals"],
}
# Cohorts of the reference courses: (course, code, first day, venue index).
POE_COHORTS = [
    ("epm-fundamentals", "fund-2016", dt.date(2016, 6, 6), 0),
    ("epm-fundamentals", "fund-2017", dt.date(2017, 5, 8), 1),
    ("teacher-management", "tm-2018", dt.date(2018, 3, 5), 0),
    ("epm-fundamentals", "fund-2018", dt.date(2018, 7, 2), 2),
    ("epm-fundamentals", "fund-2019-a", dt.date(2019, 2, 11), 1),
    ("education-financing", "fin-2019", dt.date(2019, 8, 5), 0),
    ("teacher-management", "tm-2020", dt.date(2020, 2, 3), 3),
    ("epm-fundamentals", "fund-2020", dt.date(2020, 11, 2), 0),
    ("education-financing", "fin-2021", dt.date(2021, 3, 1), 2),
    ("teacher-management", "tm-2022", dt.date(2022, 5, 9), 1),
    ("epm-fundamentals", "fund-2022", dt.date(2022, 9, 5), 3),
    ("education-financing", "fin-2023", dt.date(2023, 6, 5), 0),
    ("epm-fundamentals", "fund-2024", dt.date(2024, 2, 5), 1),
    ("teacher-management", "tm-2024", dt.date(2024, 10, 7), 2),
    ("education-financing", "fin-2025", dt.date(2025, 3, 3), 3),
]
SESSION_HOURS = 6


@dataclass
class Plan:
    """A cohort to create: who teaches, who takes part, who will not complete and why."""

    course: Course
    code: str
    first_day: dt.date
    venue: str
    lead: Person
    co: list[Person]
    participants: list[Person]
    fail_attendance: set[int]
    fail_marks: set[int]
    capacity: int = 30


def _nie_extra_trainers(nie: Organisation) -> list[Person]:
    """Synthetic NIE trainers beyond the core demo's staff, with Khmer names."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic data
    existing = {
        p.external_id: p for p in Person.objects.filter(external_id__startswith="DEMO-NIE-TT")
    }
    # Names not yet taken at NIE, so that two trainers are never confused.
    taken = set(
        Person.objects.filter(organisation=nie)
        .exclude(external_id__startswith="DEMO-NIE-TT")
        .values_list("name_latin", flat=True)
    )
    new = []
    for number in range(1, EXTRA_TRAINERS + 1):
        external_id = f"DEMO-NIE-TT{number:02d}"
        while True:
            sex = rng.choice(["F", "M"])
            family = rng.choice(FAMILY_NAMES)
            given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
            if f"{family[0]} {given[0]}" not in taken:
                break
        taken.add(f"{family[0]} {given[0]}")
        if external_id in existing:
            continue
        person = Person(
            external_id=external_id,
            name_latin=f"{family[0]} {given[0]}",
            name_km=f"{family[1]} {given[1]}",
            sex=sex,
            organisation=nie,
            position="Trainer",
            birth_year=rng.randint(1968, 1990),
            email=f"{external_id.lower()}@demo.invalid",
            is_synthetic=True,
        )
        person.refresh_search_fields()
        new.append(person)
    if new:
        Person.objects.bulk_create(new)
        created = Person.objects.filter(external_id__in=[p.external_id for p in new])
        Position.objects.bulk_create(
            Position(person=p, organisation=nie, title="Trainer") for p in created
        )
    return list(
        Person.objects.filter(external_id__startswith="DEMO-NIE-TT").order_by("external_id")
    )


def _nie_pool(nie: Organisation) -> list[Person]:
    """NIE's synthetic staff, the demo trainer first, then by staff identifier."""
    extra = _nie_extra_trainers(nie)
    staff = list(
        Person.objects.filter(organisation=nie, is_synthetic=True)
        .exclude(external_id__startswith="DEMO-NIE-TT")
        .exclude(external_id=TRAINER_ID)
        .order_by("external_id")
    )
    trainer = Person.objects.get(external_id=TRAINER_ID)
    # Lecturers and managers first: they are the trainers.
    teaching = [p for p in staff if p.position not in {"Documentalist", "Translator"}]
    others = [p for p in staff if p.position in {"Documentalist", "Translator"}]
    return [trainer, *extra, *teaching, *others]


def _programmes(nie: Organisation) -> dict[str, Programme]:
    found = {}
    for code, kind, en, fr, km in PROGRAMMES:
        programme, _ = Programme.objects.get_or_create(
            institution=nie,
            code=code,
            defaults={
                "kind": kind,
                "name_en": en,
                "name_fr": fr,
                "name_km": km,
                "is_synthetic": True,
            },
        )
        found[code] = programme
    return found


def _extra_courses(nie: Organisation, programmes: dict[str, Programme]) -> dict[str, Course]:
    found = {}
    for code, programme, (en, fr, km), hours, modalities in EXTRA_COURSES:
        course = Course.objects.filter(institution=nie, code=code, is_current=True).first()
        if course is None:
            course = Course(
                institution=nie,
                programme=programmes[programme],
                code=code,
                title_en=en,
                title_fr=fr,
                title_km=km,
                hours=Decimal(hours),
                mode=CourseMode.IN_PERSON,
                delivery_languages=["km"],
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
        found[code] = course
    return found


def _external_programmes() -> dict[str, ExternalProgramme]:
    iiep = Organisation.objects.get(code="IIEP")
    found = {}
    for code, kind, acronym, en, fr, km in EXTERNAL:
        programme, _ = ExternalProgramme.objects.update_or_create(
            provider=iiep,
            code=code,
            defaults={
                "kind": kind,
                "acronym": acronym,
                "name_en": en,
                "name_fr": fr,
                "name_km": km,
                "website": "https://www.iiep.unesco.org",
            },
        )
        found[code] = programme
    return found


def _participations(pool: list[Person], external: dict[str, ExternalProgramme]) -> None:
    """20 ATP alumni, 55 SCP participants and some Virtual Campus learners among NIE staff."""
    rng = random.Random(SEED + 1)  # noqa: S311 - synthetic data
    rows: list[ExternalParticipation] = []
    atp = external["iiep-atp"]
    for index, person in enumerate(pool[:20]):
        rows.append(
            ExternalParticipation(
                person=person,
                programme=atp,
                year=2006 + index // 2,
                result=ParticipationResult.COMPLETED,
                course_title="Educational planning and management (Master's level)",
                is_synthetic=True,
            )
        )
    scp = external["iiep-scp"]
    scp_people = pool[2:57]
    for index, person in enumerate(scp_people):
        courses = rng.sample(SCP_COURSES, 2 if index % 4 == 0 else 1)
        for number, title in enumerate(courses):
            rows.append(
                ExternalParticipation(
                    person=person,
                    programme=scp,
                    year=2010 + (index + 3 * number) % 15,
                    result=(
                        ParticipationResult.ATTENDED
                        if index % 9 == 4
                        else ParticipationResult.COMPLETED
                    ),
                    course_title=title,
                    is_synthetic=True,
                )
            )
    virtual = external["iiep-virtual-campus"]
    for index, person in enumerate(pool[5:35:1]):
        rows.append(
            ExternalParticipation(
                person=person,
                programme=virtual,
                year=2016 + index % 9,
                result=(
                    ParticipationResult.NOT_COMPLETED
                    if index % 7 == 3
                    else ParticipationResult.COMPLETED
                ),
                course_title=VIRTUAL_COURSES[index % len(VIRTUAL_COURSES)],
                is_synthetic=True,
            )
        )
    existing = set(
        ExternalParticipation.objects.filter(person__in=pool).values_list(
            "person_id", "programme_id", "year", "course_title"
        )
    )
    ExternalParticipation.objects.bulk_create(
        r for r in rows if (r.person_id, r.programme_id, r.year, r.course_title) not in existing
    )


def _sessions(cohort: Cohort, first_day: dt.date, hours: Decimal) -> list[Session]:
    count = max(1, round(float(hours) / SESSION_HOURS))
    days = []
    day = first_day
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    sessions = [
        Session(
            cohort=cohort,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))),
            duration_minutes=SESSION_HOURS * 60,
            place=cohort.venue,
            topic="",
        )
        for day in days
    ]
    return Session.objects.bulk_create(sessions)


def _last_day(first_day: dt.date, hours: Decimal) -> dt.date:
    count = max(1, round(float(hours) / SESSION_HOURS))
    day, seen = first_day, 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == count:
                return day
        day += dt.timedelta(days=1)


def _create_cohort(plan: Plan, *, status: str, rng: random.Random, close: bool) -> Cohort:
    """The cohort, its sessions, accepted participants, attendance of the sessions held so
    far and marks; closed (results computed by the rules) when ``close``."""
    course = plan.course
    last_day = _last_day(plan.first_day, course.hours)
    cohort = Cohort(
        institution=course.institution,
        course=course,
        code=plan.code,
        start_date=plan.first_day,
        end_date=last_day,
        venue=plan.venue,
        capacity=max(plan.capacity, len(plan.participants)),
        language="km",
        lead_trainer=plan.lead,
        nomination_opens=plan.first_day - dt.timedelta(days=60),
        nomination_closes=plan.first_day - dt.timedelta(days=14),
        status=status,
        is_synthetic=True,
    )
    cohort.full_clean()
    cohort.save()
    cohort.co_trainers.set(plan.co)
    sessions = _sessions(cohort, plan.first_day, course.hours)
    accepted_at = timezone.make_aware(
        dt.datetime.combine(plan.first_day - dt.timedelta(days=10), dt.time(9, 0))
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            cohort=cohort,
            person=person,
            status=EnrolmentStatus.ACCEPTED,
            nominated_by_organisation_id=person.organisation_id,
            nominated_at=accepted_at - dt.timedelta(days=7),
            enrolled_at=accepted_at,
            is_synthetic=True,
        )
        for person in plan.participants
    )
    enrolments = list(cohort.enrolments.all())
    now = timezone.now()
    held = [s for s in sessions if s.starts_at <= now]
    attendance = []
    for enrolment in enrolments:
        misses: set[int] = set()
        if enrolment.person_id in plan.fail_attendance:
            misses = set(rng.sample(range(len(held)), max(1, (len(held) + 1) // 2)))
        elif len(held) >= 5 and rng.random() < 0.35:
            misses = {rng.randrange(len(held))}
        for index, session in enumerate(held):
            if index in misses:
                status_ = rng.choice([AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
            else:
                status_ = AttendanceStatus.LATE if rng.random() < 0.05 else AttendanceStatus.PRESENT
            attendance.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    status=status_,
                    marked_at=session.ends_at,
                )
            )
    Attendance.objects.bulk_create(attendance)
    if close:
        modalities = list(course.modalities.all())
        marks = []
        for enrolment in enrolments:
            failing = enrolment.person_id in plan.fail_marks
            for modality in modalities:
                low, high = (4, 9) if failing else (11, 19)
                value = Decimal(rng.randint(low * 2, high * 2)) / 2 * modality.max_mark / 20
                marks.append(Mark(enrolment=enrolment, modality=modality, value=value))
        Mark.objects.bulk_create(marks)
        cohort_close(cohort=cohort, user=None)
    return cohort


def _poe_staff() -> dict[str, list[Person]]:
    """Synthetic staff of each provincial office (the demo participant last in POE-17)."""
    by_office: dict[str, list[Person]] = {}
    for person in (
        Person.objects.filter(
            organisation__kind=OrganisationKind.PROVINCIAL_OFFICE, is_synthetic=True
        )
        .select_related("organisation")
        .order_by("organisation__code", "external_id")
    ):
        by_office.setdefault(person.organisation.code, []).append(person)
    return by_office


def _trainer_profiles(
    nie: Organisation, people: list[Person], courses: list[Course], since: int
) -> None:
    existing = set(
        TrainerProfile.objects.filter(institution=nie, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    for person in people:
        if person.pk in existing:
            continue
        profile = TrainerProfile(
            person=person,
            institution=nie,
            qualifications=(
                "Trainer of NIE; trained as a trainer in NIE's training of trainers."
                if person.organisation_id == nie.pk
                else "Provincial trainer, trained in NIE's training of provincial trainers."
            ),
            expertise="Educational planning and management",
            trainer_since=since,
            is_synthetic=True,
        )
        profile.full_clean()
        profile.save()
        profile.courses.set(courses)


@transaction.atomic
def demo_load() -> list[str]:
    """Load (or leave as they are) the training demo records; returns lines to print."""
    nie = Organisation.objects.get(code="NIE")
    programmes = _programmes(nie)
    reference = {c.code: c for c in courses_seed_reference(institution=nie)}
    extra = _extra_courses(nie, programmes)
    external = _external_programmes()
    pool = _nie_pool(nie)
    _participations(pool, external)

    # Level 0: four senior trainers (ATP alumni). Level 1: NIE trainers trained by them in
    # the two training-of-trainers cohorts, who then teach the provincial offices.
    seniors = pool[1:5]
    tot_2015 = [pool[0], *pool[5:13]]  # the demo trainer and eight others; one will not finish
    tot_2016 = pool[13:20]
    level_one = [pool[0], *pool[5:12], *pool[13:19]]
    rng = random.Random(SEED + 2)  # noqa: S311 - synthetic data
    plans = [
        Plan(
            extra["tot-epm"], "tot-2015", dt.date(2015, 3, 2), HQ, seniors[0], [seniors[1]],
            tot_2015, fail_attendance={pool[12].pk}, fail_marks=set(),
        ),
        Plan(
            extra["tot-epm"], "tot-2016", dt.date(2016, 2, 15), HQ, seniors[2], [seniors[3]],
            tot_2016, fail_attendance=set(), fail_marks={pool[19].pk},
        ),
    ]  # fmt: skip

    # The reference courses for the provincial offices: nine of each office's ten staff.
    staff = _poe_staff()
    participant = Person.objects.get(external_id=PARTICIPANT_ID)
    enrolled: dict[str, list[Person]] = {code: [] for code in reference}
    left_out: list[Person] = []
    chiefs: list[Person] = []
    for code in sorted(staff):
        people = [p for p in staff[code] if p.external_id not in {PARTICIPANT_ID, FOCAL_POINT_ID}]
        skipped = rng.choice([p for p in people if p.position != "Chief of planning office"])
        left_out.append(skipped)
        for person in people:
            if person is skipped:
                continue
            if person.position == "Chief of planning office":
                chiefs.append(person)
            for course_code in COURSE_OF_POSITION.get(person.position, ["epm-fundamentals"]):
                enrolled[course_code].append(person)
    for people in enrolled.values():
        rng.shuffle(people)
    failures = [
        p
        for p in rng.sample(enrolled["teacher-management"] + enrolled["epm-fundamentals"], 14)
        if p.position not in {"Chief of planning office"}
    ][:10]
    fail_attendance = {p.pk for p in failures[::2]}
    fail_marks = {p.pk for p in failures[1::2]}
    cohorts_of: dict[str, list[tuple[str, dt.date, int]]] = {}
    for course_code, code, first_day, venue in POE_COHORTS:
        cohorts_of.setdefault(course_code, []).append((code, first_day, venue))
    for course_code, runs in cohorts_of.items():
        people = enrolled[course_code]
        size = -(-len(people) // len(runs))
        for index, (code, first_day, venue) in enumerate(runs):
            group = people[index * size : (index + 1) * size]
            if code == "fund-2019-a":
                group = [*group, participant]
            number = POE_COHORTS.index((course_code, code, first_day, venue))
            lead = level_one[number % len(level_one)]
            co = level_one[(number + 5) % len(level_one)]
            if code in {"fund-2017", "fund-2019-a", "tm-2022", "fund-2024"}:
                lead, co = pool[0], level_one[(number + 3) % len(level_one)]
            plans.append(
                Plan(
                    reference[course_code], code, first_day, HUBS[venue], lead, [co], group,
                    fail_attendance=fail_attendance, fail_marks=fail_marks,
                )
            )  # fmt: skip

    # The cascade's next level: chiefs of planning of eight offices trained as provincial
    # trainers (2021), four of whom then teach the staff of district offices.
    provincial_trainees = sorted(chiefs, key=lambda p: p.organisation.code)[::3][:8]
    plans.append(
        Plan(
            extra["tot-provincial"], "tot-prov-2021", dt.date(2021, 8, 2), HQ, pool[0],
            [level_one[3]], provincial_trainees,
            fail_attendance={provincial_trainees[-1].pk}, fail_marks=set(),
        )
    )  # fmt: skip
    district_staff = _district_staff([p.organisation for p in provincial_trainees[:4]])
    for index, (code, first_day) in enumerate(
        [("district-2022", dt.date(2022, 3, 14)), ("district-2023", dt.date(2023, 3, 13))]
    ):
        lead, co = provincial_trainees[2 * index], provincial_trainees[2 * index + 1]
        group = district_staff[lead.organisation_id][:4] + district_staff[co.organisation_id][:3]
        plans.append(
            Plan(
                extra["district-planning"], code, first_day, lead.organisation.display_name,
                lead, [co], group, fail_attendance=set(),
                fail_marks={group[-1].pk} if index else set(),
            )
        )  # fmt: skip

    existing = set(Cohort.objects.filter(institution=nie).values_list("code", flat=True))
    created = 0
    for plan in plans:
        if plan.code in existing:
            continue
        _create_cohort(plan, status=CohortStatus.RUNNING, rng=rng, close=True)
        created += 1

    # Today's cohorts: one running (its attendance can be marked now), one open for
    # nominations where the demo participant is accepted.
    today = timezone.localdate()
    trainer = pool[0]
    if "fund-current" not in existing:
        start = today - dt.timedelta(days=today.weekday() + 7)  # Monday of last week
        _create_cohort(
            Plan(
                reference["epm-fundamentals"], "fund-current", start, HQ, trainer, [level_one[2]],
                left_out[:20], fail_attendance=set(), fail_marks=set(),
            ),
            status=CohortStatus.RUNNING, rng=rng, close=False,
        )  # fmt: skip
        created += 1
    if "tm-next" not in existing:
        start = today + dt.timedelta(days=42)
        start -= dt.timedelta(days=start.weekday())  # a Monday six weeks ahead
        _create_cohort(
            Plan(
                reference["teacher-management"], "tm-next", start, HUBS[1], trainer,
                [level_one[4]], [participant], fail_attendance=set(), fail_marks=set(),
                capacity=25,
            ),
            status=CohortStatus.NOMINATIONS_OPEN, rng=rng, close=False,
        )  # fmt: skip
        Cohort.objects.filter(institution=nie, code="tm-next").update(
            nomination_opens=today - dt.timedelta(days=10),
            nomination_closes=start - dt.timedelta(days=7),
        )
        _office_nominations(Cohort.objects.get(institution=nie, code="tm-next"), staff["POE-17"])
        created += 1

    teaching_courses = list(reference.values())
    _trainer_profiles(nie, [*seniors, *level_one], [*teaching_courses, extra["tot-epm"]], 2015)
    _trainer_profiles(nie, provincial_trainees[:-1], [extra["district-planning"]], 2021)
    degrees = degree_programmes_demo_load(nie=nie, programmes=programmes, pool=pool)
    return [*_summary(nie, created), *degrees]


def _office_nominations(cohort: Cohort, office_staff: list[Person]) -> None:
    """Three staff of POE-17 nominated by its focal point, waiting for NIE's decision."""
    focal = User.objects.filter(person__external_id=FOCAL_POINT_ID).first()
    people = [
        p
        for p in office_staff
        if p.external_id not in {PARTICIPANT_ID, FOCAL_POINT_ID}
        and p.position in {"Director", "Personnel officer", "Inspector", "Planning officer"}
    ][:3]
    nominated = enrolment_nominate(
        cohort=cohort,
        people=people,
        organisation=people[0].organisation,
        user=focal,
        check_window=False,
    )
    Enrolment.objects.filter(pk__in=[e.pk for e in nominated]).update(is_synthetic=True)


def _district_staff(provinces_of: list[Organisation]) -> dict[int, list[Person]]:
    """Synthetic staff of the district offices of each given provincial office."""
    found: dict[int, list[Person]] = {}
    for office in provinces_of:
        found[office.pk] = list(
            Person.objects.filter(
                organisation__kind=OrganisationKind.DISTRICT_OFFICE,
                organisation__parent=office,
                is_synthetic=True,
            ).order_by("organisation__code", "external_id")
        )
    return found


def _summary(nie: Organisation, created: int) -> list[str]:
    # Short courses, as the coverage dashboard counts (degree programmes are reported apart).
    completed = Enrolment.objects.filter(
        cohort__institution=nie, result_status=ResultStatus.COMPLETED
    ).outside_degree_programmes()
    pending = Enrolment.objects.filter(
        cohort__institution=nie, cohort__code="tm-next", status=EnrolmentStatus.NOMINATED
    ).count()
    trained = completed.values("person_id").distinct().count()
    poe_trained = (
        completed.filter(person__organisation__kind=OrganisationKind.PROVINCIAL_OFFICE)
        .values("person_id")
        .distinct()
        .count()
    )
    offices = (
        completed.filter(person__organisation__kind=OrganisationKind.PROVINCIAL_OFFICE)
        .values("person__organisation_id")
        .distinct()
        .count()
    )
    all_offices = Organisation.objects.filter(
        kind=OrganisationKind.PROVINCIAL_OFFICE, country_id=nie.country_id
    ).count()
    atp = (
        ExternalParticipation.objects.filter(
            programme__code="iiep-atp", result=ParticipationResult.COMPLETED
        )
        .values("person_id")
        .distinct()
        .count()
    )
    scp = (
        ExternalParticipation.objects.filter(programme__code="iiep-scp")
        .values("person_id")
        .distinct()
        .count()
    )
    return [
        f"{Cohort.objects.filter(institution=nie).outside_degree_programmes().count()} "
        f"cohorts of short courses ({created} new), "
        f"{trained} people trained, of whom {poe_trained} staff of provincial offices; "
        f"{offices}/{all_offices} provincial offices covered (synthetic records)",
        f"IIEP programmes: {atp} Advanced Training Programme alumni, {scp} Specialized Courses "
        "Programme participants among NIE's staff (synthetic records)",
        f"{pending} nominations by POE-17's training focal point (account focalpoint) wait for "
        "NIE's decision in cohort tm-next (synthetic records)",
        *certificates_demo_load(institution=nie),
    ]

"""Training pages under a steady load, at national scale, on the production server.

Run: ``.venv/bin/python benchmarks/bench_training.py`` (SQLite in a temporary file), or
``--database-url postgres://postgres@127.0.0.1:5432/plancampus_bench_training`` (created,
and dropped at the end unless ``--keep``).

1. Builds, in a database of its own: Cambodia's real areas and the demo's real organisations;
   50,000 synthetic participants spread over the 25 provincial and ~210 district offices;
   NIE's 200 synthetic trainers; 2,000 cohorts of the three reference courses (2016–2026,
   25 participants each, 20 sessions each, among them training-of-trainers cohorts), hence
   50,000 enrolments and 1,000,000 attendance marks, with marks and closed results; one
   cohort of 250 for the certificates. Rows are written in batches (``COPY`` on PostgreSQL).
2. Checks that each page takes the same number of SQL queries on this dataset as on a small
   cohort (the query counts do not grow with the number of participants).
3. Starts gunicorn (2 workers × 4 threads, as ``make serve``) on a loopback port, logs in as a
   coordinator of NIE, and sends GET requests to each page at a fixed rate (25/s) for 20 s,
   open loop (``common.run_fixed_rate``): the coverage dashboard, a cohort page, the
   attendance grid of a session (the targets), and, for information, the list behind a
   dashboard figure and the cascade page.
4. Issues the certificates of the 250-person cohort (records, PDFs and signed credentials,
   the background job run in-process) and times it.

Prints p50/p95/p99 per page against the target (p95 ≤ 150 ms at 25 requests/s on a 2-core
machine) and writes the results to benchmarks/results/. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402 - the path is set just above
    Client,
    manage,
    production_env,
    report,
    run_fixed_rate,
    save_results,
    start_gunicorn,
)

TARGET_P95_MS = 150.0
TARGET_CERTIFICATES_S = 60.0
USERNAME = "bench-training-coordinator"
PASSWORD = "bench-training-password"  # noqa: S105 - a throwaway account in a throwaway database
BIG_COHORT = "bench-certificates-250"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to build (created)")
    parser.add_argument("--sqlite-path", type=Path, help="the SQLite file (default: temporary)")
    parser.add_argument("--participants", type=int, default=50_000)
    parser.add_argument("--cohorts", type=int, default=2_000)
    parser.add_argument("--sessions", type=int, default=20, help="sessions per cohort")
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use a database kept earlier")
    parser.add_argument("--no-certificates", action="store_true")
    parser.add_argument("--no-profile", action="store_true", help="skip the SQL profile")
    parser.add_argument("--scenario", action="append", help="run only these (by name)")
    return parser.parse_args()


# --- The database ---------------------------------------------------------------------------


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database")
    return urlunsplit(parts._replace(path="/postgres")), name


def postgres_create(database_url: str, *, reuse: bool) -> bool:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and not reuse:
            raise SystemExit(f"The database {name} exists: give a new name, or --reuse.")
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def postgres_drop(database_url: str) -> None:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Write many rows fast: COPY on PostgreSQL, executemany in batches on SQLite."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    import datetime as dt_

    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, dt_.datetime) else v for v in row) for row in rows]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our table names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start : start + 20_000])


def build_dataset(participants: int, cohorts: int, sessions_per_cohort: int) -> dict[str, object]:
    """The benchmark's dataset (in this process, on the benchmark database)."""
    from django.db import transaction
    from django.utils import timezone

    from plancampus.core.models import (
        Country,
        Membership,
        OrganisationKind,
        Person,
        Role,
        User,
    )
    from plancampus.core.services import demo
    from plancampus.core.services.geo import areas_import_cambodia
    from plancampus.core.text import search_document
    from plancampus.training.models import (
        AttendanceStatus,
        Cohort,
        CohortStatus,
        Course,
        Enrolment,
        EnrolmentStatus,
        ProgrammeKind,
        ResultStatus,
        Session,
    )
    from plancampus.training.services.reference_courses import courses_seed_reference

    rng = random.Random(20260501)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - started - sum(timings.values()), 1)

    with transaction.atomic():
        areas_import_cambodia()
        country = Country.objects.get(iso_code="KHM")
        orgs = demo.organisations_create_cambodia(country)
        nie = orgs["NIE"]
        offices = sorted(
            (
                o
                for o in orgs.values()
                if o.kind in {OrganisationKind.PROVINCIAL_OFFICE, OrganisationKind.DISTRICT_OFFICE}
            ),
            key=lambda o: o.code,
        )
        lap("areas and organisations")

        names = [
            (f"{f[0]} {g[0]}", f"{f[1]} {g[1]}", sex)
            for sex, given in (("F", demo.GIVEN_NAMES_F), ("M", demo.GIVEN_NAMES_M))
            for f in demo.FAMILY_NAMES
            for g in given
        ]
        documents = {(latin, km): search_document(latin, km) for latin, km, _sex in names}

        def person(number: int, organisation_id: int, position: str) -> Person:
            latin, km, sex = names[rng.randrange(len(names))]
            external_id = f"BT-{number:06d}"
            return Person(
                external_id=external_id,
                name_latin=latin,
                name_km=km,
                sex=sex,
                organisation_id=organisation_id,
                position=position,
                is_synthetic=True,
                search_text=f"{documents[(latin, km)]} {external_id.lower()}",
                sort_km=km,
            )

        trainers = Person.objects.bulk_create(
            [person(n, nie.pk, "Trainer") for n in range(1, 201)], batch_size=2_000
        )
        people = Person.objects.bulk_create(
            [
                person(200 + n, offices[n % len(offices)].pk, "Planning officer")
                for n in range(1, participants + 1)
            ],
            batch_size=5_000,
        )
        lap("people")

        courses = courses_seed_reference(institution=nie)
        tot_programme = courses[0].programme
        tot_programme.pk = None
        tot_programme.code, tot_programme.kind = "tot", ProgrammeKind.TRAINING_OF_TRAINERS
        tot_programme.name_en = "Training of trainers"
        tot_programme.save()
        tot = Course.objects.create(
            institution=nie,
            programme=tot_programme,
            code="tot-epm",
            title_en="Training of trainers",
            hours=Decimal(40),
        )
        modalities = {c.pk: list(c.modalities.all()) for c in courses}
        lap("courses")

        # Cohorts: 2016-01 to today, the last ones running; ToT cohorts first, one per ten
        # trainers, so that the cascade has depth. Each participant is in one cohort.
        today = timezone.localdate()
        first = dt.date(2016, 1, 4)
        # The last cohorts started a week or two ago: they are running today.
        span = (today - dt.timedelta(days=10) - first).days
        plan: list[Cohort] = []
        size = participants // cohorts
        for number in range(cohorts):
            is_tot = number < 18
            start = first + dt.timedelta(days=int(span * number / (cohorts - 1)))
            start -= dt.timedelta(days=start.weekday())
            end = start + dt.timedelta(days=7 * (sessions_per_cohort // 5) - 3)
            running = end >= today
            plan.append(
                Cohort(
                    institution=nie,
                    course=tot if is_tot else courses[number % 3],
                    code=f"bt-{number + 1:05d}",
                    start_date=start,
                    end_date=end,
                    capacity=max(30, size),
                    language="km",
                    lead_trainer=trainers[number % 20] if is_tot else trainers[20 + number % 180],
                    status=CohortStatus.RUNNING if running else CohortStatus.COMPLETED,
                    closed_at=None
                    if running
                    else timezone.make_aware(dt.datetime.combine(end, dt.time(17))),
                    is_synthetic=True,
                )
            )
        plan.append(
            Cohort(
                institution=nie,
                course=courses[0],
                code=BIG_COHORT,
                start_date=dt.date(2025, 1, 6),
                end_date=dt.date(2025, 1, 31),
                capacity=250,
                language="km",
                lead_trainer=trainers[25],
                status=CohortStatus.COMPLETED,
                closed_at=timezone.make_aware(
                    dt.datetime.combine(dt.date(2025, 1, 31), dt.time(17))
                ),
                is_synthetic=True,
            )
        )
        cohort_rows = Cohort.objects.bulk_create(plan, batch_size=1_000)
        through = Cohort.co_trainers.through
        through.objects.bulk_create(
            through(cohort_id=c.pk, person_id=trainers[20 + (i * 7) % 180].pk)
            for i, c in enumerate(cohort_rows)
        )
        lap("cohorts")

        session_rows: list[Session] = []
        for cohort in cohort_rows:
            day = cohort.start_date
            count = 0
            while count < sessions_per_cohort:
                if day.weekday() < 5:
                    session_rows.append(
                        Session(
                            cohort=cohort,
                            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8))),
                            duration_minutes=360,
                        )
                    )
                    count += 1
                day += dt.timedelta(days=1)
        session_rows = Session.objects.bulk_create(session_rows, batch_size=5_000)
        sessions_of: dict[int, list[Session]] = defaultdict(list)
        for session in session_rows:
            sessions_of[session.cohort_id].append(session)
        lap("sessions")

        # Enrolments: ToT cohorts take the trainers 20-199; the others the participants.
        enrolments: list[Enrolment] = []
        members: list[tuple[Cohort, Person]] = []
        for number, cohort in enumerate(cohort_rows[:18]):
            members += [(cohort, t) for t in trainers[20 + number * 10 : 30 + number * 10]]
        cursor = 0
        for cohort in cohort_rows[18:-1]:
            members += [(cohort, p) for p in people[cursor : cursor + size]]
            cursor += size
        members += [(cohort_rows[-1], p) for p in people[:250]]
        now = timezone.now()
        outcome: dict[tuple[int, int], tuple[list[str], Decimal]] = {}
        for cohort, member in members:
            held = [s for s in sessions_of[cohort.pk] if s.starts_at <= now]
            misses = rng.choices([0, 1, 2, 5], weights=[60, 25, 10, 5])[0]
            statuses = [AttendanceStatus.PRESENT] * len(held)
            for index in rng.sample(range(len(held)), min(misses, len(held))):
                statuses[index] = AttendanceStatus.ABSENT
            mark = Decimal(rng.randint(20, 38)) / 2  # out of 20
            outcome[(cohort.pk, member.pk)] = (statuses, mark)
            closed = cohort.closed_at is not None
            rate = (
                Decimal(100 * statuses.count(AttendanceStatus.PRESENT) / len(statuses)).quantize(
                    Decimal("0.1")
                )
                if statuses
                else None
            )
            final = (mark * 5).quantize(Decimal("0.01"))
            completed = rate is not None and rate >= 80 and final >= 50
            enrolments.append(
                Enrolment(
                    cohort=cohort,
                    person=member,
                    status=EnrolmentStatus.ACCEPTED,
                    nominated_by_organisation_id=member.organisation_id,
                    nominated_at=timezone.make_aware(
                        dt.datetime.combine(cohort.start_date - dt.timedelta(days=20), dt.time(9))
                    ),
                    enrolled_at=timezone.make_aware(
                        dt.datetime.combine(cohort.start_date - dt.timedelta(days=10), dt.time(9))
                    ),
                    result_status=(
                        (ResultStatus.COMPLETED if completed else ResultStatus.NOT_COMPLETED)
                        if closed
                        else ResultStatus.PENDING
                    ),
                    final_mark=final if closed else None,
                    attendance_rate=rate if closed else None,
                    result_computed_at=cohort.closed_at,
                    is_synthetic=True,
                )
            )
        enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=5_000)
        lap("enrolments")

        attendance_rows = []
        mark_rows = []
        for enrolment in enrolments:
            statuses, mark = outcome[(enrolment.cohort_id, enrolment.person_id)]
            held = sessions_of[enrolment.cohort_id]
            for session, status in zip(held, statuses, strict=False):
                attendance_rows.append((session.pk, enrolment.pk, status, session.ends_at))
            for modality in modalities.get(enrolment.cohort.course_id, []):
                mark_rows.append((enrolment.pk, modality.pk, mark, now))
        insert_rows(
            "training_attendance",
            ["session_id", "enrolment_id", "status", "marked_at"],
            attendance_rows,
        )
        lap("attendance")
        insert_rows(
            "training_mark", ["enrolment_id", "modality_id", "value", "entered_at"], mark_rows
        )
        lap("marks")

        user = User(username=USERNAME, first_name="Benchmark coordinator")
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, institution=nie, role=Role.COORDINATOR)
    return {
        "participants": participants,
        "trainers": len(trainers),
        "cohorts": len(cohort_rows),
        "sessions": len(session_rows),
        "enrolments": len(enrolments),
        "attendance_marks": len(attendance_rows),
        "marks": len(mark_rows),
        "seconds": round(time.perf_counter() - started, 1),
        "timings": timings,
    }


def dataset_counts() -> dict[str, object]:
    from plancampus.core.models import User
    from plancampus.training.models import Attendance, Cohort, Enrolment

    return {
        "cohorts": Cohort.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "attendance_marks": Attendance.objects.count(),
        "coordinator": User.objects.filter(username=USERNAME).count(),
    }


def scenario_paths() -> dict[str, str]:
    """The pages measured: targets first, then pages measured for information."""
    from plancampus.core.models import Organisation
    from plancampus.training.models import Cohort, Session

    nie = Organisation.objects.get(code="NIE")
    running = (
        Cohort.objects.filter(institution=nie, status="running", code__startswith="bt-")
        .order_by("start_date", "pk")
        .first()
    )
    closed = (
        Cohort.objects.filter(institution=nie, status="completed", code__startswith="bt-")
        .order_by("-start_date", "pk")
        .first()
    )
    held = (
        Session.objects.filter(cohort=running, starts_at__lte=time_now())
        .order_by("-starts_at")
        .first()
        or Session.objects.filter(cohort=running).order_by("starts_at").first()
    )
    province = nie.area_id
    return {
        "coverage dashboard": "/reports/coverage/",
        "cohort page (closed, 25 people)": f"/training/cohorts/{closed.pk}/",
        "cohort page (running)": f"/training/cohorts/{running.pk}/",
        "attendance grid": f"/training/cohorts/{running.pk}/sessions/{held.pk}/attendance/",
        "coverage: people list (info)": f"/reports/coverage/people/?province={province}",
        "coverage dashboard, one year (info)": "/reports/coverage/?year=2020&n=3",
        "cascade (info)": "/training/cascade/",
    }


def time_now():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.now()


# --- Query counts and where the time goes ---------------------------------------------------


def sql_profile(paths: dict[str, str], repeat: int = 10) -> tuple[str, dict[str, int]]:
    """Each page rendered in-process: its query count and its slowest SQL statements."""
    from django.db import connection
    from django.test import Client as DjangoClient

    from plancampus.core.models import User

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    lines = []
    counts: dict[str, int] = {}
    from django.conf import settings

    default_cache = getattr(settings, "PLANCAMPUS_REPORTS_CACHE_SECONDS", 60)
    paths = dict(paths)
    if "coverage dashboard" in paths:
        # The figures computed afresh each time, as after a cohort closes.
        paths["coverage dashboard, computed (no cache)"] = paths["coverage dashboard"]
    for name, path in paths.items():
        settings.PLANCAMPUS_REPORTS_CACHE_SECONDS = 0 if "no cache" in name else default_cache
        per_statement: dict[int, list[float]] = defaultdict(list)
        labels: dict[int, str] = {}
        totals = []
        for _ in range(repeat):
            timings: list[tuple[str, float]] = []

            def timer(execute, sql, params, many, context, timings=timings):  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timings.append((sql, time.perf_counter() - start))

            start = time.perf_counter()
            with connection.execute_wrapper(timer):
                response = client.get(path)
            totals.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            for index, (sql, seconds) in enumerate(timings):
                per_statement[index].append(seconds)
                labels[index] = " ".join(sql.split())[:140]
        counts[name] = len(per_statement)
        settings.PLANCAMPUS_REPORTS_CACHE_SECONDS = default_cache
        total = statistics.median(totals) * 1000
        sql_total = sum(statistics.median(v) for v in per_statement.values()) * 1000
        lines.append(
            f"{name}: {total:.1f} ms in-process, SQL {sql_total:.1f} ms in "
            f"{len(per_statement)} queries"
        )
        for index, values in sorted(per_statement.items()):
            ms = statistics.median(values) * 1000
            if ms >= 2:
                lines.append(f"    {ms:7.1f} ms  {labels[index]}")
    return "\n".join(lines), counts


def query_growth() -> dict[str, list[int]]:
    """The queries of the cohort page and the attendance grid for cohorts of 10, 25 and 250
    people: the same number whatever the size."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from plancampus.core.models import User
    from plancampus.training.models import Cohort

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    cohorts = [
        Cohort.objects.filter(code__startswith="bt-", course__code="tot-epm").first(),
        Cohort.objects.filter(code__startswith="bt-", status="completed")
        .exclude(course__code="tot-epm")
        .first(),
        Cohort.objects.get(code=BIG_COHORT),
    ]
    found: dict[str, list[int]] = {"cohort page": [], "attendance grid": [], "people": []}
    for cohort in cohorts:
        session = cohort.sessions.order_by("starts_at").first()
        for name, path in (
            ("cohort page", f"/training/cohorts/{cohort.pk}/"),
            ("attendance grid", f"/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"),
        ):
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            found[name].append(len(captured))
        found["people"].append(cohort.enrolments.count())
    return found


def certificates_time() -> dict[str, object]:
    """Issue the 250 certificates of the big cohort: records, PDFs, signed credentials."""
    from plancampus.training.models import Certificate, Cohort
    from plancampus.training.services.certificates import certificates_issue

    # This process runs the task at once (TASKS_BACKEND is set in main): the time covers
    # the records, the PDFs and the signed credentials.
    cohort = Cohort.objects.get(code=BIG_COHORT)
    # A reused database keeps the certificates of an earlier run: issue them afresh.
    Certificate.objects.filter(enrolment__cohort=cohort).delete()
    started = time.perf_counter()
    issued = certificates_issue(cohort=cohort, issued_by=None)
    seconds = time.perf_counter() - started
    rendered = sum(1 for c in issued.certificates if c.pk) if issued.certificates else 0
    return {
        "certificates": len(issued.certificates),
        "rendered": rendered,
        "seconds": round(seconds, 1),
        "job": issued.job.result if issued.job else None,
    }


def warn_if_busy() -> tuple[float, float, float]:
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    note = "" if load[0] <= cpus else "  (busy: other processes compete for the CPUs)"
    print(f"Load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cpus} CPUs{note}")
    return load


# --- Main -----------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="plancampus-bench-training-"))
    created_postgres = False
    if args.database_url:
        created_postgres = postgres_create(args.database_url, reuse=args.reuse)
        env = production_env(workdir, database_url=args.database_url)
        engine = "PostgreSQL"
    else:
        sqlite_path = args.sqlite_path or workdir / "bench.sqlite3"
        if sqlite_path.exists() and not args.reuse:
            raise SystemExit(f"{sqlite_path} exists: give --reuse to run on it")
        env = production_env(workdir, sqlite_path=sqlite_path.resolve())
        engine = "SQLite"
    server = None
    try:
        os.environ.update(env)
        for name in ("DATABASE_URL", "SQLITE_PATH"):
            if name not in env:
                os.environ.pop(name, None)
        # In this process only (gunicorn gets ``env``): tasks run at once, for the timing of
        # the certificates.
        os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print(f"== Training benchmark on {engine} ({platform.node()}, {os.cpu_count()} CPUs)")
        warn_if_busy()
        call_command("migrate", "--noinput", verbosity=0)
        counts = dataset_counts()
        if counts["coordinator"]:
            print(f"Reusing the dataset: {counts}")
        elif counts["cohorts"]:
            raise SystemExit("The database holds cohorts but not the benchmark's: refusing.")
        else:
            print(
                f"Building {args.participants:,} participants, {args.cohorts:,} cohorts, "
                f"{args.sessions} sessions each…"
            )
            counts = build_dataset(args.participants, args.cohorts, args.sessions)
            print(f"Built: {counts}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        manage(env, "collectstatic", "--noinput", "-v0")

        paths = scenario_paths()
        if args.scenario:
            paths = {k: v for k, v in paths.items() if any(s in k for s in args.scenario)}
        growth = query_growth()
        print(
            f"Queries for cohorts of {growth['people']} people: cohort page "
            f"{growth['cohort page']}, attendance grid {growth['attendance grid']}"
        )
        profile, query_counts = "", {}
        if not args.no_profile:
            profile, query_counts = sql_profile(paths)
            print("\nQueries and where the time goes (in-process, median of 10, ≥ 2 ms):")
            print(profile)

        server = start_gunicorn(
            env, workdir / "gunicorn.log", workers=args.workers, threads=args.threads
        )
        client = Client()
        client.log_in(server.url, USERNAME, PASSWORD)
        headers = {"Cookie": f"sessionid={client.cookies['sessionid']}", "Accept-Language": "en"}
        for name, path in paths.items():
            status, _h, _body = client.get(server.url, path)
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}")
        print(
            f"\ngunicorn {args.workers} workers × {args.threads} threads on {server.url}; "
            f"{args.rate:g} requests/s for {args.duration:g} s per page, open loop"
        )
        results = []
        for name, path in paths.items():
            run_fixed_rate(name, server.url, path, headers=headers, rate=args.rate, duration=2)
            stats = run_fixed_rate(
                name, server.url, path, headers=headers, rate=args.rate, duration=args.duration
            )
            results.append(stats)
            print(report([stats], target_p95_ms=TARGET_P95_MS).splitlines()[1], flush=True)
        server.stop()
        server = None
        print()
        print(report(results, target_p95_ms=TARGET_P95_MS))
        print(f"Target: p95 ≤ {TARGET_P95_MS:g} ms at {args.rate:g} requests/s, no errors.")

        certificates = None
        if not args.no_certificates:
            certificates = certificates_time()
            print(
                f"\nCertificates of a cohort of 250: {certificates['certificates']} issued "
                f"(PDF and signed credential each) in {certificates['seconds']} s "
                f"(target ≤ {TARGET_CERTIFICATES_S:g} s)"
            )
        load = warn_if_busy()
        saved = save_results(
            f"training-{engine.lower()}",
            {
                "engine": engine,
                "cpus": os.cpu_count(),
                "load_average_after": load,
                "dataset": counts,
                "gunicorn": {"workers": args.workers, "threads": args.threads},
                "target_p95_ms": TARGET_P95_MS,
                "query_counts": query_counts,
                "query_growth": growth,
                "profile": profile,
                "results": [s.as_dict() for s in results],
                "certificates": certificates,
            },
        )
        print(f"Saved {saved.relative_to(ROOT)}")
        return 0
    finally:
        if server is not None:
            server.stop()
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        if created_postgres and not args.keep:
            postgres_drop(args.database_url)
        if args.keep and not args.database_url and not args.sqlite_path:
            print(f"Kept {workdir / 'bench.sqlite3'} (run again with --sqlite-path … --reuse)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Certificates of a cohort of 250, end to end, with the real task worker.

Run: ``.venv/bin/python benchmarks/bench_certificates.py`` (SQLite in a temporary file), or
``--database-url postgres://postgres@127.0.0.1:5432/plancampus_bench_certificates`` (created,
and dropped at the end unless ``--keep``). About a minute or two.

1. Builds, in a database of its own: one institution (NIE), one course with Khmer, English and
   French titles, and closed cohorts of 250 participants (synthetic Khmer names in both
   scripts) who all completed; half of them print in Khmer, the others in English or French.
2. Starts ``manage.py db_worker`` (the worker ``make serve`` runs) with an empty font cache.
3. For each cohort: the coordinator's request (``certificates_issue``: checks, 250 records,
   the job queued) is timed, then the time until the worker reports the job finished (250
   PDFs written to the media folder and 250 credentials signed). The first cohort pays for
   making the static font instances (once per machine: they are kept in the var folder); the
   second shows the steady state.

Target: 250 certificates in ≤ 60 s on a 2-core machine. The wall time depends on what else
the machine runs, so the CPU time the worker and its drawing processes used is reported too
(from /proc): on an otherwise idle machine with N cores the job takes about that CPU time
divided by min(N, processes). Figures are measured, never asserted; they are printed and
written to benchmarks/results/.
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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402 - the path is set just above
    manage,
    production_env,
    save_results,
    start_worker,
)

TARGET_S = 60.0
FAMILY = [("Chea", "ជា"), ("Heng", "ហេង"), ("Sok", "សុខ"), ("Keo", "កែវ"), ("Lim", "លឹម")]
GIVEN = [("Sokha", "សុខា"), ("Piseth", "ពិសិដ្ឋ"), ("Sreymom", "ស្រីមុំ"), ("Dara", "តារា")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to build (created)")
    parser.add_argument("--size", type=int, default=250, help="participants per cohort")
    parser.add_argument("--cohorts", type=int, default=2, help="cohorts issued one after another")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    return parser.parse_args()


def build(size: int, cohorts: int) -> list[int]:
    from django.utils import timezone

    from plancampus.core.models import Country, Organisation, OrganisationKind, Person, User
    from plancampus.training.models import (
        Cohort,
        CohortStatus,
        Course,
        Enrolment,
        EnrolmentStatus,
        ResultStatus,
    )

    rng = random.Random(7)
    country = Country.objects.create(iso_code="KHM", name_en="Cambodia", name_km="កម្ពុជា")
    nie = Organisation.objects.create(
        country=country,
        kind=OrganisationKind.TRAINING_INSTITUTION,
        code="NIE",
        name_en="National Institute of Education",
        name_fr="Institut national de l'éducation",
        name_km="វិទ្យាស្ថានជាតិអប់រំ",
    )
    course = Course.objects.create(
        institution=nie,
        code="epm-fundamentals",
        title_en="Fundamentals of educational planning and management",
        title_fr="Fondamentaux de la planification et de la gestion de l'éducation",
        title_km="គ្រឹះនៃការរៀបចំផែនការ និងការគ្រប់គ្រងអប់រំ",
        hours=Decimal(36),
    )
    User.objects.create_user("bench-coordinator", password=None)
    now = timezone.now()
    ids = []
    for number in range(cohorts):
        cohort = Cohort.objects.create(
            institution=nie,
            course=course,
            code=f"bench-{number + 1}",
            start_date=dt.date(2025, 3, 3),
            end_date=dt.date(2025, 3, 14),
            capacity=size,
            language="km",
            status=CohortStatus.COMPLETED,
            closed_at=now,
        )
        people = []
        for n in range(size):
            family, given = rng.choice(FAMILY), rng.choice(GIVEN)
            people.append(
                Person(
                    name_latin=f"{family[0]} {given[0]} {number}-{n}",
                    name_km=f"{family[1]} {given[1]}",
                    sex=rng.choice("FM"),
                    organisation=nie,
                )
            )
        people = Person.objects.bulk_create(people)
        # A quarter each in English and French (the account's language), half in Khmer.
        for n, person in enumerate(people[: size // 2]):
            User.objects.create(
                username=f"p{number}-{n}", person=person, language="en" if n % 2 else "fr"
            )
        Enrolment.objects.bulk_create(
            Enrolment(
                cohort=cohort,
                person=person,
                status=EnrolmentStatus.ACCEPTED,
                enrolled_at=now,
                result_status=ResultStatus.COMPLETED,
                attendance_rate=Decimal(95),
                final_mark=Decimal(70),
                result_computed_at=now,
            )
            for person in people
        )
        ids.append(cohort.pk)
    return ids


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of its children it has waited for: the
    worker and its pool of drawing processes. From /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def issue_and_wait(cohort_id: int, worker_pid: int, timeout: float = 600) -> dict[str, object]:
    from plancampus.core.models import User
    from plancampus.training.models import Certificate, Cohort
    from plancampus.training.services.certificates import certificates_issue

    cohort = Cohort.objects.get(pk=cohort_id)
    coordinator = User.objects.get(username="bench-coordinator")
    cpu_before = cpu_seconds(worker_pid)
    started = time.perf_counter()
    issued = certificates_issue(cohort=cohort, issued_by=coordinator)
    request_s = time.perf_counter() - started
    job = issued.job
    assert job is not None
    while True:
        job.refresh_from_db()
        if job.is_finished or time.perf_counter() - started > timeout:
            break
        time.sleep(0.2)
    total_s = time.perf_counter() - started
    time.sleep(1)  # the pool's processes are reaped when the job ends
    worker_cpu_s = cpu_seconds(worker_pid) - cpu_before
    certificates = Certificate.objects.filter(pk__in=[c.pk for c in issued.certificates])
    sizes = [c.pdf.size for c in certificates if c.pdf]
    languages: dict[str, int] = {}
    for language in certificates.values_list("language", flat=True):
        languages[language] = languages.get(language, 0) + 1
    return {
        "certificates": len(issued.certificates),
        "made": sum(1 for c in certificates if c.is_ready),
        "job_status": job.status,
        "request_s": round(request_s, 2),
        "total_s": round(total_s, 1),
        "job_s": job.result.get("seconds"),
        "processes": job.result.get("processes"),
        "worker_cpu_s": round(worker_cpu_s, 1),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "per_certificate_ms": round(1000 * total_s / max(1, len(issued.certificates)), 1),
        "pdf_kb_median": round(statistics.median(sizes) / 1024, 1) if sizes else None,
        "languages": languages,
    }


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="plancampus-bench-certificates-"))
    sqlite_path = None if args.database_url else workdir / "bench.sqlite3"
    env = production_env(workdir, database_url=args.database_url, sqlite_path=sqlite_path)
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    if args.database_url:
        import psycopg

        name = args.database_url.rsplit("/", 1)[1]
        admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    worker = None
    try:
        print(f"Migrating a new database ({args.database_url or sqlite_path}) ...", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        os.environ.update(env)
        import django

        django.setup()
        started = time.perf_counter()
        cohort_ids = build(args.size, args.cohorts)
        print(
            f"Built {args.cohorts} closed cohorts of {args.size} in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        worker = start_worker(env, workdir / "worker.log")
        runs = []
        for number, cohort_id in enumerate(cohort_ids, start=1):
            run = issue_and_wait(cohort_id, worker.popen.pid)
            run["font_cache"] = "cold" if number == 1 else "warm"
            runs.append(run)
            print(
                f"Cohort {number} ({run['font_cache']} font cache): {run['made']}/"
                f"{run['certificates']} certificates in {run['total_s']} s "
                f"(request {run['request_s']} s, job {run['job_s']} s, "
                f"{run['per_certificate_ms']} ms each, PDF median {run['pdf_kb_median']} KiB, "
                f"languages {run['languages']}); CPU used by the worker and its "
                f"{run['processes']} drawing processes: {run['worker_cpu_s']} s; load average "
                f"{run['load_average_1m']} — target ≤ {TARGET_S:.0f} s",
                flush=True,
            )
        payload = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "database": "postgresql" if args.database_url else "sqlite",
            "size": args.size,
            "target_s": TARGET_S,
            "runs": runs,
        }
        print(f"Results: {save_results('certificates', payload)}")
    finally:
        if worker is not None:
            worker.stop()
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if args.database_url:
                import psycopg
                from django.db import connections

                connections.close_all()
                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

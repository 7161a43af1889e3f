"""Shared pieces for the benchmarks (and the multi-process deployment test).

- ``production_env``: the environment of a production-style process (DEBUG off, one database,
  static files collected into a given folder, no inherited test settings);
- ``manage``: run a management command in such an environment, failing with its output;
- ``start_gunicorn`` / ``start_worker``: the production web server on a free loopback port,
  and the task worker, each in its own process group so that ``stop()`` ends it with all its
  children and nothing else;
- ``Client``: a small HTTP client with cookies, CSRF tokens and the login form;
- ``run_fixed_rate``: an open-loop load generator (request *i* is due at ``t0 + i / rate``
  and its latency is counted from that due time, so a slow server cannot slow the load down
  and hide its own queueing: no coordinated omission);
- ``Stats`` and ``report``: percentiles and a printed table.

Only the standard library is used besides Django (through manage.py), so that the helpers
run from ``make bench`` as well as from pytest.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.with_name("gunicorn")
MANAGE = ROOT / "manage.py"

# Variables of the caller's environment that must not leak into a production-style process.
_DROPPED = (
    "DATABASE_URL",
    "SQLITE_PATH",
    "TASKS_BACKEND",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_XDIST_WORKER",
    "PYTEST_CURRENT_TEST",
)


def production_env(
    workdir: Path,
    *,
    database_url: str | None = None,
    sqlite_path: Path | None = None,
    static_root: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a production-style PlanCampus process using one database.

    Give ``database_url`` (PostgreSQL) or ``sqlite_path``. Media, the var folder and (unless
    given) the collected static files live under ``workdir``.
    """
    if (database_url is None) == (sqlite_path is None):
        raise ValueError("give exactly one of database_url and sqlite_path")
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PLANCAMPUS_VAR_DIR=str(workdir / "var"),
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(static_root or workdir / "static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(sqlite_path)
    env.update(extra or {})
    return env


def manage(env: Mapping[str, str], *args: str, timeout: float = 600) -> str:
    """Run ``manage.py *args`` in ``env``; return its output, or raise with it."""
    done = subprocess.run(
        [str(PYTHON), str(MANAGE), *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


@dataclass
class Process:
    """A process started in its own process group, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 10) -> None:
        """SIGTERM to the process group (gunicorn's workers too), SIGKILL after ``grace`` s."""
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=grace)


def start_process(name: str, command: list[str], env: Mapping[str, str], log_path: Path) -> Process:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() reaches its children
        )
    return Process(name, popen, log_path)


@dataclass
class Server:
    process: Process
    url: str

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 80)

    def stop(self) -> None:
        self.process.stop()


_LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


def start_gunicorn(
    env: Mapping[str, str],
    log_path: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    ready_path: str = "/accounts/login/",
    timeout: float = 60,
) -> Server:
    """gunicorn (the production server, as scripts/serve.sh runs it) on a free loopback port.

    The port is chosen by the system (bind to port 0) and read from gunicorn's log, so two
    servers never race for one port. Returns once ``ready_path`` answers.
    """
    process = start_process(
        "gunicorn",
        [
            str(GUNICORN),
            "config.wsgi:application",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--graceful-timeout",
            "5",
            "--error-logfile",
            "-",
        ],
        env,
        log_path,
    )
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if not process.is_running():
            raise RuntimeError(f"gunicorn exited:\n{process.log()}")
        match = _LISTENING.search(process.log())
        if match:
            url = match.group(1)
            try:
                status, _headers, _body = request(url, "GET", ready_path, timeout=5)
            except OSError:
                status = 0
            if status in {200, 302}:
                return Server(process, url)
        time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"gunicorn did not answer on {url or '(no port yet)'}:\n{process.log()}")


def start_worker(env: Mapping[str, str], log_path: Path, *, worker_id: str = "") -> Process:
    """The background task worker (``manage.py db_worker``) polling every half second."""
    command = [str(PYTHON), str(MANAGE), "db_worker", "--interval", "0.5", "--no-startup-delay"]
    if worker_id:
        command += ["--worker-id", worker_id]
    return start_process("db_worker", command, env, log_path)


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children (Linux /proc).

    Unlike latency, this hardly depends on what else runs on the machine: divided by the
    requests served, it says how much of a CPU one request costs the server.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        process_id, parent = int(stat.parent.name), int(fields[1])
        if process_id == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- HTTP ------------------------------------------------------------------------------------


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP request (on ``connection`` if given, kept alive); (status, headers, body)."""
    own = connection is None
    if connection is None:
        parts = urlsplit(base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        if own:
            connection.close()


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Client:
    """Cookies shared across servers, as a browser behind a load balancer would send them."""

    cookies: dict[str, str] = field(default_factory=dict)

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, base_url: str, path: str) -> tuple[int, http.client.HTTPMessage, str]:
        status, headers, body = request(base_url, "GET", path, headers=self._headers())
        self._keep_cookies(headers)
        return status, headers, body.decode("utf-8", errors="replace")

    def post(
        self,
        base_url: str,
        path: str,
        fields: Mapping[str, str],
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, str]:
        """POST a form (multipart when ``files`` are given) with the page's CSRF token."""
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        status, headers, raw = request(
            base_url,
            "POST",
            path,
            body=body,
            headers=self._headers({"Content-Type": content_type}),
        )
        self._keep_cookies(headers)
        return status, headers, raw.decode("utf-8", errors="replace")

    def csrf_token(self, base_url: str, path: str) -> str:
        status, _headers, html = self.get(base_url, path)
        match = _CSRF_INPUT.search(html)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def log_in(self, base_url: str, username: str, password: str) -> None:
        token = self.csrf_token(base_url, "/accounts/login/")
        status, _headers, html = self.post(
            base_url,
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed ({status}): {html[:500]}")


def multipart(
    fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- Load -----------------------------------------------------------------------------------


@dataclass
class Stats:
    name: str
    rate: float
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    elapsed: float = 0.0
    server_cpu_seconds: float | None = None  # measured by the caller, if it can

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful latencies, in seconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.name,
            "rate": self.rate,
            "duration_s": self.duration,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p95_ms": round(self.percentile(95) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 1),
            "achieved_rps": round(self.ok / self.elapsed, 1) if self.elapsed else 0,
            "server_cpu_ms_per_request": self.server_cpu_ms_per_request,
        }

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_seconds is None or not self.ok:
            return None
        return round(self.server_cpu_seconds / (self.ok + self.error_count) * 1000, 1)


def run_fixed_rate(
    name: str,
    base_url: str,
    path: str,
    *,
    headers: Mapping[str, str],
    rate: float = 25,
    duration: float = 20,
    timeout: float = 10,
    threads: int = 64,
    expect_status: int = 200,
) -> Stats:
    """Send GET ``path`` at a fixed ``rate`` for ``duration`` seconds (open loop).

    Request *i* is due at ``t0 + i / rate``; its latency runs from that due time to the end
    of the response, so time spent waiting for a free client thread counts too. The whole
    run is capped at ``duration + timeout`` seconds; a request not answered by then, or
    answered with another status than ``expect_status``, is an error.
    """
    stats = Stats(name, rate, duration)
    lock = threading.Lock()
    closed = threading.Event()  # set at the cap: later answers are not counted
    local = threading.local()
    parts = urlsplit(base_url)

    def connection() -> http.client.HTTPConnection:
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=timeout
            )
        return local.connection

    def one(due: float) -> None:
        # A kept-alive connection the server has just closed fails at once; like a browser,
        # retry such a request once on a new connection (its latency still counts from due).
        for attempt in (1, 2):
            try:
                status, _h, _body = request(
                    base_url, "GET", path, headers=headers, connection=connection()
                )
                latency = time.perf_counter() - due
                outcome = "ok" if status == expect_status else f"HTTP {status}"
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                local.connection.close()
                local.connection = None
                latency, outcome = 0.0, type(error).__name__
                if attempt == 2:
                    break
            except (OSError, http.client.HTTPException) as error:
                if local.connection is not None:
                    local.connection.close()
                local.connection = None
                latency, outcome = 0.0, type(error).__name__
                break
        with lock:
            if closed.is_set():
                return
            if outcome == "ok":
                stats.latencies.append(latency)
            else:
                stats.errors[outcome] = stats.errors.get(outcome, 0) + 1

    total = int(rate * duration)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load")
    futures = []
    t0 = time.perf_counter() + 0.1
    for i in range(total):
        due = t0 + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        futures.append(pool.submit(one, due))
    stats.sent = total
    cap = t0 + duration + timeout
    for future in futures:
        remaining = cap - time.perf_counter()
        if remaining <= 0:
            break
        try:
            future.result(timeout=remaining)
        except TimeoutError:
            break
    with lock:
        closed.set()
        stats.elapsed = time.perf_counter() - t0
        unanswered = total - stats.ok - stats.error_count
        if unanswered:
            stats.errors["unanswered within the cap"] = unanswered
    pool.shutdown(wait=False, cancel_futures=True)
    return stats


def report(all_stats: list[Stats], *, target_p95_ms: float | None = None) -> str:
    """A plain-text table of the runs, and whether each meets the p95 target."""
    lines = [
        f"{'scenario':<34} {'sent':>5} {'ok':>5} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'max':>7}  {'rps':>5} {'cpu/req':>7}" + ("  target" if target_p95_ms else ""),
    ]
    for stats in all_stats:
        d = stats.as_dict()
        line = (
            f"{stats.name:<34} {d['sent']:>5} {d['ok']:>5} {stats.error_count:>4} "
            f"{d['p50_ms']:>7} {d['p95_ms']:>7} {d['p99_ms']:>7} {d['max_ms']:>7}  "
            f"{d['achieved_rps']:>5} {d['server_cpu_ms_per_request'] or '':>7}"
        )
        if target_p95_ms:
            met = stats.error_count == 0 and stats.percentile(95) * 1000 <= target_p95_ms
            line += "  " + ("met" if met else "MISSED")
        lines.append(line)
    lines.append(
        "(latencies in ms, from each request's scheduled time; rps = answered per second; "
        "cpu/req = server CPU ms per request)"
    )
    return "\n".join(lines)


def save_results(name: str, payload: Mapping[str, object]) -> Path:
    """Write the results as JSON into benchmarks/results/ (not committed)."""
    folder = ROOT / "benchmarks" / "results"
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path


def wait_for(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.25, what: str = ""
) -> object:
    """Poll ``condition`` until it returns something truthy; raise after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)


def iter_chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

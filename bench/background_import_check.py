#!/usr/bin/env python
"""A 5,000-row income import from the page, in the background, while another person signs in and reads pages.

Issue 14: from the page, a 5,000-row import hit gunicorn's 30 s timeout, and on SQLite 9 of 9 sign-ins during an
import got a 500. Now the page queues the import and a worker (``manage.py db_worker``) runs it. This check:

1. builds the demo on a SQLite file in a temporary folder (``seed_demo``), production settings (DEBUG off);
2. starts gunicorn (2 sync workers) and one ``db_worker`` against it, as a deployment would;
3. signs in as ``finance`` and uploads a 5,000-row CSV (course fees, the import's documented columns) from
   ``/income/import/`` with "Check the file only" unticked, timing the response;
4. while the job runs, signs in as ``finance2`` again and again and reads five pages after each sign-in, and
   ``finance`` polls the job's page once a second, timing every response and counting every error;
5. prints a table: the upload, the sign-ins, the pages, the job page, errors, and the time until the job is done.

    .venv/bin/python bench/background_import_check.py               # record the file (the default)
    .venv/bin/python bench/background_import_check.py --check-only  # "Check the file only"
    .venv/bin/python bench/background_import_check.py --rows 500    # a smaller file, for a quick look

The second factor is not what is measured here, so RINGFENCE_REQUIRE_SECOND_FACTOR=0 and nobody has one set up:
a sign-in is the password form alone. Timings go to BENCHMARKS.md, never into tests.
"""

import argparse
import csv
import http.client
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, print_machine, print_table, progress  # noqa: E402

PASSWORD = os.environ.get("DEMO_PASSWORD") or "ringfence-demo-2026"
UPLOADER, READER = "finance", "finance2"
READER_PAGES = ["/", "/funds/", "/income/", "/grants/", "/jobs/"]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def environment(folder: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'ringfence.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; cookies are sent back by hand (they are Secure)
        "RINGFENCE_MEDIA_ROOT": str(folder / "media"),
        "RINGFENCE_ANCHOR_PATH": str(folder / "anchors.jsonl"),
        "RINGFENCE_ANCHOR_KEY": "bench-only-anchor-key-not-used-anywhere-else-0123456789abcdef",
        "RINGFENCE_REQUIRE_SECOND_FACTOR": "0",
        "RINGFENCE_TASKS_IMMEDIATE": "0",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# --- the file ------------------------------------------------------------------------------------------------------

def import_file(rows: int) -> tuple[str, bytes]:
    """Course fees for the demo's speed-awareness fund, dated in the latest open month up to today: every row is
    valid, so the whole file is recorded (or, checking only, would be)."""
    from datetime import timedelta

    from django.utils import timezone

    from funds.models import Fund, Period
    from income.import_files import REQUIRED_COLUMNS
    from income.kinds import INCOME_KINDS, income_fund_check

    today = timezone.localdate()
    period = (Period.objects.filter(is_closed=False, start_date__lte=today, number__lte=12)
              .order_by("-start_date").first())
    last = min(period.end_date, today)
    days = (last - period.start_date).days + 1
    fund = None
    for candidate in Fund.objects.order_by("code"):
        try:
            income_fund_check(kind=INCOME_KINDS["fee"], fund=candidate)
        except Exception:  # noqa: BLE001 - a fund that does not take course fees
            continue
        fund = candidate
        break
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*REQUIRED_COLUMNS, "courses"])
    run = uuid.uuid4().hex[:6].upper()
    for i in range(rows):
        day = period.start_date + timedelta(days=i % days)
        writer.writerow([fund.code, f"{day:%d/%m/%Y}", "fee", f"NDORS-{run}-{i:05d}", f"{120 + i % 40}.00",
                         f"Course fees batch {i}", str(1 + i % 9)])
    return f"fees-{rows}.csv", out.getvalue().encode()


# --- a person at a browser -----------------------------------------------------------------------------------------

class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        headers = {"Host": "127.0.0.1", "User-Agent": "ringfence-background-import-check"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
            raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, data, elapsed

    def token(self, path: str) -> tuple[str, float]:
        status, _, page, elapsed = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return found.group(1).decode(), elapsed

    def sign_in(self, username: str) -> float:
        """The login form, then its POST: the time a person waits for both."""
        token, first = self.token("/login/")
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"})
        status, _, _, second = self.request("POST", "/login/", body.encode(), "application/x-www-form-urlencoded")
        if status != 302:
            raise RuntimeError(f"sign-in as {username}: HTTP {status}")
        return first + second

    def upload(self, name: str, content: bytes, *, check_only: bool) -> tuple[int, str, float]:
        token, _ = self.token("/income/import/")
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                 .encode()]
        if check_only:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="check_only"\r\n\r\non\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        status, headers, _, elapsed = self.request("POST", "/income/import/", b"".join(parts),
                                                   f"multipart/form-data; boundary={boundary}")
        return status, headers.get("Location", ""), elapsed


# --- servers -------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for_port(port: int, proc: subprocess.Popen) -> None:
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
    raise SystemExit("gunicorn did not open its port")


# --- the run -------------------------------------------------------------------------------------------------------

def reader_loop(port: int, stop_event: threading.Event, samples: dict, errors: dict) -> None:
    """``finance2`` signs in, reads the pages, and starts again, until the job is done."""
    while not stop_event.is_set():
        browser = Browser(port)
        try:
            samples["sign-in (login form + POST)"].append(browser.sign_in(READER))
        except Exception as error:  # noqa: BLE001 - counted and reported
            errors["sign-in (login form + POST)"].append(str(error))
            time.sleep(0.5)
            continue
        for path in READER_PAGES:
            if stop_event.is_set():
                break
            label = f"page {path} (finance2)"
            try:
                status, _, _, elapsed = browser.request("GET", path)
            except Exception as error:  # noqa: BLE001
                errors[label].append(repr(error))
                continue
            (samples[label] if status == 200 else errors[label]).append(elapsed if status == 200 else f"HTTP {status}")


def job_state(job_pk: int) -> tuple[str, str]:
    from django.db import connections

    from jobs.models import Job

    job = Job.objects.get(pk=job_pk)
    connections.close_all()  # never hold the SQLite file between polls
    return job.status, job.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--check-only", action="store_true", help='tick "Check the file only"')
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args()

    info = machine()
    folder = Path(tempfile.mkdtemp(prefix="rf_background_"))
    env = environment(folder)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DATABASE_URL", "DJANGO_", "RINGFENCE_"))})
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    gunicorn = worker = None
    try:
        progress(f"building the demo on SQLite in {folder} (migrate, seed_demo, collectstatic)")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        import django

        django.setup()
        from django.db import connections

        name, content = import_file(args.rows)
        connections.close_all()

        port = free_port()
        gunicorn = start([str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                          "--workers", "2", "--timeout", "30", "--log-level", "warning"], env, folder / "gunicorn.log")
        worker = start([PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "1", "--verbosity", "1"],
                       env, folder / "worker.log")
        wait_for_port(port, gunicorn)
        progress(f"gunicorn (2 workers) on port {port} and one db_worker started; uploading {name}")

        samples: dict[str, list] = defaultdict(list)
        errors: dict[str, list] = defaultdict(list)
        uploader = Browser(port)
        uploader.sign_in(UPLOADER)
        stop_event = threading.Event()
        reader = threading.Thread(target=reader_loop, args=(port, stop_event, samples, errors), daemon=True)
        reader.start()
        time.sleep(2)  # the reader is signing in and reading before the upload starts
        started = time.perf_counter()
        status, location, upload_seconds = uploader.upload(name, content, check_only=args.check_only)
        if status != 302 or not location.startswith("/jobs/"):
            stop_event.set()
            raise SystemExit(f"the upload answered HTTP {status} ({location or 'no redirect'})")
        job_pk = int(location.strip("/").split("/")[-1])
        samples["upload (POST /income/import/)"].append(upload_seconds)
        state, summary = "queued", ""
        while state in ("queued", "running"):
            time.sleep(1)
            try:
                code, _, _, elapsed = uploader.request("GET", location)
                (samples["job page (finance)"] if code == 200 else errors["job page (finance)"]).append(
                    elapsed if code == 200 else f"HTTP {code}")
            except Exception as error:  # noqa: BLE001
                errors["job page (finance)"].append(repr(error))
            state, summary = job_state(job_pk)
            if time.perf_counter() - started > 1800:
                raise SystemExit("the job did not finish in 30 minutes")
        finished = time.perf_counter() - started
        stop_event.set()
        reader.join(timeout=120)

        rows = []
        for label in ["upload (POST /income/import/)", "sign-in (login form + POST)",
                      *[f"page {p} (finance2)" for p in READER_PAGES], "job page (finance)"]:
            times = samples.get(label, [])
            failed = errors.get(label, [])
            rows.append([label, len(times) + len(failed), len(failed),
                         f"{statistics.median(times) * 1000:.0f}" if times else "-",
                         f"{max(times) * 1000:.0f}" if times else "-",
                         f"{sum(t > 1 for t in times)}"])
        print_machine(info)
        print(f"\nSQLite file database (WAL, busy timeout 20 s), gunicorn 2 sync workers (timeout 30 s), one "
              f"db_worker; {args.rows:,}-row CSV, {'check only' if args.check_only else 'recorded'}.")
        print_table(["what", "requests", "errors", "median ms", "max ms", "over 1 s"], rows,
                    title="Responses while the import runs in the background")
        print_table(["job", "status", "seconds from upload to done", "summary"],
                    [[job_pk, state, f"{finished:.1f}", summary]], title="The job")
        all_errors = [f"{label}: {e}" for label, items in errors.items() for e in items]
        if all_errors:
            print("\nErrors (first 10):")
            for line in all_errors[:10]:
                print(f"  {line}")
        server_errors = (folder / "gunicorn.log").read_text(errors="replace").count("Traceback")
        print(f"\nTracebacks in gunicorn's log: {server_errors}. Logs: {folder if args.keep else '(deleted)'}")
    finally:
        for proc in (worker, gunicorn):
            if proc is not None:
                stop(proc)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

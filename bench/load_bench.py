#!/usr/bin/env python
"""Load benchmark (issue 6): the served application under 20 simulated users, and queries per page as data grows.

1. Queries per page, at tier S and tier M (PostgreSQL databases rf_bench_s and rf_bench_m from
   ``bench/generate.py``), through Django's test client with CaptureQueriesContext: no page may issue more
   queries on the bigger tier.
2. gunicorn serves the application on 127.0.0.1 (production settings, DEBUG off) against tier M. Simulated users
   (threads, http.client, keep-alive where the server allows) log in through the login form with its CSRF token,
   then browse their role's pages in a loop for the duration (a think time between pages, as a person clicks),
   loopback only, bounded in time. Reports requests per second and p50/p95 latency per page.

    .venv/bin/python bench/load_bench.py                  # 20 users, 60 s (generates tiers S and M if missing)
    .venv/bin/python bench/load_bench.py --think 0        # no think time: the server's saturation throughput
    .venv/bin/python bench/load_bench.py --quick          # smoke check: 4 users for 10 s on a reduced tier
"""

import argparse
import http.client
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_setup, emit_result, machine, print_machine, print_table, progress, run_child  # noqa: E402
from bench.generate import database_url  # noqa: E402

PASSWORD = os.environ.get("DEMO_PASSWORD") or "ringfence-demo-2026"
USERS = {"finance": ["finance", "finance2"], "commissioner": ["commissioner", "commissioner2"],
         "director": ["director"]}
MIX = {"finance": 8, "commissioner": 6, "director": 6}  # of 20 users
BENCH_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; cookies are sent back by hand (they are Secure)
}


def role_pages(ids: dict) -> dict[str, list[tuple[str, str]]]:
    """(label, path) per role: each role's daily pages, the detail pages on the busiest records."""
    return {
        "finance": [
            ("home (officer)", "/"), ("funds", "/funds/"), ("fund detail", f"/funds/{ids['fund']}/"),
            ("budgets", "/budgets/"), ("income", "/income/"), ("grants", "/grants/"),
            ("grants search", "/grants/?q=service"), ("grant detail", f"/grants/{ids['grant']}/"),
            ("grant timeline", f"/grants/{ids['grant']}/timeline/"), ("organisations", "/organisations/"),
            ("payments due", "/payments/due/"), ("returns due", "/returns/due/"), ("journal", "/journal/"),
        ],
        "commissioner": [
            ("home (commissioner)", "/"), ("approvals", "/approvals/"), ("grants", "/grants/"),
            ("grant detail", f"/grants/{ids['grant']}/"), ("decisions", "/decisions/"), ("virements", "/virements/"),
        ],
        "director": [
            ("home (director)", "/"), ("dashboards", "/dashboards/"), ("statements", "/statements/"),
            ("funds", "/funds/"), ("fund detail", f"/funds/{ids['fund']}/"), ("grants", "/grants/"),
        ],
    }


# --- queries per page (in-process, test client) -------------------------------------------------------------------


def busiest_ids() -> dict:
    from django.db.models import Count

    from grants.models import Grant
    from ledger.models import JournalLine

    grant = Grant.objects.annotate(n=Count("instalments__payments")).order_by("-n", "pk").first()
    fund_id = JournalLine.objects.values("fund_id").annotate(n=Count("id")).order_by("-n").first()["fund_id"]
    from funds.models import Fund

    return {"grant": grant.pk, "fund": Fund.objects.get(pk=fund_id).code}


def page_queries(args) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ids = busiest_ids()
    counts, statuses = {}, {}
    for role, pages in role_pages(ids).items():
        client = Client()
        client.force_login(User.objects.get(username=USERS[role][0]))
        for label, path in pages:
            client.get(path, secure=True)  # warm: sessions, caches
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, secure=True)
            counts[f"{role}: {label}"] = len(ctx.captured_queries)
            statuses[f"{role}: {label}"] = response.status_code
    return {"queries": counts, "statuses": statuses, "ids": ids}


def queries_child(args) -> None:
    os.environ.update(BENCH_ENV)
    django_setup(database_url("postgres", args.tier, fresh=False), migrate=False)
    result = page_queries(args)
    from grants.models import Grant
    from ledger.models import JournalLine

    result.update(tier=args.tier, lines=JournalLine.objects.count(), grants=Grant.objects.count())
    emit_result(result)


# --- the load run -------------------------------------------------------------------------------------------------


class Browser:
    """One simulated person: a keep-alive connection, the cookies the server set, CSRF from the login form."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Host": "127.0.0.1", "User-Agent": "ringfence-load-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (TimeoutError, http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, data, elapsed

    def login(self, username: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
                          "password": PASSWORD, "next": "/"})
        status, _, _ = self.request("POST", "/login/", body)
        if status != 302:
            raise RuntimeError(f"login as {username}: HTTP {status} (wrong password or locked out?)")


def user_loop(port, role, username, pages, deadline, think, seed, samples, errors, measure_from=0.0):
    rng = random.Random(seed)
    browser = Browser(port)
    try:
        browser.login(username)
    except Exception as error:  # noqa: BLE001 - counted and reported
        errors["login"].append(str(error))
        return
    order = list(pages)
    while time.monotonic() < deadline:
        rng.shuffle(order)
        for label, path in order:
            if time.monotonic() >= deadline:
                return
            try:
                status, _, elapsed = browser.request("GET", path)
            except Exception as error:  # noqa: BLE001
                errors[label].append(repr(error))
                continue
            if time.monotonic() < measure_from:
                pass  # warm-up: everyone logging in at once (password hashing) queues the first pages
            elif status != 200:
                errors[label].append(f"HTTP {status}")
            else:
                samples[label].append(elapsed)
            if think:
                time.sleep(rng.uniform(think * 0.5, think * 1.5))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collect_static() -> None:
    """Production settings serve hashed static files (WhiteNoise's manifest): collect them as a deployment does."""
    env = {**os.environ, **BENCH_ENV}
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def serve(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url}
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
    raise SystemExit("gunicorn did not open its port")


def load_run(args, ids: dict) -> dict:
    url = database_url("postgres", args.tier, fresh=False)
    port = free_port()
    proc = serve(url, port, args.workers)
    try:
        pages = role_pages(ids)
        samples, errors = defaultdict(list), defaultdict(list)
        measure_from = time.monotonic() + args.warmup
        deadline = measure_from + args.seconds
        threads = []
        n = 0
        mix = {role: max(1, round(count * args.users / 20)) for role, count in MIX.items()}
        for role, count in mix.items():
            for i in range(count):
                username = USERS[role][i % len(USERS[role])]
                threads.append(threading.Thread(target=user_loop, daemon=True, args=(
                    port, role, username, pages[role], deadline, args.think, n, samples, errors, measure_from)))
                n += 1
        load_before = os.getloadavg()[0]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.warmup + args.seconds + 60)
        wall = args.seconds
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    per_page = {}
    for label, times in samples.items():
        times.sort()
        per_page[label] = {"n": len(times), "rps": len(times) / wall, "p50_ms": statistics.median(times) * 1000,
                           "p95_ms": times[math.ceil(len(times) * 0.95) - 1] * 1000, "max_ms": times[-1] * 1000,
                           "errors": len(errors.get(label, []))}
    total = sum(len(t) for t in samples.values())
    every = sorted(x for t in samples.values() for x in t)
    return {"users": len(threads), "mix": mix, "seconds": wall, "requests": total, "rps": total / wall,
            "p50_ms": statistics.median(every) * 1000 if every else 0,
            "p95_ms": every[math.ceil(len(every) * 0.95) - 1] * 1000 if every else 0,
            "pages": per_page, "errors": {k: v[:3] for k, v in errors.items()},
            "load": f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}", "workers": args.workers, "think": args.think}


def ensure_tier(tier: str, quick: bool) -> None:
    import psycopg

    from bench.common import pg_url
    from bench.generate import tier_db_name

    with psycopg.connect(pg_url("postgres")) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [tier_db_name(tier)]).fetchone()
    if not exists:
        progress(f"generating tier {tier} on PostgreSQL")
        run_child("bench/generate.py", ["--child", "--tier", tier, "--db", "postgres"]
                  + (["--quick", "--keep"] if quick else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's pages (0: none)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of logging in and browsing not measured")
    parser.add_argument("--quick", action="store_true", help="smoke check: 4 users for 10 s on a reduced S")
    parser.add_argument("--child-queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tier", default="M", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_queries:
        queries_child(args)
        return
    print_machine(machine())
    tiers = ["S"] if args.quick else ["S", "M"]
    if args.quick:
        args.users, args.seconds, args.warmup = 4, 10, 2
    for tier in tiers:
        ensure_tier(tier, args.quick)
    collect_static()
    queries = {t: run_child(__file__, ["--child-queries", "--tier", t]) for t in tiers}
    labels = list(queries[tiers[0]]["queries"])
    print_table(["page (role: page)", *(f"queries at {t} ({queries[t]['lines']:,} lines, {queries[t]['grants']} "
                                        f"grants)" for t in tiers), "grows?"],
                [[label, *(f"{queries[t]['queries'][label]} (HTTP {queries[t]['statuses'][label]})" for t in tiers),
                  "YES" if queries[tiers[-1]]["queries"][label] > queries[tiers[0]]["queries"][label] else "no"]
                 for label in labels], title="Queries per page (Django test client, production settings)")
    args.tier = tiers[-1]
    progress(f"load: {args.users} users for {args.seconds} s against tier {args.tier} (gunicorn, "
             f"{args.workers} workers)")
    result = load_run(args, queries[args.tier]["ids"])
    rows = [[label, s["n"], f"{s['rps']:.1f}", f"{s['p50_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['max_ms']:.0f}",
             s["errors"]] for label, s in sorted(result["pages"].items())]
    rows.append(["all pages", result["requests"], f"{result['rps']:.1f}", f"{result['p50_ms']:.0f}",
                 f"{result['p95_ms']:.0f}", "", sum(s["errors"] for s in result["pages"].values())])
    print_table(["page", "requests", "req/s", "p50 ms", "p95 ms", "max ms", "errors"], rows,
                title=f"Load: {result['users']} users ({', '.join(f'{n} {r}' for r, n in result['mix'].items())}), "
                      f"{result['seconds']:.0f} s measured after {args.warmup:.0f} s warm-up, "
                      f"think time {args.think} s, gunicorn {args.workers} sync workers, "
                      f"tier {args.tier} on PostgreSQL; 1-min load average {result['load']}")
    if result["errors"]:
        print("Errors (first of each):", result["errors"])
    worst = max((s["p95_ms"] for s in result["pages"].values()), default=0)
    print(f"\nAim p95 < 300 ms on every page: {'MET' if worst < 300 else 'NOT MET'} (worst p95 {worst:.0f} ms)")
    emit = os.environ.get("BENCH_JSON")
    if emit:
        emit_result({"queries": queries, "load": result})


if __name__ == "__main__":
    main()

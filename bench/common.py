"""Shared plumbing for the benchmarks: throwaway databases, Django setup, machine description, timing and tables.

Benchmarks are scripts that print tables, never tests. Each database is measured in its own child process
(Django is set up once per process, against one DATABASE_URL), so peak memory is per database too.
"""

import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/rf_bench"
RESULT_MARK = "BENCH-RESULT "


# --- Throwaway databases ----------------------------------------------------------------------------------------


def pg_url(name: str | None = None) -> str:
    url = os.environ.get("BENCH_PG_URL") or PG_DEFAULT
    if name:
        url = url.rsplit("/", 1)[0] + "/" + name
    return url


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def create_database(kind: str, name: str = "rf_bench") -> tuple[str, callable]:
    """Create an empty database; return its DATABASE_URL and a function that drops it."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="rf_bench_")
        url = f"sqlite:///{folder}/{name}.sqlite3"
        return url, lambda: shutil.rmtree(folder, ignore_errors=True)
    url = pg_url(name)
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(url, f'CREATE DATABASE "{name}"')
    return url, lambda: _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(url: str, *, migrate: bool = True) -> None:
    """Point Django at ``url`` with production-like settings (DEBUG off) and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # Production settings need the ledger's anchor file and its key outside the database: one file per bench
    # database under var/bench/anchors/, with a key used for benchmarks only.
    os.environ.setdefault("RINGFENCE_ANCHOR_PATH", str(ROOT / "var" / "bench" / "anchors" / (
        url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".sqlite3") + ".jsonl")))
    os.environ.setdefault("RINGFENCE_ANCHOR_KEY", "bench-only-anchor-key-not-used-anywhere-else-0123456789abcdef")
    Path(os.environ["RINGFENCE_ANCHOR_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


# --- Child processes, one per database ---------------------------------------------------------------------------


def run_child(script: str, args: list[str]) -> dict:
    """Run ``script`` in a fresh interpreter; its progress goes to our stderr, its result comes back as JSON."""
    proc = subprocess.run(
        [sys.executable, script, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=None, text=True, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
        print(line)
    raise SystemExit(f"{script} {' '.join(args)} failed (exit {proc.returncode})")


def emit_result(result: dict) -> None:
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- Measuring ---------------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *, repeat: int = 7, warmup: int = 1) -> dict:
    """Median and best wall time of ``fn`` in milliseconds, after warm-up runs (warm caches, as in use)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "runs": repeat}


def traced_peak_mb(fn) -> float:
    """Peak Python allocation while ``fn`` runs (tracemalloc; slows it down, so never timed at the same time)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def query_count(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@contextmanager
def stopwatch():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


# --- The machine ---------------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = "unavailable"
    try:
        import psycopg

        with psycopg.connect(pg_url("postgres")) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001 - the description must not fail the benchmark
        pg = f"unavailable ({error.__class__.__name__})"
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "load_average_at_start": load,
    }


def print_machine(info: dict) -> None:
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory_gb']} GB RAM; Python {info['python']}, "
        f"SQLite {info['sqlite']}, PostgreSQL {info['postgresql']}; {info['date']}; "
        f"load average at start {info['load_average_at_start']}"
    )


def print_table(headers: list[str], rows: list[list], *, title: str = "") -> None:
    """A Markdown table, so it can be pasted into BENCHMARKS.md as it is."""
    if title:
        print(f"\n{title}\n")
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 1000 else f"{value / 1000:,.2f} s"

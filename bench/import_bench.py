#!/usr/bin/env python
"""Income import benchmark (issue 14): 5,000 course-fee rows through ``income.importing.income_import``.

Issue 14 asks that a 5,000-row import finish in under 10 s on PostgreSQL, and on SQLite an import holds the one write
lock for its whole length (sign-ins wait for it), so its length is what a person signing in meanwhile waits.

For each database, in a child process of its own: a throwaway database is created, migrated and given the demo
(``seed_demo``), then analysed (``VACUUM ANALYZE`` / ``ANALYZE``: a database in service has its statistics, while a
freshly built one has none, and the ledger's triggers then plan badly); then the same CSV of course fees (the file
``bench/background_import_check.py`` uploads: the demo's fee fund, dated in the latest open month, every row valid)
is imported by ``finance`` twice, as the page does it: "check the file only" (everything done, then rolled back),
then recorded. Each run is timed and its queries counted (every round trip, savepoints included). The ledger is
verified after the recorded run.

    .venv/bin/python bench/import_bench.py                     # SQLite and PostgreSQL (BENCH_PG_URL)
    .venv/bin/python bench/import_bench.py --db sqlite         # one database
    .venv/bin/python bench/import_bench.py --rows 500          # a smaller file, for a quick look

Prints a Markdown table: database, mode, rows, seconds, rows/s, queries per row. Timings go to BENCHMARKS.md, never
into tests (tests/income/test_income_batch.py asserts the queries per row).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    create_database,
    django_setup,
    emit_result,
    machine,
    print_machine,
    print_table,
    progress,
    run_child,
)

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
AIM_SECONDS = 10  # issue 14, PostgreSQL


def child(args) -> None:
    url, drop = create_database(args.db, name=f"rf_import_bench_{args.db}")
    # The demo closes months, and each close anchors the chain head: in a file of this run's own, not one left by an
    # earlier run of a database since dropped.
    anchors = Path(tempfile.mkdtemp(prefix="rf_import_bench_"))
    os.environ["RINGFENCE_ANCHOR_PATH"] = str(anchors / "anchors.jsonl")
    try:
        progress(f"{args.db}: migrating {url.split('@')[-1]}")
        django_setup(url)
        result = measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop()
            shutil.rmtree(anchors, ignore_errors=True)
    emit_result(result)


def measure(args) -> dict:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from bench.background_import_check import import_file
    from income.importing import income_import
    from ledger.verification import verify

    progress(f"{args.db}: seed_demo")
    started = time.perf_counter()
    call_command("seed_demo", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    progress(f"{args.db}: demo built and analysed in {time.perf_counter() - started:.0f} s")

    name, data = import_file(args.rows)
    finance = User.objects.get(username="finance")
    runs = []
    for dry_run in (True, False):
        mode = "check only" if dry_run else "record"
        queries = [0]

        def count(execute, sql, params, many, context, queries=queries):
            queries[0] += 1
            return execute(sql, params, many, context)

        progress(f"{args.db}: importing {args.rows:,} rows ({mode})")
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            report = income_import(name=name, data=data, by=finance, dry_run=dry_run)
            seconds = time.perf_counter() - start
        if not report.ok or len(report.recorded) != args.rows:
            raise SystemExit(f"{args.db} {mode}: {report.summary()} {[str(p) for p in report.problems[:3]]}")
        runs.append({"mode": mode, "rows": args.rows, "seconds": seconds, "queries": queries[0]})
        progress(f"{args.db}: {mode} took {seconds:.1f} s, {queries[0]:,} queries")
    problems = verify().problems
    return {"database": args.db, "runs": runs, "verified": not problems, "problems": [str(p) for p in problems[:5]]}


def report(results: list[dict]) -> None:
    rows = []
    for result in results:
        for run in result["runs"]:
            rows.append([NAMES[result["database"]], run["mode"], f"{run['rows']:,}", f"{run['seconds']:.1f}",
                         f"{run['rows'] / run['seconds']:,.0f}", f"{run['queries'] / run['rows']:.1f}"])
    print_table(["database", "mode", "rows", "seconds", "rows/s", "queries per row"], rows,
                title="Income import (course fees, one transaction, income_import)")
    for result in results:
        verdict = "verified" if result["verified"] else f"NOT verified: {result['problems']}"
        print(f"{NAMES[result['database']]}: ledger {verdict} after the recorded import.")
    pg = next((r for r in results if r["database"] == "postgres"), None)
    if pg is not None:
        slowest = max(run["seconds"] for run in pg["runs"])
        print(f"Aim: a 5,000-row import in under {AIM_SECONDS} s on PostgreSQL: "
              f"{'MET' if slowest < AIM_SECONDS and pg['runs'][0]['rows'] >= 5000 else 'NOT MET'} "
              f"(slowest run {slowest:.1f} s for {pg['runs'][0]['rows']:,} rows).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=5000, help="rows in the file (default 5,000)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    info = machine()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    passthrough = ["--rows", str(args.rows)] + (["--keep"] if args.keep else [])
    results = [run_child(__file__, ["--child", "--db", db, *passthrough]) for db in dbs]
    print_machine(info)
    report(results)
    if not all(r["verified"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Budget monitoring benchmark (issue 13): the monitoring statement on data tiers S, M and L (``bench/generate.py``)
on SQLite and PostgreSQL.

Per tier and database: the time (median of warm runs) and query count of building the monitoring statement for the
latest month ended (as at its last day, known now), the same for the month before it, and the time of its PDF and
Excel files (built and rendered as the month page's download does). Before measuring, the tier gets what the
statement reads besides the ledger, through the services: global and per-fund RAG thresholds and commentary on
every other budget line of the month (added once; a tier measured again keeps them).

Aims at L on PostgreSQL: build under 150 ms, the PDF under 5 s, the same query count on every tier.

    .venv/bin/python bench/monitoring_bench.py --tiers S --db sqlite          # a quick look, a few minutes
    .venv/bin/python bench/monitoring_bench.py --tiers L --db postgres --reuse
    .venv/bin/python bench/monitoring_bench.py                                # S, M, L on both databases
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    django_setup,
    emit_result,
    machine,
    ms,
    print_machine,
    print_table,
    progress,
    query_count,
    run_child,
    timed,
)
from bench.generate import database_url, drop_tier  # noqa: E402
from bench.statements_bench import NAMES, tier_exists  # noqa: E402

BUILD_AIM_MS = 150
PDF_AIM_MS = 5000


def sqlite_machine() -> dict:
    """The machine description without asking a PostgreSQL server for its version (an SQLite-only run)."""
    import platform
    import sqlite3
    from datetime import datetime

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    return {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "nproc": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "cpu": cpu,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": "not used",
            "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def prepare(users) -> dict:
    """Thresholds and commentary for the month measured, through the services (once per tier)."""
    from funds.models import BudgetLine, Fund
    from monitoring.models import BudgetCommentary, RagThreshold
    from monitoring.selectors import month_due
    from monitoring.services import commentary_record, rag_threshold_set

    period = month_due()
    director, officer = users["director"], users["finance"]
    if not RagThreshold.objects.exists():
        rag_threshold_set(amber_percent="5", amber_amount="5000", red_percent="10", red_amount="10000",
                          by=director, reason="Benchmark: global thresholds")
        for fund in Fund.objects.order_by("code")[:2]:
            rag_threshold_set(fund=fund, amber_percent="10", amber_amount="10000", red_percent="20",
                              red_amount="25000", by=director, reason="Benchmark: the fund's own")
    if not BudgetCommentary.objects.filter(period=period).exists():
        for n, line in enumerate(BudgetLine.objects.filter(year=period.year).select_related("fund").order_by("pk")):
            if n % 2 == 0:
                commentary_record(line=line, period=period, by=officer,
                                  text=f"Benchmark commentary on {line.heading}: phasing and timing of payments.",
                                  reason="" if not period.is_closed else "Benchmark")
    return {"period": period, "lines": BudgetLine.objects.filter(year=period.year).count(),
            "funds": Fund.objects.count()}


def measure(args) -> dict:
    from django.contrib.auth.models import User

    from funds.models import Period
    from ledger.models import JournalLine
    from reports.exports import render
    from reports.statements.monitoring import MonitoringStatement, monitoring_for_month

    users = {u.username: u for u in User.objects.filter(username__in=["finance", "director"])}
    made = prepare(users)
    period = made["period"]
    earlier = (Period.objects.filter(Period.MONTHS, start_date__lt=period.start_date).order_by("-start_date")
               .first())
    result = {"lines": JournalLine.objects.count(), "budget_lines": made["lines"], "funds": made["funds"],
              "month": f"{period.start_date:%Y-%m}", "builds": {}}
    repeat = 7
    progress(f"{args.db} {args.tier}: {result['lines']:,} journal lines; monitoring for {result['month']}")
    for label, month in (("latest month ended", period), ("the month before", earlier)):
        if month is None:
            continue
        params = monitoring_for_month(f"{month.start_date:%Y-%m}")

        def build(params=params):
            return list(MonitoringStatement(params).rows())

        stats = timed(build, repeat=repeat)
        stats["queries"] = query_count(build)
        stats["rows"] = len(build())
        result["builds"][f"{label} ({month.start_date:%b %Y})"] = stats
    for fmt in ("pdf", "xlsx"):
        def produce(fmt=fmt):
            return len(render(fmt, year=period.year, as_at=period.end_date, statement="monitoring")[2])

        stats = timed(produce, repeat=3)
        stats["bytes"] = produce()
        result[fmt] = stats
    return result


def child(args) -> None:
    django_setup(database_url(args.db, args.tier, fresh=False), migrate=True)  # adds monitoring's tables if new
    result = measure(args)
    result.update(tier=args.tier, db=args.db, load=" ".join(f"{x:.1f}" for x in os.getloadavg()))
    from django.db import connections

    connections.close_all()
    emit_result(result)


def report(results: list[dict]) -> None:
    if not results:
        return
    cols = [f"{r['tier']} {NAMES[r['db']]}" for r in results]
    print_table(["", *cols], [
        ["journal lines", *(f"{r['lines']:,}" for r in results)],
        ["funds / budget lines of the year", *(f"{r['funds']} / {r['budget_lines']}" for r in results)],
        ["1-min load average at the end", *(r["load"].split()[0] for r in results)],
    ], title="Data")
    rows = []
    for label in results[0]["builds"]:
        rows.append([f"build: {label}", *(
            f"{ms(r['builds'][label]['median_ms'])} ({r['builds'][label]['queries']} q, "
            f"{r['builds'][label]['rows']:,} rows)" if label in r["builds"] else "-" for r in results)])
    for fmt, name in (("pdf", "PDF"), ("xlsx", "Excel")):
        rows.append([f"{name}: built and rendered", *(
            f"{ms(r[fmt]['median_ms'])} ({r[fmt]['bytes'] / 1024:,.0f} KB)" for r in results)])
    print_table(["monitoring statement (median, queries, rows)", *cols], rows,
                title="Budget monitoring (time, query count, rows)")
    for r in results:
        if r["tier"] == "L" and r["db"] == "postgres":
            build = next(iter(r["builds"].values()))["median_ms"]
            pdf = r["pdf"]["median_ms"]
            print("\nAims at L on PostgreSQL:",
                  f"build < {BUILD_AIM_MS} ms: {'MET' if build < BUILD_AIM_MS else 'NOT MET'} ({ms(build)});",
                  f"PDF < {PDF_AIM_MS / 1000:.0f} s: {'MET' if pdf < PDF_AIM_MS else 'NOT MET'} ({ms(pdf)}).")
    counts = {s["queries"] for r in results for s in r["builds"].values()}
    print("Query counts the same on every tier, database and month:", "yes" if len(counts) == 1 else
          f"no: {sorted(counts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiers", nargs="+", choices=["S", "M", "L"], default=["S", "M", "L"])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reuse", action="store_true", help="use tiers generated before (generate.py) if present")
    parser.add_argument("--drop", action="store_true", help="drop each tier's database once measured")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tier", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print_machine(machine() if "postgres" in dbs else sqlite_machine())
    results = []
    for tier in args.tiers:
        for db in dbs:
            if not (args.reuse and tier_exists(db, tier)):
                progress(f"generating tier {tier} on {db}")
                generated = run_child("bench/generate.py", ["--child", "--tier", tier, "--db", db])
                progress(f"tier {tier} on {db}: {generated['lines']:,} lines in {generated['seconds']:.0f} s")
            results.append(run_child(__file__, ["--child", "--tier", tier, "--db", db]))
            if args.drop:
                drop_tier(db, tier)
    report(results)


if __name__ == "__main__":
    main()

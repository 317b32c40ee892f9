#!/usr/bin/env python
"""Statements benchmark (issue 5): every statement in the reports registry, and the Excel and PDF packs, on data
tiers S, M and L (``bench/generate.py``) on SQLite and PostgreSQL.

Per tier and database: the time (median of warm runs) and query count of each statement for the current year
(as at today, known now) and of the fund statement as at a past date and known at a past moment; the same fund
aggregate written as one raw SQL query over the journal lines (the floor the statement is compared with); the
time of the Excel and PDF packs (statements built and rendered, as a download does) and the peak memory of a
process producing each (a forked child per pack: its peak resident set, VmHWM).

    .venv/bin/python bench/statements_bench.py                      # S, M, L on both databases (about 2 hours)
    .venv/bin/python bench/statements_bench.py --tiers S M --reuse  # measure tiers already generated
    .venv/bin/python bench/statements_bench.py --quick              # smoke check on a reduced S, under a minute
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    django_setup,
    emit_result,
    machine,
    ms,
    peak_rss_mb,
    pg_url,
    print_machine,
    print_table,
    progress,
    query_count,
    run_child,
    timed,
)
from bench.generate import database_url, drop_tier, sqlite_path, tier_db_name  # noqa: E402

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PAST = "fund, previous year as at 31 Dec"


def tier_exists(db: str, tier: str) -> bool:
    if db == "sqlite":
        return sqlite_path(tier).exists()
    import psycopg

    with psycopg.connect(pg_url("postgres")) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [tier_db_name(tier)]).fetchone() is None:
            return False
    with psycopg.connect(pg_url(tier_db_name(tier))) as conn:  # BENCH_TIER_DB names a database that may be empty
        return conn.execute("SELECT to_regclass('public.ledger_journalline')").fetchone()[0] is not None


def _vm(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def in_fork(fn) -> dict:
    """Run ``fn`` in a forked child; return its wall time, its resident set at the start and its peak (VmHWM)."""
    from django.db import connections

    connections.close_all()  # never share a database socket with the child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            start_rss = _vm("VmRSS")
            t0 = time.perf_counter()
            size = fn()
            seconds = time.perf_counter() - t0
            message = f"{seconds} {start_rss} {_vm('VmHWM')} {size}"
        except BaseException as error:  # noqa: BLE001 - report anything back to the parent
            message = f"error {error!r}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 4096):
        data += chunk
    os.waitpid(pid, 0)
    text = data.decode()
    if text.startswith("error"):
        raise RuntimeError(text)
    seconds, start_rss, peak, size = text.split()
    return {"seconds": float(seconds), "start_rss_mb": float(start_rss), "peak_rss_mb": float(peak),
            "bytes": int(size)}


def measure(args) -> dict:
    from django.db import connection
    from django.utils import timezone

    from funds.models import FinancialYear
    from grants.models import Grant, MonitoringReturn, Payment
    from ledger.models import Balance, JournalEntry, JournalLine
    from reports.exports import pack_build, render
    from reports.parameters import parameters_parse
    from reports.registry import statement_classes

    today = timezone.localdate()
    current = FinancialYear.objects.get(start_year=today.year if today.month >= 4 else today.year - 1)
    past = FinancialYear.objects.get(start_year=current.start_year - 1)
    now_params = parameters_parse(year=current)
    # As at a past date, known now: the tiers' documents (funds, budgets, grants) were all recorded today, so a
    # known-at moment in the past would find no fund to report (the ledger bench times a past known-at).
    past_params = parameters_parse(year=past, as_at=date(past.start_year, 12, 31))
    result = {
        "lines": JournalLine.objects.count(), "entries": JournalEntry.objects.count(),
        "balances": Balance.objects.count(), "grants": Grant.objects.count(), "payments": Payment.objects.count(),
        "returns": MonitoringReturn.objects.count(), "statements": {},
        "params_now": now_params.as_dict(), "params_past": past_params.as_dict(),
    }
    repeat = 3 if args.quick else 7
    progress(f"{args.db} {args.tier}: {result['lines']:,} lines, {result['grants']} grants; statements")
    runs = [(cls, now_params, cls.key) for cls in statement_classes()]
    fund_cls = next(cls for cls in statement_classes() if cls.key == "fund")
    runs.append((fund_cls, past_params, PAST))
    for cls, params, label in runs:
        def produce(cls=cls, params=params):
            return list(cls(params).rows())

        stats = timed(produce, repeat=repeat)
        stats["queries"] = query_count(produce)
        stats["rows"] = len(produce())
        result["statements"][label] = stats

    line, entry = JournalLine._meta.db_table, JournalEntry._meta.db_table
    floor_sql = (
        f"SELECT l.fund_id, l.account_id, SUM(CASE WHEN l.direction = 'D' THEN l.amount ELSE 0 END), "
        f"SUM(CASE WHEN l.direction = 'C' THEN l.amount ELSE 0 END) FROM {line} l "
        f"INNER JOIN {entry} e ON e.id = l.entry_id "
        f"WHERE l.funding_year_id = %s AND e.date <= %s AND e.posted_at <= %s GROUP BY l.fund_id, l.account_id"
    )
    ops = connection.ops
    for label, params in (("floor_now", now_params), ("floor_past", past_params)):
        sql_params = [params.year.pk, ops.adapt_datefield_value(params.as_at),
                      ops.adapt_datetimefield_value(params.known_at)]

        def floor(sql_params=sql_params):
            with connection.cursor() as cursor:
                cursor.execute(floor_sql, sql_params)
                return cursor.fetchall()

        result[label] = timed(floor, repeat=3 if args.quick else 5)
        result[label]["groups"] = len(floor())

    progress(f"{args.db} {args.tier}: packs")
    year_label = current.label
    for fmt in ("xlsx", "pdf"):
        def produce_pack(fmt=fmt):
            return len(render(fmt, year=year_label, as_at=now_params.as_at, known_at=now_params.known_at)[2])

        stats = timed(produce_pack, repeat=1 if args.quick else 3, warmup=1)
        stats.update(in_fork(produce_pack))
        result[f"pack_{fmt}"] = stats
    build = timed(lambda: pack_build(now_params), repeat=1 if args.quick else 3)
    result["pack_build_ms"] = build["median_ms"]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def child(args) -> None:
    url = database_url(args.db, args.tier, fresh=False)
    django_setup(url, migrate=False)
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
        ["balance rows", *(f"{r['balances']:,}" for r in results)],
        ["grants / payments / returns", *(f"{r['grants']:,} / {r['payments']:,} / {r['returns']:,}" for r in results)],
        ["1-min load average at the end", *(r["load"].split()[0] for r in results)],
    ], title="Data")
    labels = list(results[0]["statements"])
    rows = []
    for label in labels:
        rows.append([label, *(
            f"{ms(r['statements'][label]['median_ms'])} ({r['statements'][label]['queries']} q, "
            f"{r['statements'][label]['rows']:,} rows)" for r in results)])
    rows.append(["raw SQL floor: same fund aggregate (now)", *(ms(r["floor_now"]["median_ms"]) for r in results)])
    rows.append(["fund statement / floor (now)", *(
        f"{r['statements']['fund']['median_ms'] / r['floor_now']['median_ms']:.2f}" for r in results)])
    rows.append(["raw SQL floor (previous year as at 31 Dec)", *(ms(r["floor_past"]["median_ms"]) for r in results)])
    rows.append(["fund statement / floor (previous year)", *(
        f"{r['statements'][PAST]['median_ms'] / r['floor_past']['median_ms']:.2f}" for r in results)])
    print_table(["statement (current year; median, queries, rows)", *cols], rows,
                title="Statements (time, query count, rows)")
    rows = []
    for fmt, name in (("xlsx", "Excel pack"), ("pdf", "PDF pack")):
        rows.append([f"{name}: time", *(ms(r[f"pack_{fmt}"]["median_ms"]) for r in results)])
        rows.append([f"{name}: peak RSS of the process (start)", *(
            f"{r[f'pack_{fmt}']['peak_rss_mb']:.0f} MB ({r[f'pack_{fmt}']['start_rss_mb']:.0f})" for r in results)])
        rows.append([f"{name}: size", *(f"{r[f'pack_{fmt}']['bytes'] / 1024:,.0f} KB" for r in results)])
    rows.append(["all statements built once (pack_build)", *(ms(r["pack_build_ms"]) for r in results)])
    print_table(["pack (current year)", *cols], rows, title="Packs (statements built and rendered, as a download)")
    for r in results:
        if r["tier"] == "L" and r["db"] == "postgres":
            fund, floor = r["statements"]["fund"]["median_ms"], r["floor_now"]["median_ms"]
            past, floor_past = r["statements"][PAST]["median_ms"], r["floor_past"]["median_ms"]
            x, p = r["pack_xlsx"], r["pack_pdf"]
            print("\nAims at L on PostgreSQL:",
                  f"fund statement < 100 ms: {'MET' if fund < 100 else 'NOT MET'} ({ms(fund)});",
                  f"faster than the raw scan: {'yes' if fund < floor and past < floor_past else 'no'};",
                  f"packs < 15 s: {'MET' if max(x['median_ms'], p['median_ms']) < 15000 else 'NOT MET'};",
                  f"packs < 500 MB: {'MET' if max(x['peak_rss_mb'], p['peak_rss_mb']) < 500 else 'NOT MET'}.")
    counts = {}
    for r in results:
        for label, s in r["statements"].items():
            counts.setdefault(label, set()).add(s["queries"])
    grows = {label: sorted(c) for label, c in counts.items() if len(c) > 1}
    print("Query counts constant across tiers and databases:", "yes" if not grows else f"no: {grows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiers", nargs="+", choices=["S", "M", "L"], default=["S", "M", "L"])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reuse", action="store_true", help="use tiers generated before (generate.py) if present")
    parser.add_argument("--drop", action="store_true", help="drop each tier's database once measured")
    parser.add_argument("--quick", action="store_true", help="smoke check: a reduced S on SQLite, then dropped")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tier", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.quick:
        args.tiers, args.db, args.drop, args.reuse = ["S"], "sqlite" if args.db == "both" else args.db, True, False
    print_machine(machine())
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for tier in args.tiers:
        for db in dbs:
            if not (args.reuse and tier_exists(db, tier)):
                progress(f"generating tier {tier} on {db}")
                generated = run_child("bench/generate.py", ["--child", "--tier", tier, "--db", db]
                                      + (["--quick", "--keep"] if args.quick else []))
                progress(f"tier {tier} on {db}: {generated['lines']:,} lines in {generated['seconds']:.0f} s")
            results.append(run_child(__file__, ["--child", "--tier", tier, "--db", db]
                                     + (["--quick"] if args.quick else [])))
            if args.drop:
                drop_tier(db, tier)
    report(results)


if __name__ == "__main__":
    main()

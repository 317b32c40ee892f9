#!/usr/bin/env python
"""Ledger benchmark (issue 3): a ledger of about 1,000,000 journal lines on SQLite and on PostgreSQL.

Per database, in a throwaway database (a SQLite file in a temporary folder; PostgreSQL database ``rf_bench``
created and dropped here, server from BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/rf_bench):

1. builds the bulk of the ledger with ``bench.bulk`` (numbered, hashed, chained, kept rows maintained),
2. posts a representative sample of entries through ``ledger.posting.entry_post`` with every rule checked, one
   writer, one transaction per entry: entries per second, latency, queries per entry,
3. times ``fund_positions`` for all funds, ``account_totals`` as at a past date and known at a past moment, and
   one raw SQL query summing every journal line by fund and account (the full-scan floor),
4. runs ``ledger.verification.verify()`` over everything and prints its result: the kept Balance, FundPosition
   and ChainHead rows must equal what the lines say,
5. reports peak memory (ru_maxrss of the process; tracemalloc peaks of the reads).

    .venv/bin/python bench/ledger_bench.py             # both databases, 1,000,000 lines (~15-25 minutes)
    .venv/bin/python bench/ledger_bench.py --quick     # smoke check: 20,000 lines, under a minute
    .venv/bin/python bench/ledger_bench.py --db postgres --lines 200000 --sample 2000 --profile
"""

import argparse
import cProfile
import io
import math
import os
import pstats
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    create_database,
    django_setup,
    emit_result,
    machine,
    ms,
    peak_rss_mb,
    print_machine,
    print_table,
    progress,
    query_count,
    run_child,
    timed,
    traced_peak_mb,
)

LONDON = ZoneInfo("Europe/London")
AIMS = {"posting": 500, "fund_positions_ms": 50}


def build_sample(funds, year, avail: dict[int, int], n: int, today: date, seed: int = 7):
    """``n`` postings of the kinds a finance team makes every day, dated on working days of the current year
    (backdated ones included), each one valid when posted in order."""
    from ledger import accounts as acc
    from ledger.posting import CREDIT, DEBIT, Leg

    rng = random.Random(seed)
    days = [year.start_date + timedelta(days=i) for i in range((today - year.start_date).days)]
    days = [d for d in days if d.weekday() < 5]
    fund_list = list(funds.values())
    open_commitments = []  # [fund, pence left]
    sample = []
    while len(sample) < n:
        kind = len(sample) % 5
        fund = rng.choice(fund_list)
        day = rng.choice(days)
        if kind == 0 or (kind in (1, 2, 4) and not open_commitments):
            pence = min(rng.randint(500, 5000) * 100, avail[fund.pk] // 20)
            if pence < 1000:
                kind = 3
            else:
                avail[fund.pk] -= pence
                open_commitments.append([fund, pence])
                amount = Decimal(pence) / 100
                sample.append((day, f"Grant approved: commitment on {fund.code}", [
                    Leg(acc.COMMITMENTS, fund, DEBIT, amount), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, amount)]))
                continue
        if kind in (1, 2):
            item = rng.choice(open_commitments)
            pence = item[1] // 2 if item[1] >= 200 else item[1]
            item[1] -= pence
            if item[1] == 0:
                open_commitments.remove(item)
            amount = Decimal(pence) / 100
            f = item[0]
            sample.append((day, f"Instalment paid from {f.code}", [
                Leg(acc.COMMITMENT_CONTROL, f, DEBIT, amount), Leg(acc.COMMITMENTS, f, CREDIT, amount),
                Leg(acc.GRANT_EXPENDITURE, f, DEBIT, amount), Leg(acc.CASH, f, CREDIT, amount)]))
        elif kind == 4:
            item = open_commitments.pop(rng.randrange(len(open_commitments)))
            amount = Decimal(item[1]) / 100
            f = item[0]
            sample.append((day, f"Grant closed: commitment released on {f.code}", [
                Leg(acc.COMMITMENT_CONTROL, f, DEBIT, amount), Leg(acc.COMMITMENTS, f, CREDIT, amount)]))
        else:
            pence = rng.randint(100, 20000) * 100
            amount = Decimal(pence) / 100
            if fund.limit_basis == "receipts":
                avail[fund.pk] += pence
                income = {"poca": acc.POCA_INCOME, "fpn": acc.FPN_INCOME, "fees": acc.FEE_INCOME}.get(
                    fund.income_kind, acc.OTHER_INCOME)
                legs = [Leg(acc.CASH, fund, DEBIT, amount), Leg(income, fund, CREDIT, amount)]
            else:
                legs = [Leg(acc.CASH, fund, DEBIT, amount), Leg(acc.AWARDS_RECEIVABLE, fund, CREDIT, amount)]
            sample.append((day, f"Cash received for {fund.code}", legs))
    return sample


def backend_cpu_seconds(connection) -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend process (the server is on this machine)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def child(args) -> None:
    url, drop = create_database(args.db)
    try:
        progress(f"{args.db}: migrating {url.split('@')[-1]}")
        django_setup(url)
        result = measure(args)
        result["database"] = args.db
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop()
    emit_result(result)


def measure(args) -> dict:
    from django.db import connection

    from bench.bulk import BulkLedger
    from bench.ledger_scenario import Scenario, setup_reference
    from ledger.models import Balance, FundPosition, JournalEntry, JournalLine
    from ledger.posting import entry_post
    from ledger.selectors import account_totals, fund_positions
    from ledger.verification import verify

    result = {}
    today = date.today()
    current = today.year if today.month >= 4 else today.year - 1
    officer, funds, years = setup_reference(current - 3, current)

    # 1. The bulk of the ledger.
    progress(f"{args.db}: building about {args.lines:,} journal lines")
    start = time.perf_counter()
    bulk = BulkLedger(by=officer)
    Scenario(ledger=bulk, funds=funds, years=years, lines=args.lines, today=today).run()
    bulk.finish()
    result["bulk_seconds"] = time.perf_counter() - start
    result["bulk_entries"], result["bulk_lines"] = bulk.entries, bulk.lines
    result["rss_after_bulk_mb"] = peak_rss_mb()
    progress(f"{args.db}: {bulk.entries:,} entries, {bulk.lines:,} lines in {result['bulk_seconds']:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # 2. Posting throughput through entry_post, one writer, one transaction per entry.
    year = years[current]
    avail = {p.fund_id: p.limit_pence - p.committed_pence - p.actual_pence
             for p in FundPosition.objects.filter(funding_year=year)}
    sample = build_sample(funds, year, avail, args.sample, today)
    progress(f"{args.db}: posting {len(sample):,} entries through entry_post")
    profiler = cProfile.Profile() if args.profile else None
    latencies = []
    lines_posted = 0
    load_before = os.getloadavg()[0]
    server_cpu_before = backend_cpu_seconds(connection)
    cpu_before = time.process_time()
    if profiler:
        profiler.enable()
    start = time.perf_counter()
    for day, description, legs in sample:
        t0 = time.perf_counter()
        entry_post(date=day, description=description, legs=legs, by=officer, source_type="bench.sample")
        latencies.append(time.perf_counter() - t0)
        lines_posted += len(legs)
    elapsed = time.perf_counter() - start
    result["client_cpu_ms_per_entry"] = (time.process_time() - cpu_before) / len(sample) * 1000
    server_cpu = backend_cpu_seconds(connection)
    if server_cpu is not None and server_cpu_before is not None:
        result["server_cpu_ms_per_entry"] = (server_cpu - server_cpu_before) / len(sample) * 1000
    result["load_during_posting"] = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    latencies.sort()
    result.update(
        sample_entries=len(sample), sample_lines=lines_posted, posting_seconds=elapsed,
        entries_per_second=len(sample) / elapsed, lines_per_second=lines_posted / elapsed,
        latency_p50_ms=statistics.median(latencies) * 1000,
        latency_p95_ms=latencies[math.ceil(len(latencies) * 0.95) - 1] * 1000,
    )
    two, four = next(s for s in sample if len(s[2]) == 2), next(s for s in sample if len(s[2]) == 4)
    result["queries_per_entry_2_lines"] = query_count(
        lambda: entry_post(date=two[0], description=two[1], legs=two[2], by=officer, source_type="bench.sample"))
    result["queries_per_entry_4_lines"] = query_count(
        lambda: entry_post(date=four[0], description=four[1], legs=four[2], by=officer, source_type="bench.sample"))
    progress(f"{args.db}: {result['entries_per_second']:.0f} entries/s")

    # 3. Reads.
    past_year = years[current - 1]
    as_at = date(past_year.start_year, 12, 31)
    known_at = datetime(past_year.start_year + 1, 1, 5, 9, 0, tzinfo=LONDON)
    reads = {
        "fund_positions": lambda: fund_positions(year=year),
        "account_totals_now": lambda: account_totals(year=year),
        "account_totals_past": lambda: account_totals(year=past_year, as_at=as_at, known_at=known_at),
    }
    line_table = JournalLine._meta.db_table
    raw = (f"SELECT fund_id, account_id, SUM(CASE WHEN direction = 'D' THEN amount ELSE 0 END), "
           f"SUM(CASE WHEN direction = 'C' THEN amount ELSE 0 END) FROM {line_table} GROUP BY fund_id, account_id")

    def full_scan():
        with connection.cursor() as cursor:
            cursor.execute(raw)
            return cursor.fetchall()

    reads["raw_full_scan"] = full_scan
    for name, fn in reads.items():
        repeat = 5 if name == "raw_full_scan" else 21
        result[name] = timed(fn, repeat=repeat if not args.quick else 3)
        result[name]["queries"] = query_count(fn)
        result[name]["traced_peak_mb"] = traced_peak_mb(fn)
    result["fund_positions"]["funds"] = len(fund_positions(year=year))
    result["raw_full_scan"]["groups"] = len(full_scan())
    result["balance_rows"] = Balance.objects.count()
    result["balance_rows_past_year"] = Balance.objects.filter(funding_year=past_year).count()
    result["account_totals_past"]["as_at"] = as_at.isoformat()
    result["account_totals_past"]["known_at"] = known_at.isoformat()
    result["rss_before_verify_mb"] = peak_rss_mb()

    # 4. The proof that the kept rows are exact.
    progress(f"{args.db}: verifying the whole ledger")
    start = time.perf_counter()
    report = verify()
    result["verify_seconds"] = time.perf_counter() - start
    result["verify_entries"], result["verify_lines"] = report.entries, report.lines
    result["verify_problems"] = report.problems[:10]
    result["verify_ok"] = not report.problems
    result["total_entries"] = JournalEntry.objects.count()
    result["total_lines"] = JournalLine.objects.count()
    result["peak_rss_mb"] = peak_rss_mb()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            result["database_mb"] = cursor.fetchone()[0] / 2**20
            cursor.execute("SHOW synchronous_commit")
            result["synchronous_commit"] = cursor.fetchone()[0]
        else:
            result["database_mb"] = Path(connection.settings_dict["NAME"]).stat().st_size / 2**20
            cursor.execute("PRAGMA journal_mode")
            result["journal_mode"] = cursor.fetchone()[0]
    return result


def cpu_text(r: dict) -> str:
    server = r.get("server_cpu_ms_per_entry")
    return f"{r['client_cpu_ms_per_entry']:.2f} ms" + (f" + {server:.2f} ms" if server is not None else
                                                        " (SQLite works in-process)")


def ceiling_text(r: dict) -> str:
    return f"{1000 / (r['client_cpu_ms_per_entry'] + r.get('server_cpu_ms_per_entry', 0)):,.0f} entries/s"


def report(results: list[dict]) -> None:
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    cols = [names[r["database"]] for r in results]

    def row(label, fn, aim=""):
        return [label, *(fn(r) for r in results), aim]

    rows = [
        row("journal lines (entries)", lambda r: f"{r['total_lines']:,} ({r['total_entries']:,})"),
        row("bulk build (not entry_post)", lambda r: f"{r['bulk_seconds']:.0f} s"),
        row("posting through entry_post, one writer", lambda r: f"**{r['entries_per_second']:,.0f} entries/s** "
            f"({r['lines_per_second']:,.0f} lines/s, {r['sample_entries']:,} entries)", ">= 500 entries/s"),
        row("posting latency p50 / p95", lambda r: f"{r['latency_p50_ms']:.2f} / {r['latency_p95_ms']:.2f} ms"),
        row("1-min load average before -> after posting", lambda r: r["load_during_posting"], "(2 CPUs)"),
        row("CPU per entry: client (Python) + server (PostgreSQL backend)", cpu_text),
        row("=> upper bound for one writer, CPU alone (1 / CPU per entry)", ceiling_text),
        row("queries per entry (2 lines / 4 lines)",
            lambda r: f"{r['queries_per_entry_2_lines']} / {r['queries_per_entry_4_lines']}"),
        row("fund_positions, all funds", lambda r: f"**{ms(r['fund_positions']['median_ms'])}** "
            f"({r['fund_positions']['funds']} funds, {r['fund_positions']['queries']} queries)", "< 50 ms"),
        row("account_totals, current year", lambda r: f"{ms(r['account_totals_now']['median_ms'])} "
            f"({r['account_totals_now']['queries']} queries)"),
        row("account_totals, as at past date, known at past moment",
            lambda r: f"{ms(r['account_totals_past']['median_ms'])} ({r['account_totals_past']['queries']} queries, "
            f"{r['balance_rows_past_year']:,} balance rows in that year)"),
        row("raw SQL full scan: all lines by fund and account",
            lambda r: f"**{ms(r['raw_full_scan']['median_ms'])}**", "~0.3 s (the floor)"),
        row("fund_positions vs full scan",
            lambda r: f"{r['raw_full_scan']['median_ms'] / r['fund_positions']['median_ms']:,.0f}x faster"),
        row("verify() over the whole ledger",
            lambda r: f"{'OK' if r['verify_ok'] else 'FAILED'}: {r['verify_entries']:,} "
            f"entries, {r['verify_lines']:,} lines in {r['verify_seconds']:.0f} s"),
        row("peak memory (process RSS): build / reads / with verify",
            lambda r: f"{r['rss_after_bulk_mb']:.0f} / {r['rss_before_verify_mb']:.0f} / {r['peak_rss_mb']:.0f} MB"),
        row("traced peak of fund_positions / account_totals (past)",
            lambda r: f"{r['fund_positions']['traced_peak_mb']:.2f} / "
            f"{r['account_totals_past']['traced_peak_mb']:.2f} MB"),
        row("database size", lambda r: f"{r['database_mb']:,.0f} MB"),
    ]
    print_table(["measure", *cols, "aim (PostgreSQL, 1M lines)"], rows, title="Ledger benchmark (medians of warm runs)")
    for r in results:
        if not r["verify_ok"]:
            print(f"\n{names[r['database']]}: verify() found problems:", *r["verify_problems"], sep="\n  ")
        settings = r.get("synchronous_commit") or r.get("journal_mode")
        print(f"{names[r['database']]}: {'synchronous_commit' if 'synchronous_commit' in r else 'journal_mode'}="
              f"{settings}; account_totals past = as_at {r['account_totals_past']['as_at']}, "
              f"known_at {r['account_totals_past']['known_at']}")
    pg = next((r for r in results if r["database"] == "postgres"), None)
    if pg:
        fund_ms, scan_ms = pg["fund_positions"]["median_ms"], pg["raw_full_scan"]["median_ms"]
        print("\nAims on PostgreSQL at this size:",
              f"posting {'MET' if pg['entries_per_second'] >= AIMS['posting'] else 'NOT MET'},",
              f"fund position {'MET' if fund_ms < AIMS['fund_positions_ms'] else 'NOT MET'},",
              f"faster than the full scan: {'yes' if fund_ms < scan_ms else 'no'}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--lines", type=int, default=1_000_000, help="journal lines to build (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=5000, help="entries posted through entry_post (default 5,000)")
    parser.add_argument("--quick", action="store_true", help="smoke check: 20,000 lines, 300 postings")
    parser.add_argument("--profile", action="store_true", help="cProfile the postings (slows them; stderr)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.lines, args.sample = min(args.lines, 20_000), min(args.sample, 300)
    if args.child:
        child(args)
        return
    info = machine()
    print_machine(info)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    passthrough = ["--lines", str(args.lines), "--sample", str(args.sample)] + (["--quick"] if args.quick else []) + (
        ["--profile"] if args.profile else []) + (["--keep"] if args.keep else [])
    results = [run_child(__file__, ["--child", "--db", db, *passthrough]) for db in dbs]
    report(results)
    if not all(r["verify_ok"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

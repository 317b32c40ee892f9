#!/usr/bin/env python
"""Data tiers for the benchmarks: S (~20,000 journal lines), M (~200,000) and L (~1,000,000).

Every tier holds the whole demo scenario, loaded through the real services (people, funds, budgets, virements,
forecasts, award letters, receipts, proceeds of crime and fixed penalties, 40 providers and 120 grants in every
state with approvals, payments, monitoring returns, a variation, a clawback and bank-detail checks). M and L add
more providers and grants through the same services (submitted, approved by a commissioner, decisions where the
fund's threshold asks for one, due-diligence checks, targets, quarterly returns accepted, instalments paid,
grants closed). The bulk of the journal lines, four years of income and many small grants' commitments and
monthly payments, is posted first with ``bench.bulk``: numbered, hashed and chained, with the kept balances and
fund positions maintained, so ``verify()`` holds over the whole tier (it is run at the end with ``--verify``).

    .venv/bin/python bench/generate.py --tier M --db postgres     # leaves database rf_bench_m for other benches
    .venv/bin/python bench/generate.py --tier S --db sqlite       # leaves bench/out/tiers/S.sqlite3
    .venv/bin/python bench/generate.py --quick                    # smoke check: a reduced S on SQLite, then dropped

BENCH_TIER_DB=NAME puts a PostgreSQL tier in that existing database instead of rf_bench_<tier> (for a role that may
own one database but not create others): "fresh" then empties its public schema rather than recreating it, and
--drop empties it the same way.
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, _pg_admin, django_setup, emit_result, peak_rss_mb, pg_url, progress, run_child  # noqa: E402

# journal lines in all; providers and grants added to the demo's 40 and 120 through the services
TIERS = {
    "S": {"lines": 20_000, "providers": 0, "grants": 0, "demo_grants": True},
    "M": {"lines": 200_000, "providers": 60, "grants": 240, "demo_grants": True},
    "L": {"lines": 1_000_000, "providers": 160, "grants": 720, "demo_grants": True},
}
# A smoke check: the demo's funds and income, and a handful of grants instead of the demo's 120.
QUICK = {"lines": 6_000, "providers": 4, "grants": 8, "demo_grants": False}
LINES_PER_SERVICE_GRANT = 11  # measured on the demo: commitment, quarterly payments of 4 lines, releases
DEMO_SERVICE_LINES = 1_450  # measured: the demo's income and 120 grants

PLACES = ["Acocks Green", "Bilston", "Blackheath", "Bloxwich", "Bordesley", "Brierley Hill", "Castle Vale",
          "Chelmsley", "Cradley", "Darlaston", "Edgbaston", "Erdington", "Foleshill", "Gornal", "Halesowen",
          "Handsworth", "Hillfields", "Kings Heath", "Kingstanding", "Ladywood", "Moseley", "Netherton", "Oldbury",
          "Pelsall", "Quinton", "Rowley Regis", "Shirley", "Small Heath", "Sparkhill", "Stechford", "Tettenhall",
          "Tile Hill", "Tipton", "Wednesbury", "Wednesfield", "Willenhall", "Yardley", "Aldridge", "Brownhills",
          "Coseley"]
KINDS = [("Survivors' Trust", "ISVA service", "MOJ-DASV"), ("Victim Care", "Victim support hub", "MOJ-CORE"),
         ("Counselling Centre", "Counselling for survivors", "MOJ-CORE"),
         ("Advocacy Project", "IDVA service", "MOJ-DASV"), ("Women's Network", "Peer support for survivors",
                                                          "VAWG-PROG"),
         ("Youth Project", "Youth diversion (18-25)", "POCA"), ("Community Group", "Community safety project", "POCA"),
         ("Mentoring Circle", "Mentoring for young adults", "POCA"),
         ("Restorative Justice", "Restorative justice", "MOJ-CORE"),
         ("Night Safety", "Safe spaces at night", "VAWG-PROG"), ("Road Safety Trust", "Road safety education",
                                                               "SPEED-FEES")]
EXTRA_BUDGETS = {"Grants to providers": "600000.00", "Programme management": "90000.00"}


def tier_db_name(tier: str) -> str:
    return os.environ.get("BENCH_TIER_DB") or f"rf_bench_{tier.lower()}"


def _empty_schema(url: str) -> None:
    """Empty a database we may use but not recreate: its public schema dropped and made again, owned by us."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def sqlite_path(tier: str) -> Path:
    return ROOT / "bench" / "out" / "tiers" / f"{tier}.sqlite3"


def database_url(db: str, tier: str, *, fresh: bool) -> str:
    """The tier's database: bench/out/tiers/<tier>.sqlite3, or PostgreSQL database rf_bench_<tier>."""
    if db == "sqlite":
        path = sqlite_path(tier)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = pg_url(tier_db_name(tier))
    if fresh and os.environ.get("BENCH_TIER_DB"):
        _empty_schema(url)
    elif fresh:
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{tier_db_name(tier)}" WITH (FORCE)')
        _pg_admin(url, f'CREATE DATABASE "{tier_db_name(tier)}"')
    return url


def drop_tier(db: str, tier: str) -> None:
    if db == "sqlite":
        sqlite_path(tier).unlink(missing_ok=True)
    elif os.environ.get("BENCH_TIER_DB"):
        _empty_schema(pg_url(tier_db_name(tier)))
    else:
        _pg_admin(pg_url(), f'DROP DATABASE IF EXISTS "{tier_db_name(tier)}" WITH (FORCE)')


# --- providers and grants beyond the demo's, through the same services -------------------------------------------


def extra_providers(count: int, rng: random.Random) -> list[tuple]:
    """Fictional providers in the shape of demo.grant_providers.PROVIDERS: one in three a registered charity, a few
    companies, the rest community groups on no register (internal 360G identifiers, small grants)."""
    from demo.grant_providers import AREAS

    areas = list(AREAS)
    providers = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        kind, service, fund = KINDS[(i * 7 + i // len(PLACES)) % len(KINDS)]
        name = f"{place} {kind}" + (f" {i // len(PLACES) + 1}" if i >= len(PLACES) else "")
        charity = f"{1200000 + i * 37:07d}" if i % 3 == 0 else ""
        company = f"{13000000 + i * 53:08d}" if i % 5 == 1 else ""
        area = areas[i % len(areas)]
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = f"B{(i % 97) + 1} {(i % 9) + 1}{letters[i % 20]}{letters[(i // 20) % 20]}"
        providers.append((name, charity, company, f"{(i % 180) + 1} {place} Road", area, postcode,
                          [(service, fund)]))
    return providers


class ExtraSeeder:
    """The demo's grant seeder, for more providers and grants (its scenarios, dates and services)."""

    def __init__(self, users, funds, years, *, start_n: int):
        from demo.grants import Seeder
        from grants.models import OutcomeMeasure

        self.seeder = Seeder(users, funds, years)
        self.seeder.decisions = {2025: 500, 2026: 500}  # the demo numbers its decisions from 011
        for code, fund in funds.items():
            self.seeder.measures[code] = list(OutcomeMeasure.objects.filter(fund=fund).order_by("id"))
        self.start_n = start_n

    def providers(self, count: int):
        from demo.grant_providers import AREAS
        from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create

        s = self.seeder
        officer, officer2 = s.officers
        services = []
        for i, (name, charity, company, street, area, postcode, offered) in enumerate(
                extra_providers(count, random.Random(99))):
            org = organisation_create(name=name, charity_number=charity, company_number=company, address=street,
                                      postcode=postcode, by=officer)
            details = bank_details_submit(organisation=org, account_name=name[:100],
                                          sort_code=f"{30 + i % 60:02d}-{(i * 11) % 100:02d}-{(i * 17) % 100:02d}",
                                          account_number=f"{52000000 + i * 7919:08d}"[-8:], by=officer,
                                          reason="Bank letter on file")
            bank_details_verify(details=details, by=officer2, note="Call-back to the number on the register")
            for service_name, fund_code in offered:
                services.append((service_create(organisation=org, name=service_name, area_type="local_authority",
                                                area_name=area, area_code=AREAS[area], by=officer), fund_code))
        return services

    def run(self, services, count: int) -> dict:
        from django.core.exceptions import ValidationError

        from demo.grants import SCENARIOS, Plan

        s = self.seeder
        cycle = [(state, pattern) for state, pattern, n in SCENARIOS for _ in range(n)]
        outcome = {"grants": 0, "refused": 0}
        for k in range(count):
            n = self.start_n + k
            state, pattern = cycle[k % len(cycle)]
            service, fund_code = services[(k * 7) % len(services)]
            try:
                s.run(Plan(state, pattern, service, fund_code, n))
                outcome["grants"] += 1
            except ValidationError as error:  # e.g. the fund cannot cover it: refused whole, as it should be
                outcome["refused"] += 1
                if outcome["refused"] <= 3:
                    progress(f"grant plan {n} ({state}) refused: {' '.join(error.messages)[:160]}")
        return outcome


def top_up_income(users, funds, years, grants: int) -> None:
    """Supplementary award letters and receipts so the extra grants find money available (through the services)."""
    from income.services import award_letter_record, fee_receipt_record, poca_receipt_record

    officer = users["finance"]
    for start, year in years.items():
        for code in ("MOJ-CORE", "MOJ-DASV", "VAWG-PROG"):
            award_letter_record(fund=funds[code], year=year, reference=f"{code}-SUPP-{year.label}",
                                letter_date=date(start, 6, 2), amount=f"{grants * 9000}.00", by=officer,
                                description="Supplementary allocation")
        poca_receipt_record(fund=funds["POCA"], reference=f"ARIS-SUPP-{year.label}", case_reference=f"T{start}9999",
                            date=date(start, 5, 20), gross_recovered=f"{grants * 2000}.00",
                            agency_share_percent="50", by=officer)
        fee_receipt_record(fund=funds["SPEED-FEES"], reference=f"SAC-SUPP-{year.label}", date=date(start, 5, 21),
                           amount=f"{grants * 1200}.00", courses=grants, by=officer)


def generate(spec: dict, *, today: date | None = None) -> dict:
    """Load one tier into the configured (empty, migrated) database. Returns what was made and how long it took."""
    from bench.bulk import BulkLedger
    from bench.ledger_scenario import FUNDS as BENCH_FUNDS
    from bench.ledger_scenario import Scenario, setup_reference
    from demo.funds import seed_budgets_and_income, seed_funds
    from demo.grants import seed_grants
    from demo.people import seed_people
    from funds.budgets import budget_line_create
    from funds.models import FinancialYear
    from grants.models import Grant, MonitoringReturn, Organisation, Payment
    from ledger.models import JournalEntry, JournalLine

    today = today or date.today()
    timings = {}
    start = time.perf_counter()
    users = seed_people()
    demo_funds = seed_funds(users)
    officer = users["finance"]
    _, all_funds, years = setup_reference(2023, 2026, officer=officer)
    timings["reference_s"] = time.perf_counter() - start

    service_lines = DEMO_SERVICE_LINES + spec["grants"] * LINES_PER_SERVICE_GRANT
    bulk_lines = max(0, spec["lines"] - service_lines)
    progress(f"bulk ledger: about {bulk_lines:,} lines")
    start = time.perf_counter()
    bulk = BulkLedger(by=officer)
    Scenario(ledger=bulk, funds=all_funds, years=years, lines=bulk_lines, today=today).run()
    bulk.finish()
    timings["bulk_s"] = time.perf_counter() - start

    progress("demo scenario through the services")
    start = time.perf_counter()
    current = {y.start_year: y for y in FinancialYear.objects.filter(start_year__in=[2025, 2026])}
    seed_budgets_and_income(users, demo_funds, current)
    demo_codes = {code for code in demo_funds}
    for year in current.values():
        for code, *_ in BENCH_FUNDS:
            if code not in demo_codes:
                for heading, amount in EXTRA_BUDGETS.items():
                    budget_line_create(fund=all_funds[code], year=year, heading=heading, amount=amount, by=officer)
    if spec["demo_grants"]:
        seed_grants(users, demo_funds, current)
    else:
        from demo.grant_providers import MEASURES
        from grants.outcomes import outcome_measure_create

        for code, rows in MEASURES.items():
            for measure, name, unit in rows:
                outcome_measure_create(fund=demo_funds[code], code=measure, name=name, unit=unit, by=officer)
    timings["demo_services_s"] = time.perf_counter() - start

    extra = {"grants": 0, "refused": 0}
    if spec["grants"]:
        progress(f"{spec['providers']} more providers and {spec['grants']} more grants through the services")
        start = time.perf_counter()
        top_up_income(users, demo_funds, current, spec["grants"])
        seeder = ExtraSeeder(users, demo_funds, current, start_n=1000)
        services = seeder.providers(spec["providers"])
        extra = seeder.run(services, spec["grants"])
        timings["extra_services_s"] = time.perf_counter() - start
    return {
        "timings": timings,
        "organisations": Organisation.objects.count(),
        "grants": Grant.objects.count(),
        "extra_grants_refused": extra["refused"],
        "payments": Payment.objects.count(),
        "returns": MonitoringReturn.objects.count(),
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "bulk_lines": bulk.lines,
        "peak_rss_mb": peak_rss_mb(),
    }


def child(args) -> None:
    spec = QUICK if args.quick else TIERS[args.tier]
    url = database_url(args.db, args.tier, fresh=True)
    progress(f"tier {args.tier}{' (quick)' if args.quick else ''} on {args.db}: {url.split('@')[-1]}")
    django_setup(url)
    start = time.perf_counter()
    result = generate(spec)
    result["seconds"] = time.perf_counter() - start
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would gather soon after a load
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    if args.verify:
        from ledger.verification import verify

        progress("verifying the ledger")
        report = verify()
        result["verify_ok"], result["verify_problems"] = not report.problems, report.problems[:5]
    from django.db import connections

    connections.close_all()
    result.update(tier=args.tier, db=args.db, url=url)
    if args.quick and not args.keep:
        drop_tier(args.db, args.tier)
    emit_result(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=list(TIERS), default="S")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a reduced S, verified and then dropped")
    parser.add_argument("--verify", action="store_true", help="run ledger verify() at the end")
    parser.add_argument("--drop", action="store_true", help="drop the tier's database and exit")
    parser.add_argument("--keep", action="store_true", help="with --quick: keep the database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drop:
        drop_tier(args.db, args.tier)
        return
    if args.quick:
        args.verify = True
    if args.child:
        child(args)
        return
    extra = ["--quick"] if args.quick else []
    extra += ["--verify"] if args.verify else []
    extra += ["--keep"] if args.keep else []
    r = run_child(__file__, ["--child", "--tier", args.tier, "--db", args.db, *extra])
    print(f"Tier {r['tier']} on {r['db']} in {r['seconds']:.0f} s: {r['lines']:,} journal lines ({r['entries']:,} "
          f"entries, {r['bulk_lines']:,} bulk-posted), {r['organisations']} organisations, {r['grants']} grants "
          f"({r['extra_grants_refused']} extra plans refused for lack of funds), {r['payments']} payments, "
          f"{r['returns']} monitoring returns; peak RSS {r['peak_rss_mb']:.0f} MB; "
          + ", ".join(f"{k} {v:.0f}" for k, v in r["timings"].items()))
    if "verify_ok" in r:
        print("verify():", "OK" if r["verify_ok"] else f"FAILED {r['verify_problems']}")
        if not r["verify_ok"]:
            raise SystemExit(1)
    if not args.quick or args.keep:
        print(f"Database kept: {r['url'].split('@')[-1]} (drop it with --drop)")


if __name__ == "__main__":
    main()

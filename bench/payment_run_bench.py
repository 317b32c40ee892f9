#!/usr/bin/env python
"""Payment run benchmark (issue 12): prepare, authorise, export and pay one run of 500 payments.

Builds, through the services, a quarter of as many grants as payments (each £4,000.00 from one fund for 2025/26,
returns not required, offer accepted, to its own organisation with verified bank details); due diligence is then
ticked for all of them in one statement (a shortcut of the build only: it writes no history). On 10/04/2026 every
quarter of 2025/26 has ended, so each grant has four payable instalments. Then one run is timed step by step:
``payment_run_prepare`` (a finance officer), ``payment_run_authorise`` (a second officer within their delegated
limit), ``payment_file`` and ``payment_run_pay`` (every payment posted through ``payment_record``), each with its
query count. The ledger is verified at the end. Aim (issue 12): prepare + pay under 5 s on PostgreSQL, with a
query count growing by a constant per payment.

    .venv/bin/python bench/payment_run_bench.py --db sqlite            # throwaway SQLite database
    .venv/bin/python bench/payment_run_bench.py --db postgres          # throwaway PostgreSQL database (BENCH_PG_URL)
    .venv/bin/python bench/payment_run_bench.py --db env               # the database in DATABASE_URL, as it is
    .venv/bin/python bench/payment_run_bench.py --db sqlite --quick    # 40 payments, a smoke check
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    create_database,
    django_setup,
    emit_result,
    machine,
    ms,
    print_machine,
    print_table,
    progress,
    run_child,
)

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "env": "DATABASE_URL"}
PAY_ON = date(2026, 4, 10)
STEPS = ("prepare", "authorise", "export", "pay")


def _user(username, role):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="bench-only-9", first_name=username.title())
    user.groups.add(Group.objects.get(name=role))
    return user


def build(payments: int) -> dict:
    """The people, the calendar, one funded fund and ``payments / 4`` grants with four payable instalments each."""
    from django.utils import timezone

    from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER
    from funds.calendar import year_open
    from funds.models import Funder
    from funds.services import fund_create, funder_create
    from grants.awards import grant_create
    from grants.models import GrantCheck
    from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit
    from income.services import award_letter_record
    from payments.limits import delegated_limit_set

    people = {"officer": _user("olivia", FINANCE_OFFICER), "officer2": _user("oscar", FINANCE_OFFICER),
              "commissioner": _user("carla", COMMISSIONER), "director": _user("diana", FINANCE_DIRECTOR)}
    officer, officer2, commissioner = people["officer"], people["officer2"], people["commissioner"]
    for start in (2024, 2026):
        year_open(start_year=start)
    year = year_open(start_year=2025)
    funder = funder_create(name="Ministry of Justice", short_name="MoJ", kind=Funder.Kind.GOVERNMENT, by=officer)
    fund = fund_create(code="MOJ-CORE", name="Victims' services core grant", funder=funder, purpose="Victims",
                       limit_basis="award", year_end_rule="return", grant_approval_threshold="100000.00", by=officer)
    award_letter_record(fund=fund, year=year, reference="MOJ-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="50000000.00", by=officer)
    grants = []
    count = (payments + 3) // 4
    for n in range(count):
        org = organisation_create(name=f"Provider {n:04d}", company_number=f"{70000000 + n}", address="1 High St",
                                  postcode="B1 1AA", by=officer)
        details = bank_details_submit(organisation=org, account_name=f"Provider {n:04d}", sort_code="20-00-00",
                                      account_number=f"{40000000 + n}", by=officer)
        bank_details_verify(details=details, by=officer2, note="Call-back")
        service = service_create(organisation=org, name="Outreach", area_type="local_authority", area_name="Leeds",
                                 by=officer)
        grant = grant_create(title="Outreach", purpose="Victim support", organisation=org, service=service,
                             senior_responsible_officer="Ruth Kaur", allocation_method="competed",
                             start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=officer,
                             returns_required=False, funding=[(fund, year, "4000.00")])
        grant_submit(grant=grant, by=officer)
        grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
        grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
        grants.append(grant.pk)
        if n % 50 == 49:
            progress(f"{n + 1} grants built")
    GrantCheck.objects.filter(grant_id__in=grants).update(is_complete=True, evidence="Bench: seen",
                                                          completed_by=officer, completed_at=timezone.now())
    delegated_limit_set(user=officer2, amount="10000000.00", by=people["director"])
    return people


def measure(people) -> dict:
    from django.db import connection

    from ledger.verification import verify
    from payments.bank_file import payment_file
    from payments.runs import payment_run_authorise, payment_run_pay, payment_run_prepare

    officer, officer2 = people["officer"], people["officer2"]
    result, state = {}, {}
    calls = {
        "prepare": lambda: state.setdefault("run", payment_run_prepare(pay_on=PAY_ON, by=officer)),
        "authorise": lambda: payment_run_authorise(run=state["run"], by=officer2),
        "export": lambda: payment_file(state["run"], by=officer2),
        "pay": lambda: payment_run_pay(run=state["run"], by=officer),
    }
    for step in STEPS:
        counted = [0]

        def count(execute, sql, params, many, context, counted=counted):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):  # counts without keeping every query (no 9,000 cap)
            start = time.perf_counter()
            calls[step]()
            elapsed = (time.perf_counter() - start) * 1000
        result[step] = {"ms": elapsed, "queries": counted[0]}
        progress(f"{step}: {ms(elapsed)}, {counted[0]} queries")
    result["items"] = state["run"].items.count()
    report = verify()
    result["ledger_ok"] = not report.problems
    return result


def child(args) -> None:
    if args.db == "env":
        url, drop = os.environ["DATABASE_URL"], (lambda: None)
    else:
        url, drop = create_database(args.db, name="rf_bench_payments")
    try:
        django_setup(url)
        start = time.perf_counter()
        people = build(args.payments)
        built = time.perf_counter() - start
        progress(f"built in {built:.1f} s")
        result = measure(people)
        result["build_s"] = built
        result["db"] = args.db
        emit_result(result)
    finally:
        if not args.keep:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both", "env"], default="both")
    parser.add_argument("--payments", type=int, default=500, help="payments in the run (default 500)")
    parser.add_argument("--quick", action="store_true", help="smoke check: 40 payments")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.payments = 40
    if args.child:
        child(args)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print_machine(machine())
    passthrough = ["--payments", str(args.payments)] + (["--keep"] if args.keep else [])
    results = [run_child(__file__, ["--child", "--db", db, *passthrough]) for db in dbs]
    rows = []
    for step in STEPS:
        rows.append([step, *(f"{ms(r[step]['ms'])} ({r[step]['queries']:,} queries)" for r in results)])
    rows.append(["prepare + pay", *(ms(r["prepare"]["ms"] + r["pay"]["ms"]) for r in results)])
    rows.append(["queries per payment (pay)", *(f"{r['pay']['queries'] / r['items']:.1f}" for r in results)])
    rows.append(["payments in the run", *(str(r["items"]) for r in results)])
    rows.append(["build (not timed above)", *(f"{r['build_s']:.1f} s" for r in results)])
    rows.append(["ledger verified", *("OK" if r["ledger_ok"] else "FAILED" for r in results)])
    print_table(["step", *(NAMES[r["db"]] for r in results)], rows,
                title=f"Payment run of {args.payments} payments (aim: prepare + pay < 5 s on PostgreSQL)")


if __name__ == "__main__":
    main()

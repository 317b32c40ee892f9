"""The statements' figures on the fixed scenario (tests/reports/conftest.py), and their query counts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.budgets import budget_line_create, forecast_record, virement_request
from funds.services import fund_create
from income.services import award_letter_record, fpn_return_record, poca_receipt_record, receipt_record
from reports.parameters import parameters_parse
from reports.registry import LINE, SUBTOTAL, TOTAL, statement_classes, statement_get
from tests.reports.conftest import commit, pay


def rows(key, **dates):
    params = parameters_parse(year="2025/26", **dates)
    return list(statement_get(key)(params).rows())


def pick(all_rows, row_kind, **match):
    found = [r for r in all_rows if r.kind == row_kind and all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, f"{len(found)} rows match {row_kind} {match}"
    return found[0]


def test_registry_lists_statements_in_pack_order():
    keys = [cls.key for cls in statement_classes()]
    assert keys[0] == "fund" and keys[-1] == "changes"
    assert keys == ["fund", "monitoring", "grants", "quarterly", "retained", "changes"]


def test_fund_statement_lines_show_budget_virements_and_forecasts(scenario):
    all_rows = rows("fund", as_at="2026-03-31", known_at=scenario.known_at)
    rj = pick(all_rows, LINE, heading="Restorative justice")
    assert (rj["original"], rj["virements"], rj["revised"], rj["forecast"], rj["variance"]) == (
        D("50000.00"), D("-10000.00"), D("40000.00"), D("40000.00"), D("0.00"))
    hubs = pick(all_rows, LINE, heading="Victim support hubs")
    assert (hubs["revised"], hubs["forecast"], hubs["forecast_on"], hubs["variance"], hubs["variance_pct"]) == (
        D("300000.00"), D("290000.00"), date(2025, 10, 15), D("10000.00"), D("3.33"))  # positive: an underspend
    counselling = pick(all_rows, LINE, heading="Specialist counselling")
    assert (counselling["virements"], counselling["revised"]) == (D("10000.00"), D("160000.00"))
    # Income and what is available are per fund; committed and actual belong to the line they were posted against.
    # The scenario's commitment and payments name no budget line, so they are on a line of their own.
    assert all(hubs[k] is None for k in ("awarded", "received", "available"))
    assert (hubs["committed"], hubs["actual"]) == (D("0.00"), D("0.00"))
    unassigned = pick(all_rows, LINE, fund="MOJ-CORE", heading="Not assigned to a budget line")
    assert (unassigned["committed"], unassigned["actual"], unassigned["original"]) == (D("110000.00"), D("90000.00"),
                                                                                       None)
    core = pick(all_rows, SUBTOTAL, fund="MOJ-CORE")
    lines = [r for r in all_rows if r.kind == LINE and r["fund"] == "MOJ-CORE"]
    assert (core["committed"], core["actual"]) == (sum(r["committed"] for r in lines), sum(r["actual"] for r in lines))


def test_fund_statement_fund_total_carries_the_ledger_figures(scenario):
    all_rows = rows("fund", as_at="2026-03-31", known_at=scenario.known_at)
    core = pick(all_rows, SUBTOTAL, fund="MOJ-CORE")
    assert core["heading"] == "Total Victims' services core grant"
    assert [core[k] for k in ("original", "virements", "revised", "awarded", "received", "committed", "actual",
                              "available", "forecast", "variance", "variance_pct")] == [
        D("500000.00"), D("0.00"), D("500000.00"), D("500000.00"), D("125000.00"), D("110000.00"), D("90000.00"),
        D("300000.00"), D("490000.00"), D("10000.00"), D("2.00")]
    poca = pick(all_rows, SUBTOTAL, fund="POCA")
    assert (poca["awarded"], poca["received"], poca["available"]) == (D("44531.25"), D("44531.25"), D("44531.25"))
    fpn = pick(all_rows, SUBTOTAL, fund="FPN")
    assert (fpn["original"], fpn["awarded"], fpn["available"]) == (D("0.00"), D("69525.00"), D("69525.00"))
    total = pick(all_rows, TOTAL)
    assert [total[k] for k in ("original", "revised", "awarded", "received", "committed", "actual", "available",
                               "forecast", "variance", "variance_pct")] == [
        D("540000.00"), D("540000.00"), D("614056.25"), D("239056.25"), D("110000.00"), D("90000.00"),
        D("414056.25"), D("530000.00"), D("10000.00"), D("1.85")]


def test_fund_statement_as_at_an_earlier_date(scenario):
    all_rows = rows("fund", as_at="2025-06-30", known_at=scenario.known_at)
    core = pick(all_rows, SUBTOTAL, fund="MOJ-CORE")
    assert (core["committed"], core["actual"], core["available"]) == (D("200000.00"), D("0.00"), D("300000.00"))
    # The forecast made on 15/10/2025 did not exist on 30/06/2025: the revised budget stands in for it.
    hubs = pick(all_rows, LINE, heading="Victim support hubs")
    assert (hubs["forecast"], hubs["forecast_on"]) == (D("300000.00"), None)


def test_quarterly_profile_phases_budget_and_splits_actual_by_quarter(scenario):
    all_rows = rows("quarterly", as_at="2026-03-31", known_at=scenario.known_at)
    core = [r for r in all_rows if r.kind == LINE and r["fund"] == "MOJ-CORE"]
    assert [(r["quarter"], r["budget"], r["actual"], r["variance"]) for r in core] == [
        ("Q1 Apr-Jun 2025", D("125000.00"), D("0.00"), D("125000.00")),  # positive: spending below the profile
        ("Q2 Jul-Sep 2025", D("125000.00"), D("60000.00"), D("65000.00")),
        ("Q3 Oct-Dec 2025", D("125000.00"), D("30000.00"), D("95000.00")),
        ("Q4 Jan-Mar 2026", D("125000.00"), D("0.00"), D("125000.00")),
    ]
    total = pick(all_rows, SUBTOTAL, fund="MOJ-CORE")
    assert (total["budget"], total["actual"], total["variance"]) == (D("500000.00"), D("90000.00"), D("410000.00"))
    poca = [r["budget"] for r in all_rows if r.kind == LINE and r["fund"] == "POCA"]
    assert poca == [D("10000.00")] * 4
    grand = pick(all_rows, TOTAL)
    assert (grand["budget"], grand["actual"]) == (D("540000.00"), D("90000.00"))


def test_quarterly_profile_leaves_quarters_not_reached_without_actual(scenario):
    all_rows = rows("quarterly", as_at="2025-08-31", known_at=scenario.known_at)
    core = [r for r in all_rows if r.kind == LINE and r["fund"] == "MOJ-CORE"]
    assert [r["actual"] for r in core] == [D("0.00"), D("60000.00"), None, None]
    assert core[1]["note"] == "Actual to 31/08/2025"
    assert core[2]["note"] == "Quarter not reached at the as-at date"
    total = pick(all_rows, SUBTOTAL, fund="MOJ-CORE")
    assert (total["budget"], total["actual"], total["variance"]) == (D("500000.00"), D("60000.00"), D("190000.00"))


def test_retained_income_per_document_with_other_rates(scenario):
    all_rows = rows("retained", as_at="2026-03-31", known_at=scenario.known_at)
    p01 = pick(all_rows, LINE, reference="FPN-P01")
    assert [p01[k] for k in ("kind", "detail", "tickets", "gross", "share_pct", "retained", "treasury",
                             "at_0", "at_25", "at_50", "at_75", "at_100")] == [
        "Fixed penalties", "P1 Apr 2025", 1387, D("138700.00"), D("25.000"), D("34675.00"), D("104025.00"),
        D("0.00"), D("34675.00"), D("69350.00"), D("104025.00"), D("138700.00")]
    aris = pick(all_rows, LINE, reference="ARIS-002")
    # Under ARIS the Home Office keeps half; the other agencies share the rest of the other half; nothing is owed.
    assert [aris[k] for k in ("detail", "gross", "share_pct", "retained", "home_office", "other_agencies",
                              "treasury", "at_25", "at_50", "at_75")] == [
        "T20251102", D("77250.00"), D("12.500"), D("9656.25"), D("38625.00"), D("28968.75"), None, D("19312.50"),
        D("38625.00"), None]
    poca = pick(all_rows, SUBTOTAL, fund="POCA")
    assert (poca["gross"], poca["retained"], poca["home_office"], poca["other_agencies"], poca["treasury"],
            poca["owed_to_treasury"], poca["tickets"]) == (
        D("263250.00"), D("44531.25"), D("131625.00"), D("87093.75"), None, None, None)
    total = pick(all_rows, TOTAL)
    assert [total[k] for k in ("tickets", "gross", "retained", "treasury", "owed_to_treasury", "at_0", "at_50",
                               "at_100")] == [
        2781, D("541350.00"), D("114056.25"), D("208575.00"), D("208575.00"), D("0.00"), D("270675.00"),
        D("278100.00")]


def test_retained_income_rates_are_data(scenario, settings):
    settings.RINGFENCE = {**settings.RINGFENCE, "RETENTION_RATES": ["10", "33.5"]}
    params = parameters_parse(year="2025/26", known_at=scenario.known_at)
    statement = statement_get("retained")(params)
    assert [c.title for c in statement.columns][-2:] == ["Retained at 10%", "Retained at 33.5%"]
    p02 = next(r for r in statement.rows() if r["reference"] == "FPN-P02")
    assert (p02["at_10"], p02["at_33_5"]) == (D("13940.00"), D("46699.00"))


def test_retained_income_as_at_leaves_out_later_documents(scenario):
    all_rows = rows("retained", as_at="2025-04-30", known_at=scenario.known_at)
    assert [r["reference"] for r in all_rows if r.kind == LINE] == ["FPN-P01"]


def test_changes_in_the_period_record_who_what_why_before_and_after(scenario):
    all_rows = rows("changes", known_at=scenario.known_at)
    virement = pick(all_rows, LINE, kind="Virement")
    assert virement["record"] == "MOJ-CORE Restorative justice to MOJ-CORE Specialist counselling"
    assert (virement["who"], virement["change"], virement["why"]) == (
        "olivia", "Created", "Counselling waiting list has grown.")
    assert virement["after"].startswith("Amount: £10,000.00; Status: Approved")
    forecast = pick(all_rows, LINE, kind="Forecast")
    assert forecast["after"] == "Amount: £290,000.00; Made on: 15/10/2025; Note: One hub opened late"
    assert [r["when"] for r in all_rows] == sorted(r["when"] for r in all_rows)


def test_changes_show_field_changes_with_before_and_after(scenario, director):
    from funds.calendar import period_reopen, periods_close_up_to
    from funds.models import Period

    period = Period.objects.get(year=scenario.year, number=1)
    periods_close_up_to(period=period, by=scenario.officer, reason="April month-end")  # 2024/25 first
    period_reopen(period=Period.objects.get(pk=period.pk), by=director, reason="Late invoice from Safe Haven")
    all_rows = rows("changes")
    closed = [r for r in all_rows if r["kind"] == "Period" and r["field"] == "Is closed"
              and r["record"] == "2025/26 P1"]
    assert [(r["record"], r["who"], r["before"], r["after"], r["why"]) for r in closed] == [
        ("2025/26 P1", "olivia", "No", "Yes", "April month-end"),
        ("2025/26 P1", "diana", "Yes", "No", "Late invoice from Safe Haven"),
    ]


def grow(scenario, n: int):
    """More of everything: another fund with budgets, virements, forecasts, income, commitments and payments."""
    officer = scenario.officer
    fund = fund_create(code=f"VAWG-{n}", name=f"VAWG programme {n}", funder=scenario.core.funder,
                       purpose="VAWG programmes", limit_basis="award", year_end_rule="return", by=officer)
    award = award_letter_record(fund=fund, year=scenario.year, reference=f"VAWG-AWD-{n}", letter_date=date(2025, 4, 3),
                                amount="90000.00", by=officer)
    lines = [budget_line_create(fund=fund, year=scenario.year, heading=f"Heading {i}", amount="30000.00",
                                phasing="monthly" if i % 2 else "quarterly", by=officer) for i in range(3)]
    virement_request(from_line=lines[0], to_line=lines[1], amount="1000.00", reason="Rebalance", by=officer)
    forecast_record(line=lines[2], amount="29000.00", by=officer, made_on=date(2025, 9, 1))
    receipt_record(fund=fund, award_letter=award, reference=f"VAWG-R-{n}", date=date(2025, 5, 2), amount="45000.00",
                   by=officer)
    commit(fund, "50000.00", officer, date(2025, 6, 1))
    for month in (7, 8, 9, 10):
        pay(fund, "5000.00", officer, date(2025, month, 3))
    poca_receipt_record(fund=scenario.poca, reference=f"ARIS-X{n}", case_reference=f"T9{n}", date=date(2025, 8, 1),
                        gross_recovered="1000.00", agency_share_percent="18.75", by=officer)
    fpn_return_record(fund=scenario.fpn, reference=f"FPN-X{n}", month_start=date(2025, 5 + n, 1), tickets=10,
                      gross_value="1000.00", by=officer)


@pytest.mark.parametrize("key", ["fund", "quarterly", "retained", "changes"])
def test_query_count_does_not_grow_with_the_data(scenario, key):
    def count():
        params = parameters_parse(year="2025/26")
        statement = statement_get(key)(params)
        with CaptureQueriesContext(connection) as queries:
            produced = list(statement.rows())
        return len(queries), len(produced)

    small, small_rows = count()
    grow(scenario, 1)
    grow(scenario, 2)
    large, large_rows = count()
    assert large_rows > small_rows
    assert large == small
    assert small <= 20


def test_changes_include_grants_and_masked_bank_details(grants_scenario):
    from grants.organisations import bank_details_submit

    s = grants_scenario.base
    bank_details_submit(organisation=grants_scenario.brindley, account_name="Brindley Survivors Trust",
                        sort_code="40-11-62", account_number="55500123", by=s.officer,
                        reason="New bank: letter of 02/11/2025")
    all_rows = rows("changes")
    bank = [r for r in all_rows if r["kind"] == "Bank details"]
    assert bank[-1]["record"] == "Brindley Survivors Trust"
    assert bank[-1]["after"] == ("Account name: Brindley Survivors Trust; Sort code: ******62; "
                                 "Account number: ******23; Status: Awaiting verification; "
                                 "Change reason: New bank: letter of 02/11/2025")
    assert not any("55500123" in str(v) or "31926819" in str(v) for r in all_rows for v in r.values.values())
    verified = next(r for r in bank if r["field"] == "Status")
    assert (verified["who"], verified["before"], verified["after"]) == ("oscar", "Awaiting verification", "Verified")
    outreach = grants_scenario.outreach
    variation = outreach.variations.get()
    varied = next(r for r in all_rows if r["kind"] == "Grant funding" and r["field"] == "Amount")
    assert (varied["record"], varied["before"], varied["after"], varied["why"]) == (
        f"{outreach.reference} POCA 2025/26", "£20,000.00", "£24,000.00", f"Variation {variation.pk} approved")
    approved = next(r for r in all_rows if r["record"].startswith(outreach.reference) and r["field"] == "Decision")
    assert approved["after"] == "Decision 031-2025"


def test_fund_statement_reconciles_with_the_ledgers_fund_positions(grants_scenario):
    """As at a date after every posting, each fund's income, committed, actual and available equal the kept fund
    positions that verify_ledger proves against the journal."""
    from ledger.selectors import fund_positions

    positions = {p.fund.code: p for p in fund_positions(year=grants_scenario.base.year)}
    # As at today: after every posting, since nothing is dated after today (a later date is refused).
    statement = [r for r in rows("fund", as_at=timezone.localdate().isoformat()) if r.kind == SUBTOTAL]
    assert {r["fund"] for r in statement} == set(positions)
    for row in statement:
        p = positions[row["fund"]]
        assert (row["awarded"], row["committed"], row["actual"], row["available"]) == (
            p.limit, p.committed, p.actual, p.available), row["fund"]

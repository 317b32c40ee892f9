"""The fund statement across the year boundary (issue 11): brought forward, accrued, owed to funder, carried
forward, lapsed and owed to HM Treasury, in every format.

The year end itself (the yearend app) is not used here: the test posts the entries it makes, through the ledger,
into 2025/26's adjustments period P13 dated 31/03/2026, on top of the fixed scenario of tests/reports/conftest.py:

- accruals: MOJ-CORE's delivered, unpaid Q4 instalment (£20,000.00) and an evaluation report (£5,000.00), both
  reversed on 01/04/2026 in the 2025/26 funding year, then paid in April;
- return: MOJ-CORE's unspent £295,000.00 becomes owed to the MoJ, repaid on 20/04/2026;
- carry forward: POCA's unspent £44,531.25 goes to an earmarked reserve, brought forward into 2026/27;
- lapse: VAWG's unspent £20,000.00 lapses.
FPN is left as it was: its HM Treasury share of fines, £208,575.00, is still owed.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.audit import save_with_history
from funds.models import FinancialYear, Fund, Period
from funds.services import fund_create
from income.services import award_letter_record, receipt_record
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import fund_positions
from reports.exports import render
from reports.parameters import parameters_parse
from reports.registry import SUBTOTAL, statement_get
from tests.reports.conftest import Scenario, commit, pay
from tests.reports.sheets import load, row_of
from tests.reports.test_csv import read

NEW_TITLES = ["Brought forward", "Accrued", "Owed to funder", "Carried forward", "Lapsed", "Owed to HM Treasury"]
TITLES = ["Fund", "Funder", "Budget line", "Original budget", "Virements", "Revised budget", "Brought forward",
          "Income awarded", "Income received", "Committed", "Actual", "Accrued", "Available", "Owed to funder",
          "Repaid to funder", "Carried forward", "Lapsed", "Owed to HM Treasury", "Forecast outturn", "Forecast made",
          "Variance £ (positive = underspend)", "Variance % (of budget)"]
FIGURES = ("brought_forward", "awarded", "received", "committed", "actual", "accrued", "available", "owed_to_funder",
           "repaid_to_funder", "carried_forward", "lapsed", "owed_to_treasury")


@dataclass
class YearEnd:
    s: Scenario
    vawg: Fund
    next_year: FinancialYear
    before_year_end: datetime  # everything of the year recorded, nothing of the year end
    before_transfers: datetime  # the accruals posted, not yet the transfers out
    after_year_end: datetime  # the year end posted, nothing of April 2026


def post(day, description, by, *legs):
    return entry_post(date=day, description=description, by=by, legs=list(legs))


@pytest.fixture
def year_end(scenario, year, director) -> YearEnd:
    s = scenario
    officer, core, poca = s.officer, s.core, s.poca
    next_year = FinancialYear.objects.get(start_year=2026)
    vawg = fund_create(code="VAWG", name="VAWG programme", funder=core.funder, purpose="VAWG programmes",
                       limit_basis="award", year_end_rule="lapse", by=officer)
    award_letter_record(fund=vawg, year=year, reference="VAWG-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="30000.00", by=officer)
    commit(vawg, "10000.00", officer, date(2025, 6, 1))
    pay(vawg, "10000.00", officer, date(2025, 9, 1))
    receipt_record(fund=core, reference="MOJ-RCPT-REST", date=date(2026, 3, 20), amount="375000.00", by=officer)
    before_year_end = timezone.now()

    p13 = Period.objects.create(year=year, number=Period.ADJUSTMENTS, start_date=year.end_date,
                                end_date=year.end_date)

    def adjust(description, *legs):
        return entry_post(date=year.end_date, description=description, by=director, legs=list(legs),
                          adjustments=p13)

    adjust("Q4 instalment delivered, unpaid: accrued",
           Leg(acc.GRANT_ACCRUALS, core, DEBIT, D("20000.00")), Leg(acc.ACCRUALS, core, CREDIT, D("20000.00")))
    adjust("Evaluation report delivered in March: accrued",
           Leg(acc.OTHER_ACCRUALS, core, DEBIT, D("5000.00")), Leg(acc.ACCRUALS, core, CREDIT, D("5000.00")))
    before_transfers = timezone.now()
    adjust("MOJ-CORE unspent: owed back to the MoJ",
           Leg(acc.YEAR_END_TRANSFERS, core, DEBIT, D("295000.00")),
           Leg(acc.FUNDER_CREDITOR, core, CREDIT, D("295000.00")))
    adjust("POCA unspent: carried forward to 2026/27",
           Leg(acc.YEAR_END_TRANSFERS, poca, DEBIT, D("44531.25")),
           Leg(acc.RESERVE_CARRIED_FORWARD, poca, CREDIT, D("44531.25")),
           Leg(acc.RESERVE_APPLIED, poca, DEBIT, D("44531.25"), funding_year=next_year),
           Leg(acc.RESERVES_BROUGHT_FORWARD, poca, CREDIT, D("44531.25"), funding_year=next_year))
    adjust("VAWG unspent: lapsed",
           Leg(acc.YEAR_END_TRANSFERS, vawg, DEBIT, D("20000.00")), Leg(acc.LAPSED, vawg, CREDIT, D("20000.00")))
    after_year_end = timezone.now()

    april = date(2026, 4, 1)
    post(april, "Reversal: Q4 instalment accrued", officer,
         Leg(acc.ACCRUALS, core, DEBIT, D("20000.00"), funding_year=year),
         Leg(acc.GRANT_ACCRUALS, core, CREDIT, D("20000.00"), funding_year=year))
    post(april, "Reversal: evaluation report accrued", officer,
         Leg(acc.ACCRUALS, core, DEBIT, D("5000.00"), funding_year=year),
         Leg(acc.OTHER_ACCRUALS, core, CREDIT, D("5000.00"), funding_year=year))
    post(date(2026, 4, 10), "Q4 instalment paid", officer,
         Leg(acc.GRANT_EXPENDITURE, core, DEBIT, D("20000.00"), funding_year=year),
         Leg(acc.CASH, core, CREDIT, D("20000.00"), funding_year=year),
         Leg(acc.COMMITMENT_CONTROL, core, DEBIT, D("20000.00"), funding_year=year),
         Leg(acc.COMMITMENTS, core, CREDIT, D("20000.00"), funding_year=year))
    post(date(2026, 4, 15), "Evaluation report paid", officer,
         Leg(acc.GRANT_EXPENDITURE, core, DEBIT, D("5000.00"), funding_year=year),
         Leg(acc.CASH, core, CREDIT, D("5000.00"), funding_year=year))
    post(date(2026, 4, 20), "Unspent 2025/26 grant repaid to the MoJ", officer,
         Leg(acc.FUNDER_CREDITOR, core, DEBIT, D("295000.00"), funding_year=year),
         Leg(acc.CASH, core, CREDIT, D("295000.00"), funding_year=year))
    return YearEnd(s=s, vawg=vawg, next_year=next_year, before_year_end=before_year_end,
                   before_transfers=before_transfers, after_year_end=after_year_end)


def fund_totals(year="2025/26", **dates) -> dict:
    params = parameters_parse(year=year, **dates)
    return {r["fund"]: r for r in statement_get("fund")(params).rows() if r.kind == SUBTOTAL}


def figures(row) -> dict:
    return {key: row[key] for key in FIGURES}


def test_year_end_moves_what_was_available_into_owed_carried_and_lapsed(year_end):
    before = fund_totals(as_at="2026-03-31", known_at=year_end.before_transfers)
    after = fund_totals(as_at="2026-03-31", known_at=year_end.after_year_end)
    assert (before["MOJ-CORE"]["available"], before["POCA"]["available"], before["VAWG"]["available"]) == (
        D("295000.00"), D("44531.25"), D("20000.00"))
    assert figures(after["MOJ-CORE"]) == {
        "brought_forward": D("0.00"), "awarded": D("500000.00"), "received": D("500000.00"),
        "committed": D("90000.00"), "actual": D("115000.00"), "accrued": D("25000.00"), "available": D("0.00"),
        "owed_to_funder": D("295000.00"), "repaid_to_funder": D("0.00"), "carried_forward": D("0.00"),
        "lapsed": D("0.00"), "owed_to_treasury": D("0.00")}
    assert after["MOJ-CORE"]["owed_to_funder"] == before["MOJ-CORE"]["available"]
    assert (after["POCA"]["carried_forward"], after["POCA"]["available"]) == (before["POCA"]["available"], D("0.00"))
    assert (after["VAWG"]["lapsed"], after["VAWG"]["available"], after["VAWG"]["owed_to_funder"]) == (
        before["VAWG"]["available"], D("0.00"), D("0.00"))
    assert (after["FPN"]["owed_to_treasury"], after["FPN"]["available"]) == (D("208575.00"), D("69525.00"))


def test_accruals_turn_commitment_into_actual_at_31_march_and_are_gone_by_30_april(year_end):
    open_year = fund_totals(as_at="2026-03-31", known_at=year_end.before_year_end)["MOJ-CORE"]
    assert (open_year["committed"], open_year["actual"], open_year["accrued"], open_year["available"]) == (
        D("110000.00"), D("90000.00"), D("0.00"), D("300000.00"))
    # The Q4 instalment: £20,000.00 from committed to actual. The evaluation report: £5,000.00 more actual.
    march = fund_totals(as_at="2026-03-31", known_at=year_end.before_transfers)["MOJ-CORE"]
    assert (march["committed"], march["actual"], march["accrued"], march["available"]) == (
        D("90000.00"), D("115000.00"), D("25000.00"), D("295000.00"))
    # Reversed on 1 April, paid in April, repaid to the MoJ: the same spending, nothing accrued or owed any more.
    april = fund_totals(as_at="2026-04-30")["MOJ-CORE"]
    assert (april["committed"], april["actual"], april["accrued"], april["owed_to_funder"], april["available"]) == (
        D("90000.00"), D("115000.00"), D("0.00"), D("0.00"), D("0.00"))
    # Between the reversal and the payment the instalment is committed again, not spent.
    reversed_only = fund_totals(as_at="2026-04-01")["MOJ-CORE"]
    assert (reversed_only["committed"], reversed_only["actual"], reversed_only["accrued"]) == (
        D("110000.00"), D("90000.00"), D("0.00"))


def test_next_year_opens_with_the_balance_brought_forward(year_end):
    poca = year_end.s.poca
    poca.is_active = False  # closed to new grants: still shown, because it brings a balance forward
    save_with_history(poca, by=year_end.s.director, reason="Programme closed; reserve to be spent by decision")
    next_year = fund_totals(year="2026/27", as_at="2026-04-30")
    assert figures(next_year["POCA"]) == {
        "brought_forward": D("44531.25"), "awarded": D("0.00"), "received": D("0.00"), "committed": D("0.00"),
        "actual": D("0.00"), "accrued": D("0.00"), "available": D("44531.25"), "owed_to_funder": D("0.00"),
        "repaid_to_funder": D("0.00"), "carried_forward": D("0.00"), "lapsed": D("0.00"), "owed_to_treasury": D("0.00")}
    assert next_year["POCA"]["brought_forward"] == fund_totals(as_at="2026-03-31")["POCA"]["carried_forward"]
    assert next_year["MOJ-CORE"]["brought_forward"] == D("0.00")  # returned, not carried


def test_available_equals_the_ledgers_fund_positions_for_every_fund_in_both_years(year_end):
    for label, year in (("2025/26", year_end.s.year), ("2026/27", year_end.next_year)):
        positions = {p.fund.code: p.available for p in fund_positions(year=year, funds=Fund.objects.all())}
        statement = fund_totals(year=label, as_at=timezone.localdate().isoformat())  # after every posting
        assert {code: row["available"] for code, row in statement.items()} == positions, label


def test_every_format_has_the_new_columns_and_their_figures(year_end, tmp_path):
    known_at = year_end.after_year_end
    _name, _type, content = render("csv", year="2025/26", as_at="2026-03-31", known_at=known_at, statement="fund")
    rows = read(content)
    assert rows[0] == ["Row", *TITLES]
    core = next(r for r in rows if r[0] == "subtotal" and r[1] == "MOJ-CORE")
    by_title = dict(zip(rows[0], core, strict=True))
    assert [by_title[t] for t in NEW_TITLES] == ["0.00", "25000.00", "295000.00", "0.00", "0.00", "0.00"]
    assert (by_title["Actual"], by_title["Committed"], by_title["Available"]) == ("115000.00", "90000.00", "0.00")

    _name, _type, content = render("xlsx", year="2025/26", as_at="2026-03-31", known_at=known_at, statement="fund")
    ws = load(content)["Fund statement"]
    header = [c.value for c in ws[4]]
    assert header == TITLES
    poca = row_of(ws, "C", "Total Proceeds of crime fund")
    cells = {title: ws.cell(row=poca, column=i).value for i, title in enumerate(header, start=1)}
    assert (cells["Carried forward"], cells["Available"], cells["Owed to funder"]) == (44531.25, 0, 0)
    total = row_of(ws, "C", "Total all funds")
    owed = header.index("Owed to HM Treasury") + 1
    assert ws.cell(row=total, column=owed).value.startswith("=SUM(")  # the total adds up the funds' rows

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _name, _type, content = render("pdf", year="2025/26", as_at="2026-03-31", known_at=known_at, statement="fund")
    path = tmp_path / "fund.pdf"
    path.write_bytes(content)
    flat = " ".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    for title in TITLES:
        assert title in flat, title
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                            text=True).stdout
    core_lines = [line for line in layout.splitlines() if "Total Victims' services core" in line]
    amounts = [re.findall(r"-?£[\d,]+\.\d\d", line) for line in core_lines]
    # Part one: original to available (accrued £25,000.00); part two: owed to funder first.
    assert amounts[0][-2:] == ["£25,000.00", "£0.00"] and amounts[1][0] == "£295,000.00"

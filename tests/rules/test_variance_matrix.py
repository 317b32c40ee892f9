"""Rule x path matrix for the one variance convention (``funds.selectors.variance``): variance = budget less
outturn, so positive is an underspend and negative an overspend, with the percentage of the budget.

One fund with known figures, MOJ-CORE 2025/26:
  Victim support hubs   revised £300,000.00, forecast outturn £290,000.00: variance  £10,000.00  ( 3.33%)
  Restorative justice   revised £200,000.00, forecast outturn £212,500.00: variance -£12,500.00  (-6.25%)
  MOJ-CORE in total     revised £500,000.00, forecast outturn £502,500.00: variance  -£2,500.00  (-0.50%)
Every place that shows a variance must show these, with this sign: the budgets page, the fund page, the finance
director's dashboard, and the fund statement's rows, Excel workbook (live formulas, computed back), CSV and PDF.
Each of them states the convention.
"""

import csv
import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D

import pytest

from funds.budgets import budget_line_create, forecast_record
from funds.selectors import VARIANCE_CONVENTION, variance
from reports.exports import render
from reports.parameters import parameters_parse
from reports.registry import LINE, SUBTOTAL, statement_get
from tests.reports.sheets import load, row_of, value_of
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in

CONVENTION = "Variance: positive = underspend"
#: heading -> (amount, percent), as the convention gives them.
EXPECTED = {
    "Victim support hubs": (D("10000.00"), D("3.33")),
    "Restorative justice": (D("-12500.00"), D("-6.25")),
}
FUND_TOTAL = (D("-2500.00"), D("-0.50"))
SHOWN = {  # as a page shows them
    "Victim support hubs": ("£10,000.00", "3.33%"),
    "Restorative justice": ("-£12,500.00", "-6.25%"),
}
FUND_SHOWN = ("-£2,500.00", "-0.50%")


@pytest.fixture
def budgeted(funded_core, year, officer):
    hubs = budget_line_create(fund=funded_core, year=year, heading="Victim support hubs", amount="300000.00",
                              by=officer)
    rj = budget_line_create(fund=funded_core, year=year, heading="Restorative justice", amount="200000.00",
                            by=officer)
    forecast_record(line=hubs, amount="290000.00", by=officer, note="One hub opened late",
                    made_on=date(2025, 10, 15))
    forecast_record(line=rj, amount="212500.00", by=officer, note="Extra conferences in Q4",
                    made_on=date(2025, 10, 15))
    return funded_core


def _statement(fmt: str, director) -> bytes:
    return render(fmt, year="2025/26", as_at="2026-03-31", user=director, statement="fund")[2]


def test_the_one_rule():
    assert variance(budget=D("300000.00"), outturn=D("290000.00")) == (D("10000.00"), D("3.33"))
    assert variance(budget=D("200000.00"), outturn=D("212500.00")) == (D("-12500.00"), D("-6.25"))
    assert variance(budget=D("0.00"), outturn=D("100.00")) == (D("-100.00"), None)
    assert VARIANCE_CONVENTION.startswith(CONVENTION)


def test_the_budgets_page(budgeted, officer):
    text = page_text(signed_in(officer).get("/budgets/?year=2025"))
    assert CONVENTION in text
    for heading, (amount, percent) in SHOWN.items():
        revised, outturn = ("£300,000.00", "£290,000.00") if heading == "Victim support hubs" else (
            "£200,000.00", "£212,500.00")
        assert f"{heading} £{revised[1:]} £0.00 £0.00 {revised} {outturn} {amount} {percent}" in text, heading


def test_the_fund_page(budgeted, director):
    text = page_text(signed_in(director).get("/funds/MOJ-CORE/?year=2025"))
    assert CONVENTION in text
    # Original, virements, revised, committed, actual, left on the line, forecast, variance, variance %.
    assert (f"Restorative justice £200,000.00 £0.00 £200,000.00 £0.00 £0.00 £200,000.00 £212,500.00 "
            f"{' '.join(SHOWN['Restorative justice'])}") in text
    assert (f"Victim support hubs £300,000.00 £0.00 £300,000.00 £0.00 £0.00 £300,000.00 £290,000.00 "
            f"{' '.join(SHOWN['Victim support hubs'])}") in text
    assert f"Total £500,000.00 £0.00 £0.00 £502,500.00 {' '.join(FUND_SHOWN)}" in text


def test_the_dashboard(budgeted, director):
    text = page_text(signed_in(director).get("/dashboards/?year=2025"))
    assert CONVENTION in text
    assert f"£502,500.00 {' '.join(FUND_SHOWN)}" in text


def test_the_statements_rows(budgeted):
    rows = list(statement_get("fund")(parameters_parse(year="2025/26", as_at="2026-03-31")).rows())
    for heading, expected in EXPECTED.items():
        (row,) = [r for r in rows if r.kind == LINE and r["heading"] == heading]
        assert (row["variance"], row["variance_pct"]) == expected, heading
    (core,) = [r for r in rows if r.kind == SUBTOTAL and r["fund"] == "MOJ-CORE"]
    assert (core["variance"], core["variance_pct"]) == FUND_TOTAL
    assert CONVENTION in statement_get("fund").description
    assert CONVENTION in statement_get("quarterly").description


def test_the_excel_workbook(budgeted, director):
    book = load(_statement("xlsx", director))
    ws = book["Fund statement"]
    assert CONVENTION in ws["A3"].value
    titles = {cell.value: cell.column_letter for cell in ws[4] if cell.value}
    v, pct = titles["Variance £ (positive = underspend)"], titles["Variance % (of budget)"]
    revised, forecast = titles["Revised budget"], titles["Forecast outturn"]
    for heading, (amount, percent) in EXPECTED.items():
        n = row_of(ws, "C", heading)
        assert ws[f"{v}{n}"].value == f"={revised}{n}-{forecast}{n}", heading  # revised budget less forecast outturn
        assert value_of(ws, ws[f"{v}{n}"]) == amount, heading
        assert value_of(ws, ws[f"{pct}{n}"]) == percent / 100, heading
    total = row_of(ws, "C", "Total Victims' services core grant")
    assert (value_of(ws, ws[f"{v}{total}"]), value_of(ws, ws[f"{pct}{total}"])) == (FUND_TOTAL[0], FUND_TOTAL[1] / 100)
    cover = [row[0] for row in book["Cover"].iter_rows(min_col=1, max_col=1, values_only=True) if row[0]]
    assert any(str(line).startswith(CONVENTION) for line in cover)


def test_the_csv(budgeted, director):
    rows = list(csv.reader(io.StringIO(_statement("csv", director).decode("utf-8-sig"))))
    header = rows[0]
    assert "Variance £ (positive = underspend)" in header
    amount_at, percent_at = header.index("Variance £ (positive = underspend)"), header.index("Variance % (of budget)")
    for heading, (amount, percent) in EXPECTED.items():
        (row,) = [r for r in rows if r[0] == "line" and r[3] == heading]
        assert (row[amount_at], row[percent_at]) == (f"{amount}", f"{percent}"), heading
    (core,) = [r for r in rows if r[0] == "subtotal" and r[1] == "MOJ-CORE"]
    assert (core[amount_at], core[percent_at]) == tuple(f"{v}" for v in FUND_TOTAL)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf(budgeted, director, tmp_path):
    path = tmp_path / "fund.pdf"
    path.write_bytes(_statement("pdf", director))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert CONVENTION in flat
    lines = text.splitlines()
    for heading, (amount, percent) in SHOWN.items():
        # The table is printed in two parts, each repeating the budget line; the variance is in the second.
        line = [row for row in lines if heading in row][-1]
        assert line.split()[-2:] == [amount, percent], heading
    # The fund's total row (its heading wraps within the cell), and the grand total: no other fund has a budget.
    assert [row.split()[0] for row in lines if row.split()[-2:] == list(FUND_SHOWN)] == ["MOJ-CORE", "All"]

"""The monitoring statement in every format, read back independently: openpyxl (with the formula evaluator of
tests/reports/sheets.py), pdftotext and the csv module."""

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D

import pytest

from funds.models import Period
from monitoring.services import commentary_record
from reports.exports import render
from tests.reports.sheets import evaluate, load, row_of

TITLES = ["Fund", "Budget line", "RAG", "Original budget", "Virements", "Revised budget", "Profiled budget to date",
          "Actual to date", "Variance to profile £", "Variance to profile %", "Committed", "Forecast outturn",
          "Forecast variance £", "Forecast variance %", "Commentary", "Commentary by"]
SIGN = "Variance: positive = underspend, negative = overspend"


def download(fmt: str, user):
    return render(fmt, year="2025/26", as_at="2025-10-31", user=user, statement="monitoring")


def test_the_workbook_has_the_titles_the_sign_convention_and_live_formulas(monitored):
    commentary_record(line=monitored.lines["counselling"], period=Period.objects.get(start_date=date(2025, 10, 1)),
                      text="Waiting list cleared early.", by=monitored.officer)
    name, _type, content = download("xlsx", monitored.director)
    assert name == "ringfence-2025-26-as-at-2025-10-31.xlsx"
    ws = load(content)["Budget monitoring"]
    assert ws["A1"].value == "Budget monitoring: 2025/26"
    assert ws["A3"].value.startswith(SIGN) and "Month: October 2025 (P7 2025/26)" in ws["A3"].value
    assert [c.value for c in ws[4]] == TITLES
    core = row_of(ws, "B", "Total Victims' services core grant")
    first = row_of(ws, "B", "Restorative justice")
    for letter, figure in (("D", "500000.00"), ("G", "291666.66"), ("H", "353000.00"), ("I", "-61333.34"),
                           ("K", "145000.00"), ("L", "550000.00"), ("M", "-50000.00")):
        assert ws[f"{letter}{core}"].value == f"=SUM({letter}{first}:{letter}{core - 1})"
        assert evaluate(ws, ws[f"{letter}{core}"].value) == D(figure)
    hubs = row_of(ws, "B", "Victim support hubs")
    assert ws[f"I{hubs}"].value == f"=G{hubs}-H{hubs}" and evaluate(ws, ws[f"I{hubs}"].value) == D("9000.00")
    assert ws[f"J{hubs}"].value == f"=ROUND(I{hubs}/G{hubs},4)" and evaluate(ws, ws[f"J{hubs}"].value) == D("0.0514")
    assert ws[f"M{hubs}"].value == f"=F{hubs}-L{hubs}"
    assert (ws[f"C{hubs}"].value, ws[f"O{hubs}"].value) == ("Amber", "NO COMMENTARY: an amber line needs an "
                                                                     "explanation")
    counselling = row_of(ws, "B", "Specialist counselling")
    assert (ws[f"C{counselling}"].value, ws[f"O{counselling}"].value) == ("Red", "Waiting list cleared early.")
    total = row_of(ws, "B", "Total all funds")
    poca = row_of(ws, "B", "Total Proceeds of crime fund")
    assert ws[f"H{total}"].value == f"=SUM(H{core},H{poca})" and evaluate(ws, ws[f"G{total}"].value) == D("314999.99")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_prints_the_sign_convention_rag_figures_and_flags(monitored, tmp_path):
    _name, content_type, content = download("pdf", monitored.director)
    path = tmp_path / "monitoring.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert content_type == "application/pdf" and "Budget monitoring" in flat
    assert SIGN in flat and "Month: October 2025 (P7 2025/26)" in flat
    for figure in ("£175,000.00", "£93,333.33", "-£11,666.67", "-12.50%", "£9,000.00", "5.14%", "£314,999.99"):
        assert figure in flat
    assert "NO COMMENTARY: a red line needs an explanation" in flat
    assert "NO COMMENTARY: an amber line needs an explanation" in flat
    assert "Amber" in flat and "Red" in flat and "Green" in flat


def test_the_csv_has_the_titles_and_one_row_per_line(monitored):
    name, _type, content = download("csv", monitored.director)
    assert name == "ringfence-2025-26-as-at-2025-10-31-monitoring.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    # the exact titles, then the sign convention stated as the title of a last, empty column
    assert rows[0] == ["Row", *TITLES, "Sign convention. Variance: positive = underspend, negative = overspend "
                                       "(budget less outturn)."]
    assert {row[-1] for row in rows[1:]} == {""}
    hubs = next(row for row in rows if row[2] == "Victim support hubs")
    assert hubs[:11] == ["line", "MOJ-CORE", "Victim support hubs", "Amber", "300000.00", "0.00", "300000.00",
                         "175000.00", "166000.00", "9000.00", "5.14"]
    assert [row[0] for row in rows[1:]].count("subtotal") == 2 and rows[-1][:3] == ["total", "All funds",
                                                                                    "Total all funds"]

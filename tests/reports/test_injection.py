"""Names that a spreadsheet would run as formulas come out as text: in Excel exactly as typed (a string cell with
Excel's quotePrefix style), in CSV with a leading apostrophe (a CSV has no cell types)."""

import csv
import io
import re
import zipfile

import pytest

from core.audit import save_with_history
from funds.budgets import budget_line_create, forecast_record
from funds.models import Fund
from funds.services import funder_create
from reports.exports import render
from tests.reports.sheets import load

EVIL = '=HYPERLINK("http://x","y")'


@pytest.fixture
def evil_names(scenario):
    officer = scenario.officer
    funder = funder_create(name=EVIL, kind="other", by=officer)
    fund = Fund.objects.get(pk=scenario.poca.pk)
    fund.funder = funder
    fund.name = EVIL
    save_with_history(fund, by=officer, reason="@SUM(1,1)")
    line = budget_line_create(fund=fund, year=scenario.year, heading="+44 121 000", amount="100.00", by=officer)
    forecast_record(line=line, amount="90.00", by=officer, note="-2+3", made_on=scenario.year.start_date)
    return scenario


ALLOWED_FORMULA = re.compile(r"=?(SUM\(.*\)|[A-Z]+\d+-[A-Z]+\d+|ROUND\([A-Z]+\d+/[A-Z]+\d+,4\))")


def test_excel_shows_every_name_exactly_as_text(evil_names):
    _name, _type, content = render("xlsx", year="2025/26", as_at="2026-03-31")
    workbook = load(content)
    texts = {}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # only the formulas the renderer writes: totals and variances
                    assert ALLOWED_FORMULA.fullmatch(cell.value), (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    texts.setdefault(cell.value, []).append(cell)
    # The funder column of the fund statement and the funder's record in the audit trail; the budget heading; the
    # reason given for the rename: each exactly as typed, no apostrophe, marked as text the way Excel marks it.
    for name in (EVIL, "+44 121 000", "@SUM(1,1)"):
        assert texts.get(name), name
        assert all(cell.quotePrefix for cell in texts[name]), name
    assert not [t for t in texts if t.startswith("'")]
    assert all(cell.quotePrefix for t, found in texts.items() if t[:1] in ("=", "+", "-", "@", "\t", "\r")
               for cell in found)
    # Read independently of openpyxl: the sheets' XML holds no formula but the renderer's own.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        formulas = [f for name in archive.namelist() if name.startswith("xl/worksheets/")
                    for f in re.findall(r"<f>(.*?)</f>", archive.read(name).decode())]
    assert formulas and all(ALLOWED_FORMULA.fullmatch(f) for f in formulas)
    assert not [f for f in formulas if "HYPERLINK" in f]


def test_csv_keeps_every_name_as_text(evil_names):
    _name, content_type, content = render("csv", year="2025/26", as_at="2026-03-31")
    assert content_type == "application/zip"
    fields = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            reader = csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            fields += [f for row in reader for f in row]
    assert "'" + EVIL in fields
    assert "'+44 121 000" in fields and "'-2+3" in fields
    dangerous = [f for f in fields if f[:1] in ("=", "+", "@", "\t", "\r")]
    assert dangerous == []
    # Only numbers may begin with a minus sign.
    assert all(f[1:].replace(".", "").isdigit() for f in fields if f.startswith("-"))

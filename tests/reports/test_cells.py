import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from banking import report as bank_report
from reports import cells
from reports.renderers import csv as csv_renderer
from reports.renderers import funder_return as funder_return_renderer
from reports.renderers import xlsx as xlsx_renderer

DANGEROUS = ['=HYPERLINK("http://x","y")', "=2+3 Formula Trust", "+44 121", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert cells.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Safe Haven CIC", "", "Total =SUM", Decimal("-12.50"), 3, None])
def test_other_values_are_left_alone(value):
    assert cells.neutralise(value) == value


def test_every_excel_writer_uses_the_one_rule_and_csv_its_own_form_of_it():
    for module in (xlsx_renderer, funder_return_renderer, bank_report):
        assert module.excel_set is cells.excel_set, module.__name__
        assert not hasattr(module, "neutralise") and not hasattr(module, "DANGEROUS_STARTS"), module.__name__
    assert csv_renderer.neutralise is cells.neutralise


def _saved_and_read_back(write_only: bool, values: list):
    """``values`` written in row 1 by ``excel_set``, saved and read back by openpyxl: (its cells, the sheet XML)."""
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("S")
    if write_only:
        ws.append([cells.excel_set(WriteOnlyCell(ws), v) for v in values])
    else:
        for column, value in enumerate(values, start=1):
            cells.excel_set(ws.cell(row=1, column=column), value)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        sheet = archive.read(f"xl/worksheets/sheet{1 if write_only else 2}.xml").decode()
    return list(openpyxl.load_workbook(buffer)["S"][1]), sheet


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("text", DANGEROUS[:5])
def test_excel_shows_text_that_looks_like_a_formula_exactly_and_keeps_it_text(text, write_only):
    (cell,), sheet = _saved_and_read_back(write_only, [text])
    assert cell.value == text  # no apostrophe in the cell
    assert cell.data_type == "s" and cell.quotePrefix  # a string, marked as Excel marks a typed apostrophe
    assert "<f>" not in sheet and 't="inlineStr"' in sheet


@pytest.mark.parametrize("write_only", [False, True])
def test_excel_writes_a_formula_only_when_told_and_everything_else_as_itself(write_only):
    values = [cells.Formula("=SUM(F1:G1)"), "Safe Haven CIC", "#N/A", "", Decimal("-12.50"), 3, date(2026, 3, 31)]
    found, sheet = _saved_and_read_back(write_only, values)
    formula, plain, error_like, empty, amount, count, day = found
    assert (formula.value, formula.data_type) == ("=SUM(F1:G1)", "f")
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("Safe Haven CIC", "s", False)
    assert (error_like.value, error_like.data_type) == ("#N/A", "s")  # text, not Excel's error value
    assert empty.value is None
    assert (amount.value, amount.data_type) == (-12.5, "n") and (count.value, count.data_type) == (3, "n")
    assert day.value.date() == date(2026, 3, 31)
    assert sheet.count("<f>") == 1


def test_money_stays_a_number_even_when_negative():
    assert cells.plain_text(Decimal("-10000.00"), "money") == "-10000.00"
    assert xlsx_renderer.excel_value(Decimal("-10000.00"), "money") == Decimal("-10000.00")
    assert cells.plain_text("-10000.00", "text") == "'-10000.00"  # CSV
    assert xlsx_renderer.excel_value("-10000.00", "text") == "-10000.00"  # Excel: a string cell, shown as written

from decimal import Decimal

import pytest

from reports import cells
from reports.renderers import csv as csv_renderer
from reports.renderers import xlsx as xlsx_renderer


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+44 121", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert cells.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Safe Haven CIC", "", "Total =SUM", Decimal("-12.50"), 3, None])
def test_other_values_are_left_alone(value):
    assert cells.neutralise(value) == value


def test_excel_and_csv_share_the_one_guard():
    assert xlsx_renderer.neutralise is cells.neutralise
    assert csv_renderer.neutralise is cells.neutralise


def test_money_stays_a_number_even_when_negative():
    assert cells.plain_text(Decimal("-10000.00"), "money") == "-10000.00"
    assert xlsx_renderer.excel_value(Decimal("-10000.00"), "money") == Decimal("-10000.00")
    assert cells.plain_text("-10000.00", "text") == "'-10000.00"

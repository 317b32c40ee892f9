"""Reading an .xlsx income file: every row of the first sheet is read, or the file is refused with the reason.

The sheets here are written as the XML inside the workbook, so each test shows exactly what the file holds: a
dimension that understates the sheet, rows far below blank ones, and the damage a hand-edited or broken file has.
"""

import io
import re
import zipfile

import openpyxl
import pytest

from income.import_files import read_sheet
from income.import_workbooks import FileRefused
from income.importing import income_import
from tests.income.importing_files import csv_bytes

HEADER = ["fund_code", "date", "kind", "reference", "amount", "description", "tickets"]
FEE = ["ROAD-FEES", "30/05/2025", "fee", "NDORS-{n}", "10.00", "Course fees"]


def cell(ref: str, value) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def row(number: int, values) -> str:
    cells = "".join(cell(f"{column}{number}", v) for column, v in zip("ABCDEFG", values, strict=False) if v != "")
    return f'<row r="{number}">{cells}</row>'


def workbook(sheet_data: str, *, dimension: str | None = None) -> bytes:
    """A real workbook saved by openpyxl whose first sheet holds ``sheet_data`` (the rows, as XML) and, when given,
    the ``<dimension>`` a program wrote for it."""
    book = openpyxl.Workbook()
    book.active.title = "Income"
    book.active["A1"] = "placeholder"
    saved = io.BytesIO()
    book.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{sheet_data}</sheetData>", text)
                if dimension:
                    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', text)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def fee_row(number: int) -> str:
    return row(number, [v.format(n=number) for v in FEE])


def numbers(data: bytes, name: str = "income.xlsx") -> list[int]:
    return [r.number for r in read_sheet(name, data).rows]


def test_a_row_far_below_blank_rows_is_read_as_the_same_file_as_csv_is():
    """Rows 2 to 4, then nothing until row 6,500: the row the earlier reader left out ("Imported 3 rows")."""
    data = workbook(row(1, HEADER) + fee_row(2) + fee_row(3) + fee_row(4) + fee_row(6500))
    assert numbers(data) == [2, 3, 4, 6500]
    as_csv = csv_bytes([[v.format(n=n) for v in FEE] + [""] for n in (2, 3, 4)] + [[""] * 7] * 6495
                       + [[v.format(n=6500) for v in FEE] + [""]], header=HEADER)
    assert numbers(as_csv, "income.csv") == [2, 3, 4, 6500]


def test_a_dimension_that_understates_the_sheet_hides_no_row_or_column():
    """A program that declares A1:C3 for a sheet of five rows and seven columns: openpyxl's read-only worksheet
    would stop at row 3 and column C; every cell is read."""
    data = workbook(row(1, HEADER) + "".join(fee_row(n) for n in range(2, 6)), dimension="A1:C3")
    sheet = read_sheet("income.xlsx", data)
    assert [r.number for r in sheet.rows] == [2, 3, 4, 5]
    assert sheet.rows[-1].values["amount"] == "10.00" and sheet.rows[-1].values["reference"] == "NDORS-5"


def test_rows_without_numbers_are_counted_as_a_spreadsheet_program_counts_them():
    data = workbook(row(1, HEADER) + fee_row(2).replace(' r="2"', "", 1) + fee_row(4))
    assert numbers(data) == [2, 4]


def test_the_values_are_read_as_the_cells_hold_them():
    data = workbook(row(1, HEADER) + row(2, ["FPN", "15/05/2025", "fpn", "FPN-05", 138000.5, "May", 1380]))
    values = read_sheet("income.xlsx", data).rows[0].values
    assert values == {"fund_code": "FPN", "date": "15/05/2025", "kind": "fpn", "reference": "FPN-05",
                      "amount": 138000.5, "description": "May", "tickets": 1380}


SAVE_AGAIN = "Open it in Excel, save it again as .xlsx, and try again."
DAMAGED = [
    pytest.param(row(1, HEADER) + fee_row(3) + fee_row(3),
                 f"income.xlsx is damaged: its sheet holds row 3 after row 3, so a row would be read twice or out of "
                 f"order. {SAVE_AGAIN}", id="a row twice"),
    pytest.param(row(1, HEADER) + fee_row(5) + fee_row(4),
                 "income.xlsx is damaged: its sheet holds row 4 after row 5", id="rows out of order"),
    pytest.param(row(1, HEADER) + fee_row(2).replace('r="D2"', 'r="D7"'),
                 f"income.xlsx is damaged: cell D7 is stored in row 2. {SAVE_AGAIN}", id="a cell in another row"),
    pytest.param(row(1, HEADER) + fee_row(2).replace('r="E2"', 'r="B2"'),
                 "income.xlsx is damaged: cell B2 is stored twice or out of order in row 2.", id="a cell twice"),
    pytest.param(row(1, HEADER) + fee_row(1048577),
                 "income.xlsx is damaged: it numbers a row 1048577, outside a sheet's rows 1 to 1,048,576.",
                 id="beyond the last row"),
    pytest.param(row(1, HEADER) + fee_row(2) + '<row r="x"><c r="A3"><v>1</v></c></row>',
                 f"income.xlsx could not be read as an Excel workbook after row 2; its sheet is damaged. {SAVE_AGAIN}",
                 id="a row number that is not a number"),
    pytest.param(row(1, HEADER) + fee_row(2) + '<row r="3"><c r="A3" t="s"><v>99</v></c></row>',
                 "income.xlsx could not be read as an Excel workbook after row 2; its sheet is damaged.",
                 id="a shared string that is not there"),
    pytest.param(row(1, HEADER) + fee_row(2) + '<row r="3"><c r="E3"><v>12..5</v></c></row>',
                 "income.xlsx could not be read as an Excel workbook after row 2; its sheet is damaged.",
                 id="a number that is not a number"),
    pytest.param(row(1, HEADER) + fee_row(2) + '<row r="3"><c r="A3" t="inlineStr"><is><t>POCA</t></is>',
                 "income.xlsx could not be read as an Excel workbook", id="xml cut short"),
]


@pytest.mark.parametrize("sheet_data, message", DAMAGED)
def test_a_damaged_sheet_is_refused_with_the_reason(sheet_data, message):
    with pytest.raises(FileRefused) as refused:
        read_sheet("income.xlsx", workbook(sheet_data))
    assert str(refused.value).startswith(message)


def test_a_damaged_sheet_refuses_the_import_and_writes_nothing(officer, year):
    data = workbook(row(1, HEADER) + fee_row(2) + fee_row(2))
    report = income_import(name="income.xlsx", data=data, by=officer)
    assert report.refused.startswith("income.xlsx is damaged: its sheet holds row 2 after row 2")
    assert report.lines() == [f"Refused: {report.refused} Nothing was written."]


def test_a_formula_reads_as_its_saved_value_and_one_saved_without_a_value_is_not_taken_for_a_blank():
    data = workbook(row(1, HEADER) + '<row r="2"><c r="E2"><f>SUM(H1:H9)</f><v>10.5</v></c></row>'
                    '<row r="3"><c r="E3"><f>SUM(H1:H9)</f></c></row>')
    assert [r.values["amount"] for r in read_sheet("income.xlsx", data).rows] == [10.5, "=SUM(H1:H9)"]

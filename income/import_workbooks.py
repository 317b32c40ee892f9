"""Reading the first sheet of an .xlsx workbook for the income import: every cell the sheet holds, or a refusal
that says why.

openpyxl's read-only worksheet (``iter_rows``) is built for speed on well-formed files and quietly leaves out what
does not fit its expectations: it stops at the last row the sheet's ``<dimension>`` element declares (a workbook that
claims ``A1:F4`` loses row 5 onwards), skips a row whose number is not above the one before it, loses a cell whose
column comes before the previous cell's, and files a cell under whichever ``<row>`` holds it whatever its own
reference says. An import that must record every row, or none, cannot use it as it is. So the sheet is read here with
openpyxl's own sheet parser (the one the read-only worksheet drives: the same shared strings, dates and numbers),
which gives each row's number and each cell's reference, and a sheet whose rows or cells are out of order, repeated
or misplaced is refused. No spreadsheet program writes such a sheet; guessing which value was meant would be worse
than asking for the file again.
"""

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that would unpack beyond this
LAST_ROW, LAST_COLUMN = 1_048_576, 16_384  # the largest sheet Excel has (XFD1048576)
SAVE_AGAIN = "Open it in Excel, save it again as .xlsx, and try again."


class FileRefused(Exception):
    """The whole file is refused; ``str(error)`` says why and what would be accepted."""


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@contextmanager
def open_workbook(display: str, data: bytes) -> Iterator[Iterator[tuple[int, dict[int, object]]]]:
    """Open the workbook and give its first sheet as (row number, {column number: value}) pairs, in order, for each
    row the sheet holds (cells without a value are left out). Raises FileRefused, before or while the rows are read,
    for anything that is not a whole, readable workbook."""
    buffer = io.BytesIO(data)
    not_a_workbook = (f"{display} is named .xlsx but is not an Excel workbook. Save it from Excel as "
                      "'Excel Workbook (.xlsx)', or export it as CSV.")
    if not zipfile.is_zipfile(buffer):
        raise FileRefused(not_a_workbook)
    try:
        with zipfile.ZipFile(buffer) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(not_a_workbook)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise FileRefused(not_a_workbook)
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FileRefused(f"{display} would unpack to more than {size_text(MAX_UNPACKED_BYTES)}, which no income "
                          "spreadsheet needs. Save only the income sheet, or export it as CSV.")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for damaged files; each means the same to the person
        raise FileRefused(f"{display} could not be read as an Excel workbook; it may be damaged. {SAVE_AGAIN}")
    try:
        if not workbook.worksheets:
            raise FileRefused(f"{display} has no worksheet. Put the income on the first sheet of the workbook.")
        yield _sheet_rows(display, workbook, workbook.worksheets[0])
    finally:
        workbook.close()


def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        """Reads each cell's saved value (what Excel shows); a formula saved without its value (a file written by a
        program that does not calculate) reads as the formula's text, so the row is not taken for a blank one and
        the cell is refused in the column's own words."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = f"={element.findtext(FORMULA_TAG) or ''}"
            return cell

    return CellParser


def _sheet_rows(display: str, workbook, sheet) -> Iterator[tuple[int, dict[int, object]]]:
    # The read-only worksheet's own source and settings, passed to its parser as ReadOnlyWorksheet._cells_by_row
    # does (openpyxl is pinned in requirements.txt; tests/income/test_import_workbooks.py reads through this path).
    previous = 0
    try:
        with sheet._get_source() as source:
            parser = _parser_class()(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                _check_place(display, number, previous, cells)
                previous = number
                yield number, {cell["column"]: cell["value"] for cell in cells if cell["value"] is not None}
    except FileRefused:
        raise
    except Exception:  # the sheet's XML, a shared string, a number or a date could not be read
        where = f" after row {previous:,}" if previous else ""
        raise FileRefused(f"{display} could not be read as an Excel workbook{where}; its sheet is damaged. "
                          f"{SAVE_AGAIN}")


def _check_place(display: str, number: int, previous: int, cells: list[dict]) -> None:
    """Refuse a row or cell that is outside the sheet, repeated, out of order, or filed under another row."""
    from openpyxl.utils import get_column_letter

    damaged = f"{display} is damaged:"
    if not 1 <= number <= LAST_ROW:
        raise FileRefused(f"{damaged} it numbers a row {number}, outside a sheet's rows 1 to {LAST_ROW:,}. "
                          f"{SAVE_AGAIN}")
    if number <= previous:
        raise FileRefused(f"{damaged} its sheet holds row {number:,} after row {previous:,}, so a row would be read "
                          f"twice or out of order. {SAVE_AGAIN}")
    last_column = 0
    for cell in cells:
        row, column = cell["row"], cell["column"]
        if not 1 <= column <= LAST_COLUMN:
            raise FileRefused(f"{damaged} row {number:,} has a cell in column {column:,}, outside a sheet's "
                              f"{LAST_COLUMN:,} columns. {SAVE_AGAIN}")
        where = f"{get_column_letter(column)}{row}"
        if row != number:
            raise FileRefused(f"{damaged} cell {where} is stored in row {number:,}. {SAVE_AGAIN}")
        if column <= last_column:
            raise FileRefused(f"{damaged} cell {where} is stored twice or out of order in row {number:,}. "
                              f"{SAVE_AGAIN}")
        last_column = column

"""Reading an income spreadsheet (.csv or .xlsx) into rows, refusing whole files that are not what they claim.

A file is refused, with a message that says what would be accepted, when it is larger than 10 MB, has another
extension, is not what its extension says (a ``.csv`` that is binary or is really a workbook, an ``.xlsx`` that is not
a zip of an Excel workbook, or whose contents would unpack to something enormous), has no rows, has more rows than
one import takes, or lacks one of the required columns. Every row of the file is read: blank rows are skipped and
every other row is kept, or the whole file is refused (a workbook's sheet is read cell by cell in
``income.import_workbooks``, which refuses a damaged one rather than leave rows out). Nothing here touches the
database.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from income.import_workbooks import FileRefused, open_workbook, size_text

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_ROWS = 5000
REQUIRED_COLUMNS = ("fund_code", "date", "kind", "reference", "amount", "description")
# Read when present; needed only by some kinds of row (see README, "Importing income").
OPTIONAL_COLUMNS = ("year", "award_reference", "share", "case_reference", "tickets", "courses")
EXTENSIONS = (".csv", ".xlsx")

BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or other zip file",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Word file",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
}


@dataclass
class SheetRow:
    number: int  # the row number the person sees in their spreadsheet (the header is row 1)
    values: dict  # column name -> str, int, float, date, datetime or None, as the file held it


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[SheetRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_sheet(name: str, data: bytes) -> Sheet:
    """Turn an uploaded or local file into rows, or raise FileRefused."""
    display = PurePath(name or "").name or "the file"
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"{display} is {size_text(len(data))}; the largest file accepted is 10 MB. Split it into smaller files."
        )
    extension = PurePath(display).suffix.lower()
    if extension not in EXTENSIONS:
        raise FileRefused(
            f"{display} is not a .csv or .xlsx file. Save the spreadsheet as CSV (comma-separated) or as an Excel "
            "workbook (.xlsx) and try again."
        )
    if not data:
        raise FileRefused(f"{display} is empty. It needs a header row naming the columns and one row per document.")
    if extension == ".csv":
        return _to_sheet(display, _csv_rows(display, _csv_text(display, data)))
    with open_workbook(display, data) as rows:
        return _to_sheet(display, rows)


def _csv_text(display: str, data: bytes) -> str:
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise FileRefused(f"{display} is named .csv but is {what}, not comma-separated text. "
                              "Export the spreadsheet as CSV, or upload the workbook as .xlsx.")
    if b"\x00" in data:
        raise FileRefused(f"{display} is named .csv but holds binary data, not comma-separated text. "
                          "Export the spreadsheet as CSV (comma-separated) and try again.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # what Excel on Windows writes for "CSV (Comma delimited)"
        except UnicodeDecodeError:
            raise FileRefused(f"{display} is not readable text. Save it as 'CSV UTF-8 (Comma delimited)' "
                              "and try again.")
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        raise FileRefused(f"{display} holds control characters, so it is not a plain CSV file. "
                          "Export the spreadsheet as CSV (comma-separated) and try again.")
    return text


def _csv_rows(display: str, text: str) -> Iterator[tuple[int, dict[int, object]]]:
    """(line number, {column number: text}) for each line of the CSV, the first line being 1."""
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
            yield number, dict(enumerate(values, start=1))
    except csv.Error as error:
        raise FileRefused(f"{display} is not well-formed CSV ({error}). Export it again from the spreadsheet.")


def _column_name(value) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_sheet(display: str, rows: Iterable[tuple[int, dict[int, object]]]) -> Sheet:
    """Read the header and the rows under it as they stream from the file. Rows keep the numbers the person sees
    in their spreadsheet; blank rows (leading, between or trailing) are skipped, and every other row is kept or
    the whole file refused: nothing is dropped silently."""
    header: list[str] | None = None
    result = None
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for number, cells in rows:
        if all(_blank(v) for v in cells.values()):
            continue
        if header is None:
            header = _header(display, cells)
            result = Sheet(name=display, columns=[c for c in header if c in known],
                           ignored_columns=[c for c in header if c and c not in known])
            continue
        if any(column > len(header) and not _blank(v) for column, v in cells.items()):
            raise FileRefused(f"Row {number} of {display} has values beyond the last named column. Name every column "
                              "in the first row, or delete the stray values.")
        result.rows.append(SheetRow(
            number=number,
            values={name: cells.get(column) for column, name in enumerate(header, start=1) if name in known},
        ))
        if len(result.rows) > MAX_ROWS:
            raise FileRefused(f"{display} has more than {MAX_ROWS:,} rows; one import takes at most {MAX_ROWS:,}. "
                              "Split it into smaller files.")
    if result is None:
        raise FileRefused(f"{display} is empty. It needs a header row naming the columns and one row per document.")
    if not result.rows:
        raise FileRefused(f"{display} has a header row but no rows of income under it.")
    return result


def _header(display: str, cells: dict[int, object]) -> list[str]:
    width = max(column for column, v in cells.items() if not _blank(v))
    header = [_column_name(cells.get(column)) for column in range(1, width + 1)]
    seen, duplicates = set(), []
    for name in header:
        if name and name in seen:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise FileRefused(f"{display} names the column(s) {', '.join(sorted(set(duplicates)))} more than once. "
                          "Each column must appear once.")
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise FileRefused(
            f"{display} is missing the column(s): {', '.join(missing)}. The first row must name the columns "
            f"{', '.join(REQUIRED_COLUMNS)} (description may be left empty on each row)."
        )
    return header

"""Reading an income spreadsheet (.csv or .xlsx) into rows, refusing whole files that are not what they claim.

A file is refused, with a message that says what would be accepted, when it is larger than 10 MB, has another
extension, is not what its extension says (a ``.csv`` that is binary or is really a workbook, an ``.xlsx`` that is not
a zip of an Excel workbook, or whose contents would unpack to something enormous), has no rows, has more rows than
one import takes, or lacks one of the required columns. Nothing here touches the database.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that would unpack beyond this
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


class FileRefused(Exception):
    """The whole file is refused; ``str(error)`` says why and what would be accepted."""


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


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_sheet(name: str, data: bytes) -> Sheet:
    """Turn an uploaded or local file into rows, or raise FileRefused."""
    display = PurePath(name or "").name or "the file"
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"{display} is {_size_text(len(data))}; the largest file accepted is 10 MB. Split it into smaller files."
        )
    extension = PurePath(display).suffix.lower()
    if extension not in EXTENSIONS:
        raise FileRefused(
            f"{display} is not a .csv or .xlsx file. Save the spreadsheet as CSV (comma-separated) or as an Excel "
            "workbook (.xlsx) and try again."
        )
    if not data:
        raise FileRefused(f"{display} is empty. It needs a header row naming the columns and one row per document.")
    table = _read_csv(display, data) if extension == ".csv" else _read_xlsx(display, data)
    return _to_sheet(display, table)


def _read_csv(display: str, data: bytes) -> list[list]:
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
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as error:
        raise FileRefused(f"{display} is not well-formed CSV ({error}). Export it again from the spreadsheet.")


def _read_xlsx(display: str, data: bytes) -> list[list]:
    buffer = io.BytesIO(data)
    not_a_workbook = (f"{display} is named .xlsx but is not an Excel workbook. Save it from Excel as "
                      "'Excel Workbook (.xlsx)', or export it as CSV.")
    if not zipfile.is_zipfile(buffer):
        raise FileRefused(not_a_workbook)
    try:
        with zipfile.ZipFile(buffer) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(not_a_workbook)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise FileRefused(not_a_workbook)
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FileRefused(f"{display} would unpack to more than {_size_text(MAX_UNPACKED_BYTES)}, which no income "
                          "spreadsheet needs. Save only the income sheet, or export it as CSV.")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for damaged files; each means the same to the person
        raise FileRefused(f"{display} could not be read as an Excel workbook; it may be damaged. "
                          "Open it in Excel, save it again as .xlsx, and try again.")
    try:
        sheet = workbook.worksheets[0]
        table = []
        for values in sheet.iter_rows(values_only=True):
            table.append(list(values))
            if len(table) > MAX_ROWS + 1 + 1000:  # leave room for blank rows; the exact count is checked later
                break
        return table
    finally:
        workbook.close()


def _column_name(value) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_sheet(display: str, table: list[list]) -> Sheet:
    # Leading blank lines are harmless; rows keep the numbers the person sees in their spreadsheet.
    start = next((i for i, values in enumerate(table) if not all(_blank(v) for v in values)), None)
    if start is None:
        raise FileRefused(f"{display} is empty. It needs a header row naming the columns and one row per document.")
    header = [_column_name(v) for v in table[start]]
    while header and not header[-1]:
        header.pop()
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
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    result = Sheet(name=display, columns=[c for c in header if c in known],
                   ignored_columns=[c for c in header if c and c not in known])
    for index, values in enumerate(table[start + 1:], start=start + 2):
        if all(_blank(v) for v in values):
            continue  # blank rows (often trailing ones in a workbook) are skipped
        extra = values[len(header):]
        if any(not _blank(v) for v in extra):
            raise FileRefused(f"Row {index} of {display} has values beyond the last named column. Name every column "
                              "in the first row, or delete the stray values.")
        result.rows.append(SheetRow(
            number=index,
            values={name: (values[i] if i < len(values) else None) for i, name in enumerate(header) if name in known},
        ))
        if len(result.rows) > MAX_ROWS:
            raise FileRefused(f"{display} has more than {MAX_ROWS:,} rows; one import takes at most {MAX_ROWS:,}. "
                              "Split it into smaller files.")
    if not result.rows:
        raise FileRefused(f"{display} has a header row but no rows of income under it.")
    return result

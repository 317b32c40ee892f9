"""Reading the bank's statement file: a CSV, checked whole, every bad row named.

Layout (README, "Bank reconciliation"): a header row naming the columns, then one row per statement line.

=============  ========  =====================================================================================
column         required  what it holds
=============  ========  =====================================================================================
Date           yes       the day the money moved: dd/mm/yyyy (30/04/2025) or yyyy-mm-dd (2025-04-30)
Amount         yes       signed, in pounds: positive = money in, negative = money out; 1234.56, -1,234.56,
                         £1,234.56 and -£12.00 all work
Reference      yes       the bank's reference for the line (may be empty on a line, e.g. a bank charge)
Description    no        the bank's narrative
=============  ========  =====================================================================================

Column names are matched ignoring case and surrounding spaces, in any order; any other column is refused by name.
A UTF-8 byte-order mark (as Excel writes) and blank rows are ignored. Rows are numbered as a spreadsheet shows
them: the header is row 1.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.money import format_gbp, parse_amount

COLUMNS = ("Date", "Amount", "Reference")
OPTIONAL_COLUMNS = ("Description",)
MAX_BYTES = 5 * 1024 * 1024
MAX_REFERENCE = 120
MAX_DESCRIPTION = 300
_DATE_FORMATS = ((re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%d/%m/%Y"), (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"))


@dataclass(frozen=True)
class FileLine:
    row: int
    date: Date
    amount: Decimal
    reference: str
    description: str


def signed_amount(raw, *, field: str, allow_zero: bool = True) -> Decimal:
    """An amount that may be negative (a bank balance can be overdrawn, money goes out): '-1,234.56', '-£12.00',
    '£-12.00' or a Decimal. Everything else follows ``core.money.parse_amount``."""
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        return -parse_amount(-raw, field=field, allow_zero=allow_zero) if raw < 0 else parse_amount(
            raw, field=field, allow_zero=allow_zero)
    text = str(raw or "").strip()
    negative = False
    if text.startswith("-"):
        negative, text = True, text[1:].strip()
    elif text.startswith("£") and text[1:].strip().startswith("-"):
        negative, text = True, "£" + text[1:].strip()[1:]
    if negative and not text:
        raise ValidationError({field: "'-' is not an amount; write pounds and pence, for example -1250.00."})
    value = parse_amount(text, field=field, allow_zero=allow_zero)
    return -value if negative else value


def _message(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict.get(field, error.messages))


def _date(text: str) -> Date | None:
    for pattern, fmt in _DATE_FORMATS:
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                return None
    return None


def read_statement_file(content: bytes, *, start: Date, end: Date) -> list[FileLine]:
    """The lines of a statement file for the month ``start``..``end``, or a ValidationError listing every problem
    (each naming its row). Writes nothing: it only reads."""
    if len(content) > MAX_BYTES:
        raise ValidationError(f"The file is {len(content) / (1024 * 1024):.1f} MB; a month's statement file is at most "
                              f"{MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(f"The file is not UTF-8 text (byte {error.start + 1} cannot be read); save it from "
                              "the spreadsheet as 'CSV UTF-8'.") from None
    records = list(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True))
    if not any(any(cell.strip() for cell in record) for record in records):
        raise ValidationError("The file is empty. It needs a header row (Date,Amount,Reference and optionally "
                              "Description) and a row per statement line.")
    header_row, header = next((n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r))
    names = [cell.strip() for cell in header]
    known = {c.lower(): c for c in COLUMNS + OPTIONAL_COLUMNS}
    problems = []
    unknown = [n for n in names if n.lower() not in known]
    missing = [c for c in COLUMNS if c.lower() not in {n.lower() for n in names}]
    repeated = sorted({n for n in names if [m.lower() for m in names].count(n.lower()) > 1})
    if missing:
        problems.append(f"row {header_row}: the header has no {', '.join(missing)} column"
                        f"{'s' if len(missing) > 1 else ''}; it must name Date, Amount and Reference "
                        f"(and optionally Description), e.g. 'Date,Amount,Reference,Description'.")
    if unknown:
        problems.append(f"row {header_row}: unknown column{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)}; the columns are Date, Amount, Reference and "
                        "optionally Description.")
    if repeated:
        problems.append(f"row {header_row}: the column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} "
                        "appear more than once; name each column once.")
    if problems:
        raise ValidationError(problems)
    position = {known[n.lower()]: i for i, n in enumerate(names)}

    lines, seen = [], {}
    for number, record in enumerate(records[header_row:], start=header_row + 1):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(names) and any(cell.strip() for cell in record[len(names):]):
            problems.append(f"row {number}: it has {len(record)} values but the header names {len(names)} columns.")
            continue
        cell = {column: (record[i].strip() if i < len(record) else "") for column, i in position.items()}
        row_problems = []
        day = _date(cell["Date"])
        if not cell["Date"]:
            row_problems.append(f"row {number}: the date is empty; write it as dd/mm/yyyy, for example "
                                f"{end:%d/%m/%Y}.")
        elif day is None:
            row_problems.append(f"row {number}: '{cell['Date']}' is not a date; write real dates as dd/mm/yyyy "
                                f"or yyyy-mm-dd, for example {end:%d/%m/%Y}.")
        elif not start <= day <= end:
            row_problems.append(f"row {number}: {day:%d/%m/%Y} is outside the statement's month "
                                f"({start:%d/%m/%Y} to {end:%d/%m/%Y}); a line belongs to the month it is dated in.")
        amount = None
        try:
            amount = signed_amount(cell["Amount"], field="amount", allow_zero=True)
        except ValidationError as error:
            row_problems.append(f"row {number}: {_message(error, 'amount')}")
        else:
            if amount == 0:
                row_problems.append(f"row {number}: the amount is £0.00; a statement line moves money (positive "
                                    "in, negative out), so leave out lines of £0.00.")
        if len(cell["Reference"]) > MAX_REFERENCE:
            row_problems.append(f"row {number}: the reference is {len(cell['Reference'])} characters long; at most "
                                f"{MAX_REFERENCE} are kept.")
        description = cell.get("Description", "")
        if len(description) > MAX_DESCRIPTION:
            row_problems.append(f"row {number}: the description is {len(description)} characters long; at most "
                                f"{MAX_DESCRIPTION} are kept.")
        if row_problems:
            problems += row_problems
            continue
        key = (day, amount, cell["Reference"].lower())
        if key in seen:
            shown = f"'{cell['Reference']}'" if cell["Reference"] else "no reference"
            problems.append(f"rows {seen[key]} and {number} are the same line ({day:%d/%m/%Y}, {format_gbp(amount)}, "
                            f"{shown}); a line listed twice would be counted twice. Remove the repeated row.")
            continue
        seen[key] = number
        lines.append(FileLine(row=number, date=day, amount=amount, reference=cell["Reference"],
                              description=description))
    if problems:
        raise ValidationError(problems)
    return lines

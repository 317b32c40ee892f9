"""Cell values as text, and the one guard against formula injection used by every spreadsheet-like output.

A spreadsheet treats text that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab or carriage
return) as a formula: an organisation called ``=HYPERLINK("http://x","y")`` would become a live link in the
finance director's Excel. The rule for which text is dangerous is ``DANGEROUS_STARTS`` (in ``core.workbooks``, below
every app, so the bank reconciliation uses it too); two writers apply it.

- Excel (every openpyxl writer: statements and packs, funder returns, the bank reconciliation) puts each value
  through ``excel_set``. Text is written as an explicit string cell (openpyxl ``data_type`` "s", never a formula or
  an error code), and text that begins like a formula also gets the ``quotePrefix`` cell style, which is what Excel
  itself records when someone types a leading apostrophe. The cell shows exactly ``=2+3 Formula Trust``, no
  apostrophe, and Excel and LibreOffice never evaluate it, not even when someone edits the cell and presses Enter.
  Only a ``Formula`` the renderer writes itself (its ``SUM`` totals, its variances) is a live formula.
- CSV has no cell types, so a spreadsheet opening one decides from the text alone: ``neutralise`` prefixes
  dangerous text with an apostrophe, which stays visible in the cell (``'=2+3 Formula Trust``) but is never run.

Numbers are written as numbers and are not touched.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from core.money import format_gbp
from core.workbooks import (  # noqa: F401  (the one rule, re-exported for the statements)
    DANGEROUS_STARTS,
    Formula,
    excel_set,
    looks_like_formula,
    neutralise,
)
from reports.registry import DATE, INTEGER, MOMENT, MONEY, NUMBER, PERCENT


def local_naive(moment: datetime) -> datetime:
    """A moment in UK local time without its zone (Excel cells have no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def display_text(value, column_type: str) -> str:
    """A value as people read it (PDF tables, the cover): £1,234.56, 2.50%, 31/12/2025, 05/01/2026 09:00."""
    if value is None or value == "":
        return ""
    if column_type == MONEY:
        return format_gbp(value)
    if column_type == PERCENT:
        return f"{Decimal(value):.2f}%"
    if column_type == INTEGER:
        return f"{int(value):,}"
    if column_type == NUMBER:
        return format(Decimal(value).normalize(), ",f")
    if column_type == MOMENT and isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if column_type == DATE and isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def plain_text(value, column_type: str) -> str:
    """A value for machines (CSV): 1234.56, 2.50, 2025-12-31, 2026-01-05T09:00:00+00:00; text neutralised."""
    if value is None:
        return ""
    if column_type == MONEY:
        return f"{Decimal(value):.2f}"
    if column_type == PERCENT:
        return f"{Decimal(value):.2f}"
    if column_type == INTEGER:
        return str(int(value))
    if column_type == NUMBER:
        return format(Decimal(value).normalize(), "f")
    if column_type == MOMENT and isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if column_type == DATE and isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))

"""Cell values as text, and the one guard against formula injection used by every spreadsheet-like output.

A spreadsheet treats text that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab or carriage
return) as a formula: an organisation called ``=HYPERLINK("http://x","y")`` would become a live link in the
finance director's Excel. The rule for which text is dangerous is ``DANGEROUS_STARTS``; two writers apply it.

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
from reports.registry import DATE, INTEGER, MOMENT, MONEY, NUMBER, PERCENT

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return isinstance(text, str) and text.startswith(DANGEROUS_STARTS)


def neutralise(text):
    """For CSV: text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if looks_like_formula(text):
        return "'" + text
    return text


class Formula(str):
    """A live formula a renderer writes itself (``=SUM(B5:B9)``); every other string goes into a cell as text."""


def excel_set(cell, value):
    """Put ``value`` into an openpyxl cell (a worksheet's or a write-only one) and return the cell.

    A ``Formula`` stays a live formula; numbers, dates and empty cells are written as they are. Any other text is an
    explicit string cell (``data_type`` "s": openpyxl would otherwise make text beginning with ``=`` a formula and
    ``#N/A`` an error), exactly as given; text that begins like a formula also gets the ``quotePrefix`` style, so
    Excel and LibreOffice show it without an apostrophe and keep it text when someone edits it."""
    if isinstance(value, Formula):
        cell.value = str(value)
        return cell
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


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

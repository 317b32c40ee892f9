"""Cell values as text, and the one guard against formula injection used by every spreadsheet-like output.

A spreadsheet treats text that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab or carriage
return) as a formula: an organisation called ``=HYPERLINK("http://x","y")`` would become a live link in the
finance director's Excel. Every text cell of the Excel and CSV outputs passes through ``neutralise``, which
prefixes such text with an apostrophe so it stays text. Numbers are written as numbers and are not touched.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from core.money import format_gbp
from reports.registry import DATE, INTEGER, MOMENT, MONEY, NUMBER, PERCENT

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(text, str) and text.startswith(DANGEROUS_STARTS):
        return "'" + text
    return text


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

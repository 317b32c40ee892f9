"""Where the monitoring pages get the monitoring statement from.

The statement is a report (``reports.statements.monitoring``: it reads budgets as known at a moment with
``reports.snapshot`` and is rendered by ``reports.renderers``), and ``reports`` sits above ``monitoring`` in the
layering: reports may import monitoring, never the reverse. So the month page does not import it; reports plugs
its implementation in here when its statements are registered (the dependency inverted, as the statement registry
itself works), and the page asks ``source()``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from funds.models import Period


@dataclass(frozen=True)
class MonthColumn:
    key: str
    title: str
    numeric: bool


@dataclass(frozen=True)
class MonthRow:
    kind: str  # "line", "subtotal" or "total"
    cells: list[str]  # each column's value as people read it (£1,234.56, 2.50%)
    line_id: int | None = None  # the budget line of a line row (None on the unassigned line and on totals)
    rag_level: str = ""  # "red", "amber", "green" on budget lines
    needs_commentary: bool = False  # an amber or red line without commentary


@dataclass(frozen=True)
class MonthTable:
    """The monitoring statement of one month, built for a page."""

    title: str
    description: str
    columns: list[MonthColumn]
    rows: list[MonthRow]
    known_at: datetime


class MonthStatementSource(Protocol):
    def table(self, *, period: Period) -> MonthTable:
        """The statement for the month, as at its last day and known now."""

    def file(self, fmt: str, *, period: Period, user) -> tuple[str, str, bytes]:
        """The statement for the month as a download: (filename, content type, bytes) in xlsx, pdf or csv."""


_source: MonthStatementSource | None = None


def source_register(source: MonthStatementSource) -> None:
    global _source
    _source = source


def source() -> MonthStatementSource:
    if _source is None:
        raise ImproperlyConfigured(
            "The monitoring statement is not registered: importing reports.statements registers it "
            "(reports.statements.monitoring)."
        )
    return _source

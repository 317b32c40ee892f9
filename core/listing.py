"""Lists: one page of rows at a time, sorted by a column, or every row as CSV.

Every list view filters a queryset (with select_related so the number of queries does not grow with the page) and
hands it here. A list declares its columns once (``Listing``, ``Column``): each has a key, a title, how to order by
it (an ORM expression for a queryset, a key function for rows built in Python, or None: not sortable) and how to
get its cell value for CSV. The same URL then serves

- ``?sort=key`` (ascending) and ``?sort=-key`` (descending); a key the list does not know is ignored (the list's
  own order), never an error. The primary key is always the last ordering, so pages are stable;
- ``?download=csv``: every row the filters select (not just the page), in the current order, as UTF-8 CSV with a
  byte order mark (so Excel reads it as UTF-8). Money is a plain decimal with two places (1250.00), dates are
  31/03/2026, and text a spreadsheet would run as a formula is neutralised by the one rule in ``core.workbooks``.

The CSV is the same view, so it has the same role gate as the page and contains only what the page's filters show.
Templates use ``{% load listing %}``: ``{% sort_th table "key" %}`` for a column header and ``{% csv_link table %}``.

A page with more than one list gives each further list a ``prefix``: its sort is ``?<prefix>-sort=key`` and its CSV
``?download=<prefix>-csv``, so sorting one list leaves the others as they are. A list with a prefix is shown whole
or as its first rows (``first=``), never paged: ``?page=`` belongs to the page's one unprefixed list.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.template import Variable, VariableDoesNotExist
from django.utils import timezone

from core.workbooks import neutralise

PER_PAGE = 25
SORT = "sort"
DOWNLOAD = "download"


def paginate(request, object_list, per_page: int = PER_PAGE):
    """The page asked for in ``?page=``; a missing or impossible page number gives the first or last page."""
    paginator = Paginator(object_list, per_page)
    return paginator.get_page(request.GET.get("page"))


# ---- Columns ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list.

    ``order``: for a queryset, a field path (``"organisation__name"``) or an ORM expression; for rows built in
    Python, a function of the row. None: the column cannot be sorted.
    ``value``: the cell for CSV, a function of the row or a dotted path (``"grant.organisation.name"``, resolved as
    templates resolve it); by default the key itself. ``num``: a number column (right-aligned header)."""

    key: str
    title: str
    order: Any = None
    value: Callable[[Any], Any] | str | None = None
    num: bool = False

    @property
    def sortable(self) -> bool:
        return self.order is not None

    def cell(self, row):
        getter = self.value if self.value is not None else self.key
        if callable(getter):
            return getter(row)
        try:
            return Variable(getter).resolve(row)
        except VariableDoesNotExist:
            return None


def csv_text(value) -> str:
    """A cell as CSV text: money 1250.00, a date 31/03/2026, a moment 31/03/2026 14:05 (UK time), Yes/No; text
    that a spreadsheet would run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{moment:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return neutralise(str(value))


def _ordering(order, descending: bool):
    expression = F(order) if isinstance(order, str) else order
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)


def _python_key(order):
    def key(row):
        value = order(row)
        return (value is not None, value)  # None first ascending, so last descending
    return key


@dataclass(frozen=True)
class Listing:
    """A list's columns and its name (the CSV is ``<name>-YYYY-MM-DD.csv``); ``prefix`` for a further list on a
    page (its own sort and download parameters)."""

    name: str
    columns: tuple[Column, ...]
    prefix: str = ""

    @property
    def sort_param(self) -> str:
        return f"{self.prefix}-{SORT}" if self.prefix else SORT

    @property
    def download_value(self) -> str:
        return f"{self.prefix}-csv" if self.prefix else "csv"

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def sort_asked(self, request) -> tuple[Column | None, bool]:
        """The sortable column ``?sort=`` names and whether descending; (None, False) for none or an unknown key."""
        asked = (request.GET.get(self.sort_param) or "").strip()
        descending = asked.startswith("-")
        found = self.column(asked[1:] if descending else asked)
        if found is None or not found.sortable:
            return None, False
        return found, descending

    def sorted(self, request, rows, default=()):
        """``rows`` (a queryset or a list) in the order asked for, else in ``default`` (a queryset's order_by
        arguments; a list keeps its own order). A queryset always ends with its primary key as a tiebreak."""
        found, descending = self.sort_asked(request)
        if isinstance(rows, QuerySet):
            if found is not None and not callable(found.order):
                order = [_ordering(found.order, descending), "-pk" if descending else "pk"]
            else:
                order = list(default or rows.query.order_by or rows.model._meta.ordering or ())
                if not any(str(o).lstrip("-") in ("pk", "id") for o in order):
                    order.append("pk")
            return rows.order_by(*order)
        rows = list(rows)
        if found is not None and callable(found.order):
            rows.sort(key=_python_key(found.order), reverse=descending)
        return rows

    def table(self, request, rows, *, default=(), prepare=None, per_page: int | None = PER_PAGE,
              first: int | None = None, name: str | None = None):
        """Sort ``rows`` and give the page (or, for ``?download=csv``, every row) as a ``Table``. ``prepare`` turns
        a list of objects into the rows the template and columns read (e.g. grants with their totals);
        ``per_page=None`` shows every row on one page (a list that was never paged); ``first=N`` shows only the
        first N rows in the current order (the CSV still has every row); ``name`` names this CSV instead of the
        list's name (e.g. with the fund's code in it)."""
        if self.prefix and per_page is not None and first is None:
            raise ValueError(f"{self.name} has a prefix: show it whole (per_page=None) or its first rows (first=)")
        return Table(self, request, self.sorted(request, rows, default), prepare,
                     None if first is not None else per_page, first=first, name=name)


class Table:
    """A sorted list for one request: ``download`` says whether CSV was asked for (``response()`` gives it),
    otherwise ``page_obj`` is the page and ``rows`` its prepared rows."""

    def __init__(self, listing: Listing, request, rows, prepare, per_page, *, first=None, name=None):
        self.listing = listing
        self.request = request
        self.query = request.GET
        self.prepare = prepare
        self.all_rows = rows
        self.name = name or listing.name
        self.download = request.GET.get(DOWNLOAD) == listing.download_value
        self.sort_column, self.descending = listing.sort_asked(request)
        self.total = None  # with first=N: how many rows the filters select in all
        if not self.download:
            self.page_obj = paginate(request, rows, per_page) if per_page else None  # None: one page of all rows
            if first is not None:
                self.total = rows.count() if isinstance(rows, QuerySet) else len(rows)
                rows = rows[:first]
            objects = list(self.page_obj.object_list if self.page_obj else rows)
            self.rows = prepare(objects) if prepare else objects

    @property
    def more(self) -> bool:
        """With ``first=N``: whether the filters select more rows than are shown (the CSV has them all)."""
        return self.total is not None and self.total > len(self.rows)

    def response(self) -> HttpResponse:
        return csv_response(self.listing, self.prepare(list(self.all_rows)) if self.prepare else self.all_rows,
                            name=self.name)


def csv_bytes(listing: Listing, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c.title) for c in listing.columns])
    for row in rows:
        writer.writerow([csv_text(c.cell(row)) for c in listing.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(listing: Listing, rows, name: str | None = None) -> HttpResponse:
    response = HttpResponse(csv_bytes(listing, rows), content_type="text/csv; charset=utf-8")
    filename = f"{name or listing.name}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def proposal_columns(*, decided: bool) -> list[Column]:
    """The columns a list of proposed changes ends with (control settings, delegated limits): its status once
    decided, who proposed it, who decided it, when it was proposed and the decision's note, then the reason."""
    from core.templatetags.ringfence import person

    columns = [Column("status", "Status", order="status", value="get_status_display")] if decided else []
    columns.append(Column("proposed_by", "Proposed by", order="proposed_by__last_name",
                          value=lambda c: person(c.proposed_by)))
    if decided:
        columns += [Column("decided_by", "Decided by", order="decided_by__last_name",
                           value=lambda c: person(c.decided_by) if c.decided_by else ""),
                    Column("proposed", "Proposed", order="proposed_at", value="proposed_at"),
                    Column("note", "Decision note", value="decision_note")]
    return [*columns, Column("reason", "Reason", value="reason")]

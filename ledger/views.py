"""The journal, and each fund's position (spending limit, committed, actual, available) beside its budget:
read-only pages over the append-only ledger."""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.listing import Column, Listing
from core.money import ZERO
from core.permissions import role_required
from core.roles import EVERY_ROLE
from core.templatetags.ringfence import person
from funds.forms import YearFundFilter
from funds.models import BudgetLine, FinancialYear
from funds.selectors import (
    budget_lines,
    budget_rows,
    budget_total,
    current_year,
    fund_search,
    funds_all,
    year_by_start,
)
from ledger.models import JournalEntry, JournalLine
from ledger.selectors import LineSpending, budget_line_spending, fund_journal_lines, fund_positions

# The page of the document behind an entry, by the entry's source type: (URL name, income kind slug). The ledger
# names pages, never imports the apps above it; a document is found by the entry it posted or the one reversing it.
SOURCE_PAGES = {
    "income.awardletter": ("income:detail", "award-letters"),
    "income.cashreceipt": ("income:detail", "receipts"),
    "income.pocareceipt": ("income:detail", "poca"),
    "income.fpnreturn": ("income:detail", "fpn"),
    "income.feereceipt": ("income:detail", "fees"),
    "income.treasurypayover": ("income:detail", "treasury"),
    "grants.grant": ("grants:detail", None),
    "ledger.correctingjournal": ("ledger:correction_detail", None),
}


def source_document_url(entry: JournalEntry) -> str | None:
    """The page of the document that posted (or reversed) ``entry``, where there is one."""
    if entry.source_type.startswith("yearend."):
        # The year the entry belongs to: its lines' funding year (an accrual reversed in April, a repayment).
        start = entry.lines.order_by("funding_year__start_year").values_list("funding_year__start_year",
                                                                             flat=True).first()
        return reverse("yearend:year", args=[start])
    page = SOURCE_PAGES.get(entry.source_type)
    if page is None:
        return None
    name, kind = page
    pk = entry.source_id
    if kind is not None and not pk:
        model = apps.get_model(*entry.source_type.split("."))
        document = model.objects.filter(Q(entry=entry) | Q(reversal=entry)).values_list("pk", flat=True).first()
        pk = document
    if not pk:
        return None
    return reverse(name, kwargs={"kind": kind, "pk": pk} if kind else {"pk": pk})


def entries():
    return JournalEntry.objects.select_related("year", "period", "posted_by", "reverses")


JOURNAL = Listing("journal", (
    Column("entry", "Entry", order="id", value="reference"),
    Column("date", "Date", order="date"),
    Column("period", "Period", order="period__number", value=lambda e: f"P{e.period.number}"),
    Column("description", "Description", order="description"),
    Column("reversal", "Reversal", order="reverses", value=lambda e: "Yes" if e.reverses_id else ""),
    Column("source", "Source", order="source_reference", value="source_reference"),
    Column("posted_by", "Posted by", order="posted_by__last_name", value=lambda e: person(e.posted_by)),
))


@role_required(*EVERY_ROLE)
def entry_list(request):
    filters = YearFundFilter(request.GET, search_label="Search descriptions and references")
    qs = entries()
    if year := year_by_start(filters.value("year")):
        qs = qs.filter(year=year)
    if code := filters.value("fund"):
        qs = qs.filter(Exists(JournalLine.objects.filter(entry=OuterRef("pk"), fund__code=code)))
    if text := filters.value("q"):
        qs = qs.filter(Q(description__icontains=text) | Q(source_reference__icontains=text))
    table = JOURNAL.table(request, qs, default=("-date", "-id"))
    if table.download:
        return table.response()
    return render(request, "ledger/entry_list.html", {"filters": filters, "table": table, "page_obj": table.page_obj})


@role_required(*EVERY_ROLE)
def entry_detail(request, pk):
    entry = get_object_or_404(entries(), pk=pk)
    lines = list(entry.lines.select_related("account", "fund", "funding_year"))
    reversed_by = JournalEntry.objects.filter(reverses=entry).first()
    return render(
        request,
        "ledger/entry_detail.html",
        {
            "entry": entry,
            "lines": lines,
            "reversed_by": reversed_by,
            "source_url": source_document_url(entry),
            "debits": sum(line.amount.amount for line in lines if line.direction == "D"),
            "credits": sum(line.amount.amount for line in lines if line.direction == "C"),
        },
    )


# ---- Fund positions: the funds pages that read the ledger (funds cannot import the ledger; see ledger/fund_urls.py)


def _year(filters) -> FinancialYear | None:
    return year_by_start(filters.value("year")) or current_year()


FUNDS = Listing("funds", (
    Column("fund", "Fund", order="code", value="fund.code"),
    Column("name", "Name", order="name", value="fund.name"),
    Column("funder", "Funder", order="funder__name", value=lambda r: str(r.fund.funder)),
    Column("basis", "Spending limit basis", order="limit_basis",
           value=lambda r: "Award" if r.fund.limit_basis == "award" else "Cash received"),
    Column("active", "Active", order="is_active", value="fund.is_active"),
    Column("limit", "Spending limit", value="limit", num=True),
    Column("committed", "Committed", value="committed", num=True),
    Column("actual", "Actual", value="actual", num=True),
    Column("available", "Available", value="available", num=True),
))


def _positions(year):
    """Fund rows with their position in ``year``, in the order of the funds given."""
    def rows(funds):
        if year is None:
            return []
        chosen = funds_all().filter(pk__in=[f.pk for f in funds])
        by_pk = {r.fund.pk: r for r in fund_positions(year=year, funds=chosen)}
        return [by_pk[f.pk] for f in funds]
    return rows


@role_required(*EVERY_ROLE)
def fund_list(request):
    filters = YearFundFilter(request.GET, search_label="Search funds")
    del filters.fields["fund"]
    year = _year(filters)
    funds = fund_search(funds_all(), filters.value("q"))
    table = FUNDS.table(request, funds, default=("code",), prepare=_positions(year))
    if table.download:
        return table.response()
    rows = table.rows
    totals = {
        name: sum((getattr(r, name) for r in rows), ZERO) for name in ("limit", "committed", "actual", "available")
    }
    return render(
        request,
        "ledger/fund_list.html",
        {"filters": filters, "year": year, "rows": rows, "totals": totals, "table": table, "page_obj": table.page_obj},
    )


def _debit(line):
    return line.amount.amount if line.direction == "D" else None


def _credit(line):
    return line.amount.amount if line.direction == "C" else None


FUND_LINES = Listing("fund-journal-lines", (
    Column("date", "Date", order="entry__date", value="entry.date"),
    Column("entry", "Entry", order="entry_id", value="entry.reference"),
    Column("description", "Description", order="entry__description", value="entry.description"),
    Column("account", "Account", order="account__code", value=lambda line: f"{line.account.code} {line.account.name}"),
    Column("debit", "Debit", value=_debit, num=True),
    Column("credit", "Credit", value=_credit, num=True),
))


@role_required(*EVERY_ROLE)
def fund_detail(request, code):
    fund = get_object_or_404(funds_all(), code=code)
    filters = YearFundFilter(request.GET)
    del filters.fields["fund"], filters.fields["q"]
    year = _year(filters)
    (position,) = fund_positions(year=year, funds=funds_all().filter(pk=fund.pk)) if year else (None,)
    lines = budget_rows(budget_lines(BudgetLine.objects.filter(fund=fund, year=year)).order_by("heading"))
    spending = budget_line_spending(fund_ids=[fund.pk], year=year) if year else {}
    none = LineSpending(None, ZERO, ZERO)
    line_rows = []
    for row in lines:
        spent = spending.get((fund.pk, row.line.pk), none)
        line_rows.append((row, spent, row.revised - spent.committed - spent.actual))
    unassigned = spending.get((fund.pk, None))
    table = FUND_LINES.table(request, fund_journal_lines(fund=fund, year=year) if year else JournalLine.objects.none())
    if table.download:
        return table.response()
    return render(
        request,
        "ledger/fund_detail.html",
        {
            "fund": fund,
            "year": year,
            "filters": filters,
            "position": position,
            "lines": lines,
            "line_rows": line_rows,
            "unassigned": unassigned if unassigned and (unassigned.committed or unassigned.actual) else None,
            "line_committed": sum((spent.committed for _, spent, _ in line_rows), ZERO)
            + (unassigned.committed if unassigned else ZERO),
            "line_actual": sum((spent.actual for _, spent, _ in line_rows), ZERO)
            + (unassigned.actual if unassigned else ZERO),
            "table": table,
            "page_obj": table.page_obj,
            "budget": budget_total(lines),
        },
    )

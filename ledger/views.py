"""The journal, and each fund's position (spending limit, committed, actual, available) beside its budget:
read-only pages over the append-only ledger."""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.listing import paginate
from core.money import ZERO
from core.permissions import role_required
from core.roles import EVERY_ROLE
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
    page = paginate(request, qs.order_by("-date", "-id"))
    return render(request, "ledger/entry_list.html", {"filters": filters, "page_obj": page})


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


@role_required(*EVERY_ROLE)
def fund_list(request):
    filters = YearFundFilter(request.GET, search_label="Search funds")
    del filters.fields["fund"]
    year = _year(filters)
    funds = fund_search(funds_all(), filters.value("q"))
    page = paginate(request, funds)
    rows = fund_positions(year=year, funds=funds.filter(pk__in=[f.pk for f in page])) if year else []
    totals = {
        name: sum((getattr(r, name) for r in rows), ZERO) for name in ("limit", "committed", "actual", "available")
    }
    return render(
        request,
        "ledger/fund_list.html",
        {"filters": filters, "year": year, "rows": rows, "totals": totals, "page_obj": page},
    )


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
    page = paginate(request, fund_journal_lines(fund=fund, year=year) if year else JournalLine.objects.none())
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
            "page_obj": page,
            "budget": budget_total(lines),
        },
    )

"""The journal: read-only pages over the append-only ledger."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, render

from core.listing import paginate
from core.permissions import role_required
from core.roles import EVERY_ROLE
from funds.forms import YearFundFilter
from funds.selectors import year_by_start
from ledger.models import JournalEntry, JournalLine


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
            "debits": sum(line.amount.amount for line in lines if line.direction == "D"),
            "credits": sum(line.amount.amount for line in lines if line.direction == "C"),
        },
    )

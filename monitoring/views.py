"""Pages for budget monitoring: the months ended, a month's monitoring statement with RAG and commentary (and its
downloads), the commentary form, and the RAG thresholds. The rules are in ``monitoring.services`` and
``monitoring.selectors``; the statement comes from ``monitoring.statement.source()`` (see there why)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import EVERY_ROLE, FINANCE_DIRECTORS, FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from funds.models import BudgetLine, Period
from monitoring import services
from monitoring.forms import CommentaryForm, ThresholdForm
from monitoring.models import RagThreshold
from monitoring.rag import DEFAULT, ThresholdBook
from monitoring.selectors import (
    commentary_versions,
    month_due,
    month_get,
    month_label,
    months_ended,
    threshold_changes,
    thresholds,
)
from monitoring.statement import source

FORMATS = {"xlsx": "Excel", "pdf": "PDF", "csv": "CSV"}


def _month_or_refusal(request, year: int, month: int):
    """The month, or a page saying why there is none (404): not a month of Ringfence, or not ended yet."""
    try:
        return month_get((year, month)), None
    except ValidationError as error:
        message = " ".join(error.messages)
        latest = month_due()
        return None, render(request, "monitoring/month_refused.html",
                            {"message": message, "latest": latest, "latest_label": month_label(latest) if latest
                             else ""}, status=404)


MONTHS = Listing("monitoring-months", (  # rows are (period, its label), built in Python, sorted in Python
    Column("month", "Month", order=lambda r: r[0].start_date, value=lambda r: r[1]),
    Column("year", "Financial year", order=lambda r: r[0].year.start_year, value=lambda r: r[0].year.label),
    Column("period", "Period", order=lambda r: r[0].start_date, value=lambda r: r[0].name),
    Column("status", "Status", order=lambda r: r[0].is_closed,
           value=lambda r: "Closed" if r[0].is_closed else "Ended, open for posting"),
))


@role_required(*EVERY_ROLE)
def index(request):
    table = MONTHS.table(request, [(p, month_label(p)) for p in months_ended()], per_page=None)
    if table.download:
        return table.response()
    return render(request, "monitoring/index.html", {
        "table": table,
        "months": table.rows,
        "due": month_due(),
        "can_see_thresholds": has_role(request.user, *OFFICERS_AND_DIRECTORS),
    })


@role_required(*EVERY_ROLE)
def month(request, year: int, month: int):
    period, refusal = _month_or_refusal(request, year, month)
    if refusal:
        return refusal
    table = source().table(period=period)
    flagged = [row for row in table.rows if row.needs_commentary]
    return render(request, "monitoring/month.html", {
        "period": period,
        "label": month_label(period),
        "table": table,
        "rows": [(row, list(zip(table.columns, row.cells, strict=True))) for row in table.rows],
        "flagged": flagged,
        "formats": FORMATS,
        "can_comment": has_role(request.user, *FINANCE_OFFICERS),
        "can_see_thresholds": has_role(request.user, *OFFICERS_AND_DIRECTORS),
    })


@role_required(*EVERY_ROLE)
def download(request, year: int, month: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Monitoring downloads are in xlsx, pdf or csv.")
    period, refusal = _month_or_refusal(request, year, month)
    if refusal:
        return refusal
    filename, content_type, content = source().file(fmt, period=period, user=request.user)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    return response


@role_required(*FINANCE_OFFICERS)
def commentary(request, year: int, month: int, line_pk: int):
    period = Period.objects.select_related("year").filter(
        Period.MONTHS, start_date__year=year, start_date__month=month).first()
    if period is None:
        raise Http404("No such month in Ringfence.")
    line = get_object_or_404(BudgetLine.objects.select_related("fund", "year"), pk=line_pk, year_id=period.year_id)
    label = month_label(period)
    form = CommentaryForm(request.POST or None, closed=period.is_closed)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.commentary_record, line=line, period=period, by=request.user,
                            text=form.cleaned_data["text"], reason=form.cleaned_data.get("reason", ""))
        if done:
            messages.success(request, f"Commentary on {line.fund.code} '{line.heading}' for {label} recorded.")
            return redirect(f"{reverse('monitoring:month', args=[year, month])}#line-{line.pk}")
    back = reverse("monitoring:month", args=[year, month])
    versions = commentary_versions(line=line, period=period)
    if not form.is_bound and versions:
        form.initial["text"] = versions[0].text
    return render(request, "monitoring/commentary_form.html", {
        "form": form, "title": f"Commentary on {line.heading}", "caption": f"{line.fund.code} · {label}",
        "lead": f"Explain {line.fund.code} '{line.heading}' against its profiled budget and forecast for {label}. "
                "Each version is kept; the latest is printed in the monitoring statement.",
        "submit_label": "Record commentary", "back_url": back, "back_label": f"monitoring for {label}",
        "cancel_url": back, "versions": versions, "period": period,
    }, status=400 if form.errors else 200)


@role_required(*OFFICERS_AND_DIRECTORS)
def threshold_list(request):
    current = thresholds()
    return render(request, "monitoring/thresholds.html", {
        "thresholds": current,
        "has_global": any(t.fund_id is None for t in current),
        "default": DEFAULT,
        "changes": threshold_changes(),
        "can_set": has_role(request.user, *FINANCE_DIRECTORS),
    })


@role_required(*FINANCE_DIRECTORS)
def threshold_set(request):
    fund_pk = request.GET.get("fund", "")
    fund_id = int(fund_pk) if fund_pk.isdigit() else None
    # The form starts from what applies now: the fund's own thresholds, else the global ones, else the default.
    held = (RagThreshold.objects.filter(fund_id=fund_id).first() if fund_id else None) or (
        RagThreshold.objects.filter(fund__isnull=True).first())
    now = ThresholdBook.from_row(held) if held else DEFAULT
    initial = {"fund": fund_id, "amber_percent": now.amber_percent, "amber_amount": now.amber_amount,
               "red_percent": now.red_percent, "red_amount": now.red_amount}
    form = ThresholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.rag_threshold_set, by=request.user, **form.cleaned_data)
        if done:
            messages.success(request, f"{done} set: {ThresholdBook.from_row(done).describe()}.")
            return redirect("monitoring:thresholds")
    back = reverse("monitoring:thresholds")
    return render(request, "core/form_page.html", {
        "form": form, "title": "Set RAG thresholds", "caption": "Budget monitoring",
        "lead": "A budget line is amber when its variance to profile or its forecast variance reaches both the "
                "amber percentage and the amber amount, red when it reaches both red ones. A fund's own thresholds "
                "replace the global ones for that fund.",
        "submit_label": "Set thresholds", "back_url": back, "back_label": "the thresholds", "cancel_url": back,
    }, status=400 if form.errors else 200)

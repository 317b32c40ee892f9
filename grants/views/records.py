"""Grants: the list, drafting and editing, funding lines, the grant's page and its timeline."""

import re
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import call_service
from core.listing import Column, Listing, paginate
from core.permissions import role_required
from core.roles import COMMISSIONER, EVERY_ROLE, FINANCE_OFFICER, FINANCE_OFFICERS, roles_of
from funds.forms import YearFundFilter
from funds.selectors import year_by_start
from grants import awards
from grants.forms import FundingLineForm, GrantForm, ServiceCategoryForm
from grants.models import FundingLine, Grant, GrantVariation, MonitoringReturn, OutcomeTarget, ReturnValue
from grants.organisations import current_bank_details
from grants.selectors import grant_actions, grant_timeline, grant_totals, grants_with_totals
from grants.views.common import grant_for, instalment_rows, visible_grants
from grants.views.money import reversible_documents
from ledger.selectors import fund_available

S = Grant.Status
GRANT_FIELDS = (
    "title",
    "purpose",
    "service",
    "senior_responsible_officer",
    "allocation_method",
    "direct_award_reason",
    "start_date",
    "end_date",
    "conditions",
    "risk_rating",
    "do_not_publish",
    "do_not_publish_reason",
    "payment_terms_days",
    "returns_required",
    "service_category",
)


def _funds(row) -> str:
    return ", ".join(f"{lt.line.fund.code} {lt.line.year.label}" for lt in row.totals.lines)


GRANTS = Listing("grants", (
    Column("reference", "Grant", order="id", value="grant.reference"),
    Column("title", "Title", order="title", value="grant.title"),
    Column("organisation", "Organisation", order="organisation__name", value="grant.organisation.name"),
    Column("status", "Status", order="status", value="grant.get_status_display"),
    Column("start", "Dates", order="start_date", value="grant.start_date"),
    Column("end", "End date", order="end_date", value="grant.end_date"),
    Column("funds", "Funds", value=_funds),
    Column("award", "Award", value="totals.varied", num=True),
    Column("original", "Original award", value="totals.original", num=True),
    Column("paid", "Paid", value="totals.paid", num=True),
    Column("remaining", "Remaining", value=lambda r: r.totals.remaining if r.grant.is_committed else None, num=True),
))


@role_required(*EVERY_ROLE)
def grant_list(request):
    filters = YearFundFilter(
        request.GET,
        status_choices=Grant.Status.choices,
        all_years=True,
        search_label="Search title, reference or organisation",
    )
    qs = visible_grants(request.user)
    if not filters.value("status") and COMMISSIONER in roles_of(request.user):
        filters.fields["status"].choices = [c for c in filters.fields["status"].choices if c[0] != S.DRAFT]
    lines = FundingLine.objects.filter(grant=OuterRef("pk"))
    if year := year_by_start(filters.value("year")):
        qs = qs.filter(Exists(lines.filter(year=year)))
    if code := filters.value("fund"):
        qs = qs.filter(Exists(lines.filter(fund__code=code)))
    if status := filters.value("status"):
        qs = qs.filter(status=status)
    if text := filters.value("q"):
        query = Q(title__icontains=text) | Q(organisation__name__icontains=text)
        if match := re.fullmatch(r"[Gg]?0*(\d+)", text.strip()):
            query |= Q(pk=int(match.group(1)))
        qs = qs.filter(query)
    table = GRANTS.table(request, qs.select_related("organisation", "service", "submitted_by", "decision"),
                         default=("-id",), prepare=grants_with_totals)
    if table.download:
        return table.response()
    return render(
        request,
        "grants/grant_list.html",
        {"filters": filters, "table": table, "page_obj": table.page_obj, "rows": table.rows},
    )


def _grant_kwargs(data: dict) -> dict:
    return {name: data[name] for name in GRANT_FIELDS if name in data}


@role_required(*FINANCE_OFFICERS)
def grant_edit(request, pk):
    grant = grant_for(request.user, pk)
    initial = {name: getattr(grant, name) for name in GRANT_FIELDS}
    initial["service"] = grant.service_id
    form = GrantForm(request.POST or None, initial=initial, editing=grant)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in _grant_kwargs(form.cleaned_data).items() if v != initial.get(k)}
        if "service" in changes and changes["service"].pk == grant.service_id:
            del changes["service"]
        if not changes:
            messages.info(request, "Nothing was changed.")
            return redirect("grants:detail", pk=grant.pk)
        done = call_service(form, awards.grant_update, grant=grant, by=request.user, **changes)
        if done:
            messages.success(request, f"{done.reference} saved.")
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"Edit {grant.reference}",
            "caption": grant.organisation.name,
            "submit_label": "Save changes",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
        },
    )


@role_required(*FINANCE_OFFICERS)
def grant_category(request, pk):
    """Set a grant's service category at any point of its life (it classifies; it changes no term of the award)."""
    grant = grant_for(request.user, pk)
    form = ServiceCategoryForm(request.POST or None, initial={"service_category": grant.service_category_id},
                               current_id=grant.service_category_id)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, awards.grant_service_category_set, grant=grant, by=request.user,
                            **form.cleaned_data)
        if done:
            category = done.service_category
            messages.success(request, f"{done.reference} is now "
                                      f"{'in ' + category.name if category else 'not categorised'}.")
            return redirect("grants:detail", pk=grant.pk)
    back = reverse("grants:detail", args=[grant.pk])
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Service category of {grant.reference}", "caption": grant.title,
        "lead": "The kind of service the grant pays for. Funder returns report grant spending by it. It classifies "
                "the grant and changes no term of the award, so it may be set at any time; the reason is kept in the "
                "grant's history.",
        "submit_label": "Save category", "back_url": back, "cancel_url": back,
    })


@role_required(*FINANCE_OFFICERS)
def funding_line_add(request, pk):
    grant = grant_for(request.user, pk)
    form = FundingLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        line = call_service(form, awards.funding_line_set, grant=grant, by=request.user, **form.cleaned_data)
        if line:
            messages.success(request, f"{grant.reference} now draws on {line.fund.code} for {line.year.label}.")
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Add or change a funding line",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Save funding line",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": "The amount a grant draws on one fund in one financial year. Giving a fund and year it already "
            "draws on changes that line's amount. The fund must have the money available now.",
        },
    )


class _Empty(forms.Form):
    pass


@require_POST
@role_required(*FINANCE_OFFICERS)
def funding_line_remove(request, pk, line_pk):
    grant = grant_for(request.user, pk)
    line = get_object_or_404(FundingLine.objects.select_related("fund", "year"), pk=line_pk, grant=grant)
    form = _Empty({})
    form.is_valid()
    call_service(form, awards.funding_line_remove, line=line, by=request.user)
    for error in form.non_field_errors():
        messages.error(request, error)
    if not form.errors:
        messages.success(request, f"Funding from {line.fund.code} {line.year.label} removed from {grant.reference}.")
    return redirect("grants:detail", pk=grant.pk)


def _targets(grant):
    """Targets against what the accepted returns report, per measure and year (two queries)."""
    achieved = defaultdict(lambda: 0)
    for row in (
        ReturnValue.objects.filter(
            monitoring_return__grant=grant, monitoring_return__status=MonitoringReturn.Status.ACCEPTED
        )
        .values("measure_id", "monitoring_return__year_id")
        .annotate(s=Sum("value"))
    ):
        achieved[(row["measure_id"], row["monitoring_return__year_id"])] = row["s"]
    return [
        (t, achieved[(t.measure_id, t.year_id)])
        for t in OutcomeTarget.objects.filter(grant=grant).select_related("measure", "year")
    ]


@role_required(*EVERY_ROLE)
def grant_detail(request, pk):
    grant = grant_for(request.user, pk)
    totals = grant_totals(grant)
    actions = grant_actions(grant, request.user)
    open_variation = grant.variations.filter(status=GrantVariation.Status.REQUESTED).first()
    checks = list(grant.checks.select_related("check_type", "completed_by"))
    lines = [(row, fund_available(fund=row.line.fund, year=row.line.year)) for row in totals.lines]
    payments = list(grant.payments.select_related(
        "funding_line__fund", "funding_line__year", "instalment__year", "entry__year", "reversal__year"
    ).order_by("paid_on", "id"))
    clawbacks = list(grant.clawbacks.select_related("funding_line__fund", "funding_line__year", "entry__year",
                                                    "reversal__year"))
    reversible_payments, reversible_clawbacks = reversible_documents(grant, request.user, payments, clawbacks)
    return render(
        request,
        "grants/grant_detail.html",
        {
            "grant": grant,
            "totals": totals,
            "lines": lines,
            "checks": checks,
            "checks_open": sum(1 for c in checks if not c.is_complete),
            "instalments": instalment_rows(grant, refusals=actions.pay_refusals) if grant.is_committed else [],
            "returns": grant.returns.select_related("year", "reviewed_by").order_by("year__start_year", "quarter"),
            "variations": grant.variations.select_related("requested_by", "decided_by").order_by("-requested_at"),
            "payments": payments,
            "clawbacks": clawbacks,
            "reversible_payments": reversible_payments,  # the Reverse links (finance officers, where allowed)
            "reversible_clawbacks": reversible_clawbacks,
            "targets": _targets(grant),
            "reviews": grant.reviews.select_related("year", "reviewed_by"),
            "bank": current_bank_details(grant.organisation),
            "open_variation": open_variation,
            "actions": actions,
            "perms_officer": FINANCE_OFFICER in roles_of(request.user),  # who may open the checklist page
            "today": timezone.localdate(),
        },
    )


@role_required(*EVERY_ROLE)
def grant_timeline_view(request, pk):
    grant = grant_for(request.user, pk)
    entries = list(reversed(grant_timeline(grant)))
    page = paginate(request, entries, per_page=50)
    return render(request, "grants/timeline.html", {"grant": grant, "page_obj": page})

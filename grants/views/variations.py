"""Variations of an approved grant (amounts, dates, conditions), approved like the grant itself, and the
decisions (NNN-YYYY) that large approvals cite."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import COMMISSIONER, EVERY_ROLE, FINANCE_OFFICER, FINANCE_OFFICERS, has_role
from core.templatetags.ringfence import person
from grants import awards, variations
from grants.forms import DecisionRecordForm, GrantDecisionForm, VariationForm
from grants.models import Decision, GrantVariation
from grants.selectors import variation_approval_effects
from grants.views.common import grant_for, visible_grants
from ledger.selectors import fund_available

DECISION_FIELDS = {"note": "note", "decision": "decision_number"}
VARIATION_FIELDS = {"amounts": "add_amount", "start_date": "new_start_date", "end_date": "new_end_date"}


@role_required(*FINANCE_OFFICERS)
def variation_create(request, pk):
    grant = grant_for(request.user, pk)
    lines = list(grant.funding_lines.select_related("fund", "year"))
    form = VariationForm(request.POST or None, lines=lines, initial={"new_conditions": grant.conditions})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        variation = call_service(
            form,
            variations.variation_request,
            field_map=VARIATION_FIELDS,
            grant=grant,
            by=request.user,
            reason=data["reason"],
            amounts=form.amounts(),
            start_date=data["new_start_date"],
            end_date=data["new_end_date"],
            conditions=data["new_conditions"],
        )
        if variation:
            messages.success(
                request, f"Variation of {grant.reference} requested. A commissioner other than you will decide it."
            )
            return redirect("grants:variation_detail", pk=variation.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Request a variation",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Request variation",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": "Change the amounts, dates or conditions of an approved grant. The original award stays on record "
            "beside the varied one; on approval the commitment in the ledger follows the change.",
        },
    )


def _variation(user, pk) -> GrantVariation:
    return get_object_or_404(
        GrantVariation.objects.filter(grant__in=visible_grants(user)).select_related(
            "grant__organisation", "requested_by", "decided_by", "decision"
        ),
        pk=pk,
    )


def _effects(variation):
    """Each changed line with its fund's available amount now and, while the variation waits, at its place in the
    approval queue before and after approving it; and the varied amounts by fund (what decides whether a recorded
    decision is needed)."""
    lines = list(variation.lines.select_related("fund", "year"))
    pending = variation.status == GrantVariation.Status.REQUESTED
    effects = {(e.fund.pk, e.year.pk): e for e in variation_approval_effects(variation)} if pending else {}
    rows = []
    for vl in lines:
        effect = effects.get((vl.fund_id, vl.year_id))
        now = effect.now if effect else fund_available(fund=vl.fund, year=vl.year)
        rows.append({"vl": vl, "effect": effect, "now": now})
    by_fund = {}
    for line in variation.grant.funding_lines.select_related("fund"):
        by_fund[line.fund] = by_fund.get(line.fund, 0) + line.amount.amount
    for vl in lines:
        by_fund[vl.fund] = by_fund.get(vl.fund, 0) + vl.change
    changed = {vl.fund for vl in lines}
    return rows, {f: a for f, a in by_fund.items() if f in changed}


@role_required(*EVERY_ROLE)
def variation_detail(request, pk):
    variation = _variation(request.user, pk)
    rows, by_fund = _effects(variation)
    can_decide = (
        has_role(request.user, COMMISSIONER)
        and variation.status == GrantVariation.Status.REQUESTED
        and variation.requested_by_id != request.user.pk
    )
    form = _decision_form(variation, by_fund) if can_decide else None
    return render(
        request,
        "grants/variation_detail.html",
        {
            "variation": variation,
            "grant": variation.grant,
            "rows": rows,
            "needed": awards.decisions_needed(by_fund),
            "form": form,
        },
    )


def _decision_form(variation, by_fund, data=None):
    return GrantDecisionForm(data, choices=[("approve", "Approve the variation"), ("reject", "Reject it")],
                             decision_missing=awards.decision_missing(
                                 by_fund, what=f"this variation of {variation.grant.reference}"))


@role_required(COMMISSIONER)
def variation_decide(request, pk):
    variation = _variation(request.user, pk)
    _rows, by_fund = _effects(variation)
    form = _decision_form(variation, by_fund, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "approve":
            done = call_service(
                form,
                variations.variation_approve,
                field_map=DECISION_FIELDS,
                variation=variation,
                by=request.user,
                decision=data["decision_number"] or None,
                note=data["note"],
            )
        else:
            done = call_service(
                form,
                variations.variation_reject,
                field_map=DECISION_FIELDS,
                variation=variation,
                by=request.user,
                note=data["note"],
            )
        if done:
            messages.success(request, f"{done}: {done.get_status_display().lower()}.")
            return redirect("grants:variation_detail", pk=done.pk)
    rows, by_fund = _effects(variation)  # again: a refused decision may have been a race the figures now show
    return render(
        request,
        "grants/variation_detail.html",
        {
            "variation": variation,
            "grant": variation.grant,
            "rows": rows,
            "needed": awards.decisions_needed(by_fund),
            "form": form,
        },
    )


DECISIONS = Listing("decisions", (
    Column("number", "Number", order="number"),
    Column("date", "Date", order="date"),
    Column("maker", "Decision-maker", order="decision_maker__last_name", value=lambda d: person(d.decision_maker)),
    Column("published", "Published", order="is_public", value=lambda d: "Yes" if d.is_public else "Confidential"),
    Column("summary", "Summary", order="summary"),
))


@role_required(*EVERY_ROLE)
def decision_list(request):
    table = DECISIONS.table(request, Decision.objects.select_related("decision_maker", "recorded_by"),
                            default=("-date", "-number"))
    if table.download:
        return table.response()
    return render(
        request,
        "grants/decision_list.html",
        {
            "table": table,
            "page_obj": table.page_obj,
            "can_record": has_role(request.user, FINANCE_OFFICER, COMMISSIONER),
        },
    )


@role_required(FINANCE_OFFICER, COMMISSIONER)
def decision_create(request):
    form = DecisionRecordForm(request.POST or None, initial={"decision_maker": request.user.pk, "is_public": True})
    if request.method == "POST" and form.is_valid():
        decision = call_service(form, awards.decision_record, by=request.user, **form.cleaned_data)
        if decision:
            messages.success(request, f"{decision} recorded; approvals above a fund's threshold can now cite it.")
            return redirect("grants:decision_list")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record a decision",
            "submit_label": "Record decision",
            "cancel_url": reverse("grants:decision_list"),
            "lead": "A decision of the commissioner, numbered like 042-2025, that a large grant or variation cites "
            "when it is approved.",
        },
    )

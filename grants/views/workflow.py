"""Moving a grant through its life: submit, decide (approve / return / reject), offer accepted, close, withdraw.
Each irreversible step asks for a tick in an 'I confirm' box, so it works without JavaScript."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from core.forms import call_service
from core.money import format_gbp
from core.permissions import role_required
from core.roles import COMMISSIONER, FINANCE_OFFICER, FINANCE_OFFICERS
from grants import awards, workflow
from grants.forms import GrantDecisionForm, NoteConfirmForm, OfferAcceptForm
from grants.selectors import grant_actions, grant_approval_effects, grant_totals, provider_record
from grants.views.common import confirm_page, grant_for

DECISION_FIELDS = {"reason": "note", "decision": "decision_number"}


def _done(request, grant, message):
    messages.success(request, message)
    return redirect("grants:detail", pk=grant.pk)


@role_required(*FINANCE_OFFICERS)
def grant_submit(request, pk):
    grant = grant_for(request.user, pk)
    form = NoteConfirmForm(
        request.POST or None, confirm_label="I confirm the grant is ready for a commissioner to approve"
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(form, workflow.grant_submit, grant=grant, by=request.user, note=form.cleaned_data["note"])
        if done:
            return _done(
                request, done, f"{done.reference} submitted for approval. A commissioner other than you will decide it."
            )
    total = grant_totals(grant).varied
    return confirm_page(
        request,
        form=form,
        grant=grant,
        title=f"Submit {grant.reference} for approval",
        submit_label="Submit for approval",
        lead=f"{grant.title} for {grant.organisation.name}: {format_gbp(total)} in all. "
        "Once submitted it cannot be edited unless a commissioner returns it.",
    )


def _effects(grant):
    """Each funding line's effect on its fund at the grant's place in the approval queue, and the amount drawn on
    each fund (what decides whether a recorded decision is needed)."""
    effects = grant_approval_effects(grant)
    by_fund: dict = {}
    for effect in effects:
        by_fund[effect.fund] = by_fund.get(effect.fund, Decimal("0")) + effect.amount
    return effects, by_fund


@role_required(COMMISSIONER)
def grant_decide(request, pk):
    grant = grant_for(request.user, pk)
    effects, by_fund = _effects(grant)
    form = GrantDecisionForm(request.POST or None,
                             decision_missing=awards.decision_missing(by_fund, what=grant.reference))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "approve":
            done = call_service(
                form,
                workflow.grant_approve,
                field_map=DECISION_FIELDS,
                grant=grant,
                by=request.user,
                decision=data["decision_number"] or None,
                note=data["note"],
            )
            message = "approved: the money is committed and the instalments are scheduled"
        elif data["decision"] == "return":
            done = call_service(
                form,
                workflow.grant_return,
                field_map=DECISION_FIELDS,
                grant=grant,
                by=request.user,
                reason=data["note"],
            )
            message = "returned to the finance officer for changes"
        else:
            done = call_service(
                form,
                workflow.grant_reject,
                field_map=DECISION_FIELDS,
                grant=grant,
                by=request.user,
                reason=data["note"],
            )
            message = "rejected"
        if done:
            return _done(request, done, f"{done.reference} {message}.")
    return render(
        request,
        "grants/decide.html",
        {
            "form": form,
            "grant": grant,
            "effects": effects,
            "queued_above": any(e.above for e in effects),
            "needed": awards.decisions_needed(by_fund),
            "decide": grant_actions(grant, request.user).decide,
            "checks": list(grant.checks.select_related("check_type", "completed_by")),
            "provider": provider_record(grant),
        },
    )


@role_required(*FINANCE_OFFICERS)
def grant_offer_accept(request, pk):
    grant = grant_for(request.user, pk)
    form = OfferAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, workflow.grant_offer_accept, grant=grant, by=request.user, **form.cleaned_data)
        if done:
            return _done(
                request,
                done,
                f"{done.reference}: offer accepted on {done.offer_accepted_on:%d/%m/%Y}. "
                "Payments can be made once due diligence is complete.",
            )
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record that the offer was accepted",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Record acceptance",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": "The recipient has signed the grant agreement. No payment can be dated before this.",
        },
    )


@role_required(*FINANCE_OFFICERS)
def grant_close(request, pk):
    grant = grant_for(request.user, pk)
    totals = grant_totals(grant)
    form = NoteConfirmForm(
        request.POST or None,
        initial={"note": "Grant completed"},
        note_label="Reason",
        confirm_label="I confirm: close the grant and release what is unspent",
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            workflow.grant_close,
            field_map={"reason": "note"},
            grant=grant,
            by=request.user,
            reason=form.cleaned_data["note"] or "Grant completed",
        )
        if done:
            return _done(request, done, f"{done.reference} closed; what was unspent is back in its fund.")
    return confirm_page(
        request,
        form=form,
        grant=grant,
        title=f"Close {grant.reference}",
        submit_label="Close grant",
        danger=True,
        notice=f"{format_gbp(totals.outstanding_commitment)} committed and not paid "
        "will be released to the funds. A closed grant takes no more payments.",
    )


@role_required(FINANCE_OFFICER, COMMISSIONER)
def grant_withdraw(request, pk):
    grant = grant_for(request.user, pk)
    form = NoteConfirmForm(
        request.POST or None,
        note_label="Reason for withdrawing",
        note_required=True,
        note_help="Required; kept in the history",
        confirm_label="I confirm: withdraw the grant; this cannot be undone",
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            workflow.grant_withdraw,
            field_map={"reason": "note"},
            grant=grant,
            by=request.user,
            reason=form.cleaned_data["note"],
        )
        if done:
            return _done(request, done, f"{done.reference} withdrawn.")
    return confirm_page(
        request,
        form=form,
        grant=grant,
        title=f"Withdraw {grant.reference}",
        submit_label="Withdraw grant",
        danger=True,
        notice="Anything committed and not yet paid goes back to its fund. Payments already made "
        "stay; recover them with a clawback if needed.",
    )

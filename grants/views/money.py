"""Due diligence, payments and clawbacks: the pages that lead to money leaving (or coming back to) a fund, and
the pages that reverse a payment or clawback recorded in error."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import Form, ReasonField, UKDateField, call_service
from core.listing import Column, Listing
from core.money import format_gbp
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS, has_role
from grants import checks, payments, schedule
from grants.forms import ChecksForm, ClawbackForm, ScheduleForm
from grants.models import Clawback, FundingLine, Grant, Instalment, Payment
from grants.selectors import grant_totals, instalments_due
from grants.views.common import confirm_page, grant_for, instalment_rows


@role_required(*FINANCE_OFFICERS)
def grant_checks(request, pk):
    """The due diligence checklist on one page: every open check's result, evidence and date, saved together
    (``checks.checks_record``: all or none)."""
    grant = grant_for(request.user, pk)
    items = list(grant.checks.select_related("check_type", "completed_by"))
    form = ChecksForm(request.POST if request.method == "POST" else None, checks=items)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, checks.checks_record, grant=grant, entries=form.entries, by=request.user)
        if done:
            satisfactory = sum(1 for c in done if c.is_complete)
            concerns = len(done) - satisfactory
            messages.success(request, f"{len(done)} check{'s' if len(done) != 1 else ''} recorded: "
                                      f"{satisfactory} satisfactory, {concerns} with concerns.")
            return redirect("grants:checks", pk=grant.pk)
    return render(
        request,
        "grants/checks.html",
        {"grant": grant, "form": form, "done": [i for i in items if i.is_complete],
         "open": sum(1 for i in items if not i.is_complete), "refusal": checks.grant_checks_refusal(grant)},
    )


@role_required(*FINANCE_OFFICERS)
def instalment_pay(request, pk):
    """An instalment and whether it can be paid today. Payments leave only in payment runs (``payments.runs``): a
    run prepared for a date gathers every instalment payable then, and a second person authorises it. This page
    records nothing; it says what the run would find (the one rule, ``instalment_pay_refusal``)."""
    instalment = get_object_or_404(Instalment.objects.select_related("grant", "funding_line__fund", "year"), pk=pk)
    grant = grant_for(request.user, instalment.grant_id)
    row = next(r for r in instalment_rows(grant) if r.instalment.pk == instalment.pk)
    return render(
        request,
        "grants/pay.html",
        {
            "grant": grant,
            "row": row,
            "quarter": payments.instalment_quarter(instalment),
            "remaining": grant_totals(grant).remaining,
            "refusal": payments.instalment_pay_refusal(instalment=instalment),
        },
    )


@role_required(*FINANCE_OFFICERS)
def payments_due(request):
    """Every instalment due by today and not paid in full, with what stops it being paid: the refusal the payment
    service would give today (``instalment_pay_refusal``): what a payment run prepared today would gather."""
    today = timezone.localdate()
    rows = [
        (row, payments.instalment_pay_refusal(instalment=row.instalment, on=today)) for row in instalments_due(today)
    ]
    table = PAYMENTS_DUE.table(request, rows, per_page=None)
    if table.download:
        return table.response()
    return render(request, "grants/payments_due.html", {"table": table, "rows": table.rows})


PAYMENTS_DUE = Listing("instalments-due", (  # rows are (due instalment, what stops it being paid or None)
    Column("due", "Due", order=lambda r: (r[0].instalment.due_date, r[0].instalment.pk),
           value=lambda r: r[0].instalment.due_date),
    Column("grant", "Grant", order=lambda r: r[0].instalment.grant_id, value=lambda r: r[0].instalment.grant.reference),
    Column("organisation", "Organisation", order=lambda r: r[0].instalment.grant.organisation.name.lower(),
           value=lambda r: r[0].instalment.grant.organisation.name),
    Column("instalment", "Instalment", value=lambda r: f"Q{r[0].instalment.quarter} {r[0].instalment.year.label} "
                                                       f"{r[0].instalment.funding_line.fund.code}"),
    Column("outstanding", "To pay", order=lambda r: r[0].outstanding, value=lambda r: r[0].outstanding, num=True),
    Column("waiting", "Waiting for", order=lambda r: r[1] or "",
           value=lambda r: r[1] or "Nothing: ready to pay"),
))


@role_required(*FINANCE_OFFICERS)
def clawback_create(request, pk):
    grant = grant_for(request.user, pk)
    lines = list(grant.funding_lines.select_related("fund", "year"))
    form = ClawbackForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        clawback = call_service(
            form,
            payments.clawback_record,
            by=request.user,
            funding_line=data["funding_line"],
            amount=data["amount"],
            received_on=data["received_on"],
            reason=data["reason"],
        )
        if clawback:
            messages.success(
                request,
                f"{format_gbp(clawback.amount.amount)} returned to "
                f"{clawback.funding_line.fund.code} {clawback.funding_line.year.label}.",
            )
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record a clawback",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Record clawback",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": "Money the recipient has paid back goes back to the fund and year it was paid from.",
        },
    )


@role_required(*FINANCE_OFFICERS)
def schedule_edit(request, pk, line_pk):
    grant = grant_for(request.user, pk)
    line = get_object_or_404(FundingLine.objects.select_related("fund", "year"), pk=line_pk, grant=grant)
    instalments = list(line.instalments.select_related("year").order_by("quarter"))
    form = ScheduleForm(request.POST or None, instalments=instalments)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing was changed.")
            return redirect("grants:detail", pk=grant.pk)
        done = call_service(
            form,
            schedule.schedule_update,
            funding_line=line,
            changes=changes,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"Schedule for {line.fund.code} {line.year.label} changed.")
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"Change the schedule for {line.fund.code} {line.year.label}",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Save schedule",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": (
                f"The instalments must still add up to the funding line's {format_gbp(line.amount.amount)}, and "
                "none can be less than what has been paid on it."
            ),
        },
    )


# ---- Reversals -------------------------------------------------------------------------------------------------


class ReversalForm(Form):
    """The reason and date of a reversal. The service (``ledger.reversals``) checks both, and its refusal is shown
    next to the field: a date before the document, a closed period."""

    reason = ReasonField(label="Reason for the reversal",
                         help_text="Kept with the document and its reversing entry, for example 'Recorded twice'")
    on = UKDateField(label="Date of the reversal", required=False,
                     help_text="Left blank, today. It must fall in an open period, for example 31/03/2026")

    def __init__(self, *args, what: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            f"Say why the {what} is being reversed; the reason is kept with it.")


def reversible_documents(grant: Grant, user, payment_list, clawback_list) -> tuple[set[int], set[int]]:
    """The payments and clawbacks (by id) ``user`` may reverse, for the Reverse links on the grant's page: finance
    officers only, and only where the service's own refusal (``payment_reverse_refusal`` /
    ``clawback_reverse_refusal``) gives none."""
    if not has_role(user, *FINANCE_OFFICERS):
        return set(), set()
    for document in (*payment_list, *clawback_list):
        document.grant = grant
    return ({p.pk for p in payment_list if not p.is_reversed and payments.payment_reverse_refusal(p) is None},
            {c.pk for c in clawback_list if not c.is_reversed and payments.clawback_reverse_refusal(c) is None})


def _reverse_page(request, *, grant, document, what: str, service, kwarg: str, refusal, title: str, lead: str,
                  done: str):
    """The confirm page every reversal shares: the service's refusal shown before the form (when it would refuse
    today) and in it (when it refuses the post); success goes back to the grant naming the reversing entry."""
    form = ReversalForm(request.POST or None, what=what)
    if request.method == "POST" and form.is_valid():
        entry = call_service(form, service, by=request.user, reason=form.cleaned_data["reason"],
                             on=form.cleaned_data["on"], **{kwarg: document})
        if entry:
            messages.success(request, f"{done} by journal entry {entry.reference}.")
            return redirect("grants:detail", pk=grant.pk)
    return confirm_page(request, form=form, title=title, grant=grant, submit_label="Reverse", lead=lead, danger=True,
                        notice=refusal if request.method == "GET" and refusal else "")


@role_required(*FINANCE_OFFICERS)
def payment_reverse(request, pk, payment_pk):
    grant = grant_for(request.user, pk)
    payment = get_object_or_404(
        Payment.objects.select_related("funding_line__fund", "funding_line__year", "instalment__year", "entry__year"),
        pk=payment_pk, grant=grant,
    )
    payment.grant = grant
    amount, line, instalment = format_gbp(payment.amount.amount), payment.funding_line, payment.instalment
    return _reverse_page(
        request, grant=grant, document=payment, what=payments.PAYMENT, service=payments.payment_reverse,
        kwarg="payment",
        refusal=payments.payment_reverse_refusal(payment),
        title=f"Reverse the payment of {amount} on {payment.paid_on:%d/%m/%Y}",
        lead=(f"Reversing posts the mirror image of journal entry {payment.entry.reference}: {amount} is no longer "
              f"spent from {line.fund.code} {line.year.label} and is committed to {grant.reference} again, and the "
              f"Q{instalment.quarter} {instalment.year.label} instalment is unpaid again, so it can be paid "
              "(correctly) again. The payment stays listed, marked reversed. A reversal cannot be undone."),
        done=f"The payment of {amount} on {payment.paid_on:%d/%m/%Y} was reversed",
    )


@role_required(*FINANCE_OFFICERS)
def clawback_reverse(request, pk, clawback_pk):
    grant = grant_for(request.user, pk)
    clawback = get_object_or_404(
        Clawback.objects.select_related("funding_line__fund", "funding_line__year", "entry__year"),
        pk=clawback_pk, grant=grant,
    )
    clawback.grant = grant
    amount, line = format_gbp(clawback.amount.amount), clawback.funding_line
    return _reverse_page(
        request, grant=grant, document=clawback, what=payments.CLAWBACK, service=payments.clawback_reverse,
        kwarg="clawback",
        refusal=payments.clawback_reverse_refusal(clawback),
        title=f"Reverse the clawback of {amount} received on {clawback.received_on:%d/%m/%Y}",
        lead=(f"Reversing posts the mirror image of journal entry {clawback.entry.reference}: {amount} counts as "
              f"spent from {line.fund.code} {line.year.label} again, so the fund needs that much available. The "
              "clawback stays listed, marked reversed, and the money can be clawed back again correctly. A reversal "
              "cannot be undone."),
        done=f"The clawback of {amount} received on {clawback.received_on:%d/%m/%Y} was reversed",
    )

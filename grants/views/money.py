"""Due diligence, payments and clawbacks: the pages that lead to money leaving (or coming back to) a fund."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import call_service
from core.money import format_gbp
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS
from grants import checks, payments, schedule
from grants.forms import CheckForm, ClawbackForm, PaymentForm, ScheduleForm
from grants.models import FundingLine, GrantCheck, Instalment
from grants.selectors import grant_totals, instalments_due
from grants.views.common import grant_for, instalment_rows


@role_required(*FINANCE_OFFICERS)
def grant_checks(request, pk):
    """The due diligence checklist; each open item has its own small form for the evidence."""
    grant = grant_for(request.user, pk)
    items = list(grant.checks.select_related("check_type", "completed_by"))
    posted = None
    if request.method == "POST":
        check = get_object_or_404(
            GrantCheck.objects.select_related("check_type"), pk=request.POST.get("check"), grant=grant
        )
        posted = (check.pk, CheckForm(request.POST, prefix=f"c{check.pk}"))
        form = posted[1]
        if form.is_valid() and call_service(
            form, checks.check_complete, check=check, by=request.user, evidence=form.cleaned_data["evidence"]
        ):
            messages.success(request, f"'{check.check_type.label}' checked.")
            return redirect("grants:checks", pk=grant.pk)
    rows = []
    for item in items:
        form = None
        if not item.is_complete:
            form = posted[1] if posted and posted[0] == item.pk else CheckForm(prefix=f"c{item.pk}")
        rows.append((item, form))
    return render(
        request,
        "grants/checks.html",
        {"grant": grant, "rows": rows, "open": sum(1 for i in items if not i.is_complete)},
    )


@role_required(*FINANCE_OFFICERS)
def instalment_pay(request, pk):
    instalment = get_object_or_404(Instalment.objects.select_related("grant", "funding_line__fund", "year"), pk=pk)
    grant = grant_for(request.user, instalment.grant_id)
    row = next(r for r in instalment_rows(grant) if r.instalment.pk == instalment.pk)
    quarter = payments.instalment_quarter(instalment)
    form = PaymentForm(
        request.POST or None,
        initial={"amount": f"{row.outstanding:.2f}", "paid_on": timezone.localdate()},
        in_advance=instalment.in_advance,
    )
    if request.method == "POST" and form.is_valid():
        payment = call_service(
            form,
            payments.payment_record,
            instalment=instalment,
            by=request.user,
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            advance_reason=form.cleaned_data.get("advance_reason", ""),
        )
        if payment:
            messages.success(
                request,
                f"{format_gbp(payment.amount.amount)} paid to {grant.organisation.name} and "
                f"posted as journal entry {payment.entry.reference}.",
            )
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "grants/pay.html",
        {
            "form": form,
            "grant": grant,
            "row": row,
            "quarter": quarter,
            "remaining": grant_totals(grant).remaining,
            # The one rule the service applies, asked for today: the page never offers what the service refuses.
            "refusal": payments.instalment_pay_refusal(instalment=instalment),
        },
    )


@role_required(*FINANCE_OFFICERS)
def payments_due(request):
    """Every instalment due by today and not paid in full, with what stops it being paid: the refusal the payment
    service would give today (``instalment_pay_refusal``), so a Pay link shows only where the payment can be made."""
    today = timezone.localdate()
    rows = [
        (row, payments.instalment_pay_refusal(instalment=row.instalment, on=today)) for row in instalments_due(today)
    ]
    return render(request, "grants/payments_due.html", {"rows": rows})


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

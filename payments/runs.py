"""Payment runs: the only way money leaves for grant recipients and suppliers.

A finance officer prepares a run for a payment date (``payment_run_prepare``): everything payable on that date
(``payments.payable``). Someone else, a finance officer or director whose delegated limit covers the run, authorises
it (``payment_run_authorise``): the payees' verified bank details are frozen into the run then. A payee can be
taken out (``payment_run_withhold``) while the run is unpaid; a payee whose bank details change after authorisation
must be, before the run pays. ``payment_run_pay`` posts every payment in one transaction, through
``grants.payments.payment_record`` and ``spending.invoices.supplier_payment_record``, each entry's source reference
beginning with the run's reference (the bank reconciliation groups a run's payments by it). Nothing is paid
otherwise: a run pays in full or not at all.

Locks: the run first, then (inside each payment) funds -> grant -> instalment, as every other writer of money.
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from funds.models import Fund
from grants.models import FundingLine, Organisation
from grants.payments import PaymentDraft, instalment_pay_refusal, lock_for_payment, payments_record
from ledger.posting import open_period_for
from payments.limits import delegated_limit, limits_covering, person_name
from payments.models import PaymentRun, PaymentRunItem
from payments.payable import (
    current_bank_details_by_organisation,
    next_instalment_due,
    payable_instalments,
    payable_invoices,
    payable_on,
)
from spending.models import Invoice
from spending.supplier_payments import supplier_pay_refusal, supplier_payments_record

R = PaymentRun.Status
INCLUDED = PaymentRunItem.Status.INCLUDED


def _names(names) -> str:
    names = sorted(set(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def run_items(run: PaymentRun, *, included_only: bool = True) -> list[PaymentRunItem]:
    """The run's items with their payee, document and frozen details, in payee order (one query)."""
    items = run.items.select_related("organisation", "bank_details", "instalment__grant", "instalment__year",
                                     "invoice")
    if included_only:
        items = items.filter(status=INCLUDED)
    return list(items.order_by("organisation__name", "payment_reference", "id"))


def run_total(items) -> object:
    return sum((i.amount.amount for i in items if i.status == INCLUDED), ZERO)


def _lock_run(run: PaymentRun) -> PaymentRun:
    return lock(PaymentRun.objects.filter(pk=run.pk))[0]


def _require_unpaid(run: PaymentRun, doing: str) -> None:
    if run.status == R.PAID:
        raise ValidationError(f"{run.reference} was paid on {run.pay_on:%d/%m/%Y}; a paid run cannot be {doing}.")
    if run.status == R.CANCELLED:
        raise ValidationError(f"{run.reference} was cancelled; a cancelled run cannot be {doing}. Prepare a new run.")


# --- Prepare -----------------------------------------------------------------------------------------------------

@transaction.atomic
def payment_run_prepare(*, pay_on: Date, by) -> PaymentRun:
    """Gather everything payable on ``pay_on`` into a new run awaiting authorisation: every grant instalment that
    may be paid then (what is left on it, at most what remains on the grant) and every approved supplier invoice
    due by then (its gross), except what another unpaid run already holds. Refused when ``pay_on`` is not in an
    open period or nothing is payable."""
    require_role(by, FINANCE_OFFICERS, doing="prepare payment runs")
    if not isinstance(pay_on, Date):
        raise ValidationError({"pay_on": "Give the date the money is to leave the bank, e.g. 30/07/2025."})
    try:
        open_period_for(pay_on)
    except ValidationError as error:
        raise ValidationError({"pay_on": error.messages})
    payables = payable_on(on=pay_on)
    if not payables:
        following = next_instalment_due(after=pay_on)
        hint = (f" The next grant instalment falls due on {following:%d/%m/%Y} (it is paid once its quarter has "
                "ended and its return is accepted)." if following else "")
        raise ValidationError(
            {"pay_on": f"Nothing is payable on {pay_on:%d/%m/%Y}: no grant instalment may be paid then and no "
                       f"approved invoice is due by then, or what is payable is already in another run.{hint}"}
        )
    run = PaymentRun(pay_on=pay_on, prepared_by=by)
    save_with_history(run, by=by, reason="Payment run prepared")
    items = [PaymentRunItem(run=run, kind=p.kind, instalment=p.instalment, invoice=p.invoice,
                            organisation_id=p.organisation_id, amount=gbp(p.amount),
                            payment_reference=p.payment_reference) for p in payables]
    bulk_create_with_history(items, PaymentRunItem, batch_size=500, default_user=by,
                             default_change_reason=f"Gathered into {run.reference}")
    total = sum((p.amount for p in payables), ZERO)
    record_event("payments.run_prepared", by=by, obj=run,
                 summary=f"{run.reference} prepared for {pay_on:%d/%m/%Y}: {len(items)} payments, {format_gbp(total)}",
                 data={"count": len(items), "total": str(total)})
    return run


# --- Authorise ---------------------------------------------------------------------------------------------------

def _limit_refusal(run: PaymentRun, total, by) -> str | None:
    limit = delegated_limit(by)
    if limit is not None and total <= limit:
        return None
    mine = ("You have no delegated limit" if limit is None else f"Your delegated limit is {format_gbp(limit)}")
    covering = [(u, a) for u, a in limits_covering(total, excluding=[run.prepared_by_id]) if u.pk != by.pk]
    who = (f"{_names(f'{person_name(u)} ({format_gbp(a)})' for u, a in covering)} may authorise it"
           if covering else
           "nobody else's limit covers it: a finance director must raise someone's limit, or take payees out "
           "of the run (Withhold) to bring it within a limit")
    return f"{run.reference} totals {format_gbp(total)}. {mine}, so you cannot authorise it; {who}."


def _unverified_refusal(items, details) -> str | None:
    payees = [i.organisation.name for i in items
              if details[i.organisation_id] is None or details[i.organisation_id].status != "verified"]
    if not payees:
        return None
    return (f"The current bank details of {_names(payees)} are not verified, so the run cannot be authorised with "
            "them in it. Take them out of the run (Withhold) or have a second person verify their details first.")


def _still_payable_refusal(run: PaymentRun, items, *, paying: bool = False) -> str | None:
    """Every included item must still be payable on the run's date, for at least its amount. The message gives
    each item's own reason (``instalment_pay_refusal``, ``supplier_pay_refusal``), asked only of those that fail."""
    grant_ids = [i.instalment_id for i in items if i.instalment_id]
    invoice_ids = [i.invoice_id for i in items if i.invoice_id]
    now = {("grant", p.document_id): p.amount
           for p in payable_instalments(on=run.pay_on, run=run, only_ids=grant_ids)} if grant_ids else {}
    if invoice_ids:
        now.update({("invoice", p.document_id): p.amount
                    for p in payable_invoices(on=run.pay_on, run=run, only_ids=invoice_ids)})
    stale = [i for i in items if now.get((i.kind, i.instalment_id or i.invoice_id), ZERO) < i.amount.amount]
    if not stale:
        return None
    reasons = []
    for item in stale:
        why = (instalment_pay_refusal(instalment=item.instalment, on=run.pay_on) if item.instalment_id
               else supplier_pay_refusal(item.invoice))
        why = why or "what is left to pay on it is now less than the run holds (paid, varied or released since)."
        reasons.append(f"{item.payment_reference} to {item.organisation.name} cannot be paid on "
                       f"{run.pay_on:%d/%m/%Y}: {why}")
    then = (f"Nothing in {run.reference} was paid; take that payee out of the run (Withhold) and pay the rest."
            if paying else "Take those payees out of the run (Withhold) or cancel the run and prepare a new one.")
    return " ".join(reasons) + " " + then


@transaction.atomic
def payment_run_authorise(*, run: PaymentRun, by) -> PaymentRun:
    """Authorise a prepared run: by a finance officer or director who did not prepare it, whose delegated limit
    covers its total. Each payee's current verified bank details are frozen into the run."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="authorise payment runs")
    run = _lock_run(run)
    _require_unpaid(run, "authorised")
    if run.status == R.AUTHORISED:
        raise ValidationError(f"{run.reference} was already authorised by {person_name(run.authorised_by)}.")
    if run.prepared_by_id == by.pk:
        raise ValidationError(
            f"You prepared {run.reference}, so someone else (a finance officer or finance director whose delegated "
            "limit covers it) must authorise it."
        )
    items = run_items(run)
    if not items:
        raise ValidationError(f"Every payee has been taken out of {run.reference}; there is nothing to authorise. "
                              "Cancel it.")
    total = run_total(items)
    refusal = (_limit_refusal(run, total, by) or
               _unverified_refusal(items, current_bank_details_by_organisation({i.organisation_id for i in items})))
    if refusal:
        raise ValidationError(refusal)
    refusal = _still_payable_refusal(run, items)
    if refusal:
        raise ValidationError(refusal)
    details = current_bank_details_by_organisation({i.organisation_id for i in items})
    for item in items:
        item.bank_details = details[item.organisation_id]
    bulk_update_with_history(items, PaymentRunItem, ["bank_details"], batch_size=500, default_user=by,
                             default_change_reason="Verified bank details frozen at authorisation")
    run.status, run.authorised_by, run.authorised_at = R.AUTHORISED, by, timezone.now()
    run.authorised_total = gbp(total)
    save_with_history(run, by=by, reason="Authorised", clean=False)  # checked above
    record_event("payments.run_authorised", by=by, obj=run,
                 summary=f"{run.reference} authorised: {len(items)} payments, {format_gbp(total)}, "
                         f"to pay on {run.pay_on:%d/%m/%Y}", data={"count": len(items), "total": str(total)})
    return run


# --- Withhold and cancel -----------------------------------------------------------------------------------------

@transaction.atomic
def payment_run_withhold(*, run: PaymentRun, organisation: Organisation, reason: str, by) -> list[PaymentRunItem]:
    """Take every payment to ``organisation`` out of an unpaid run (e.g. their bank details changed). What they
    were to be paid becomes payable again, in a later run."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="take payees out of payment runs")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {organisation.name} is taken out of the run, e.g. 'bank details "
                                         "changed on 02/08/2025, awaiting verification'."})
    run = _lock_run(run)
    _require_unpaid(run, "changed")
    items = [i for i in run_items(run) if i.organisation_id == organisation.pk]
    if not items:
        raise ValidationError(f"{organisation.name} has no payment in {run.reference}.")
    for item in items:
        item.status, item.live, item.withheld_reason = PaymentRunItem.Status.WITHHELD, False, reason
    bulk_update_with_history(items, PaymentRunItem, ["status", "live", "withheld_reason"], default_user=by,
                             default_change_reason=reason[:100])
    save_with_history(run, by=by, reason=f"{organisation.name} taken out: {reason}", clean=False)
    amount = sum((i.amount.amount for i in items), ZERO)
    record_event("payments.run_withheld", by=by, obj=run, reason=reason,
                 summary=f"{organisation.name} taken out of {run.reference}: {len(items)} payments, "
                         f"{format_gbp(amount)}", data={"organisation": organisation.pk, "amount": str(amount)})
    return items


@transaction.atomic
def payment_run_cancel(*, run: PaymentRun, by, reason: str) -> PaymentRun:
    """Cancel an unpaid run; everything in it becomes payable again in another run."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="cancel payment runs")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the run is cancelled, e.g. 'prepared for the wrong date'."})
    run = _lock_run(run)
    _require_unpaid(run, "cancelled")
    items = list(run.items.filter(live=True))
    for item in items:
        item.live = False
    bulk_update_with_history(items, PaymentRunItem, ["live"], default_user=by, default_change_reason="Run cancelled")
    run.status, run.cancelled_by, run.cancel_reason = R.CANCELLED, by, reason
    save_with_history(run, by=by, reason=reason)
    record_event("payments.run_cancelled", by=by, obj=run, reason=reason, summary=f"{run.reference} cancelled")
    return run


# --- Pay ---------------------------------------------------------------------------------------------------------

def changed_details_refusal(items, *, doing: str) -> str | None:
    """Payees whose current bank details are not the ones frozen into the run at authorisation."""
    current = current_bank_details_by_organisation({i.organisation_id for i in items})
    payees = [i.organisation.name for i in items
              if current[i.organisation_id] is None or current[i.organisation_id].pk != i.bank_details_id]
    if not payees:
        return None
    return (f"The bank details of {_names(payees)} changed after the run was authorised, so it cannot be {doing}. "
            "Take them out of the run (Withhold); they can be paid in a later run once their new details are "
            "verified.")


@transaction.atomic
def payment_run_pay(*, run: PaymentRun, by, today: Date | None = None) -> PaymentRun:
    """Pay an authorised run on or after its date: every payment is posted in this one transaction (grant
    instalments in one batch through ``grants.payments.payments_record``, invoices through
    ``supplier_payment_record``), or none is. Under the locks of the funds, grants and instalments, every item must
    still be payable on the run's date (``payments.payable``), as at authorisation."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="pay payment runs")
    run = _lock_run(run)
    _require_unpaid(run, "paid again" if run.status == R.PAID else "paid")
    if run.status != R.AUTHORISED:
        raise ValidationError(f"{run.reference} has not been authorised; only an authorised run is paid. Someone "
                              "other than its preparer, within their delegated limit, must authorise it first.")
    today = today or timezone.localdate()
    if run.pay_on > today:
        raise ValidationError(f"{run.reference} is to be paid on {run.pay_on:%d/%m/%Y}; mark it paid on or after "
                              "that date, once the money has left the bank.")
    items = run_items(run)
    if not items:
        raise ValidationError(f"Every payee has been taken out of {run.reference}; there is nothing to pay. Cancel it.")
    refusal = changed_details_refusal(items, doing="paid")
    if refusal:
        raise ValidationError(refusal)
    total = run_total(items)
    if total > run.authorised_total.amount:
        raise ValidationError(f"{run.reference} totals {format_gbp(total)}, more than the "
                              f"{format_gbp(run.authorised_total.amount)} authorised; it must be authorised again.")
    # One lock order for the whole run: every fund it pays from (id order), then grants and instalments, then
    # orders and invoices; the postings that follow take no other lock before the chain head.
    grant_items = [i for i in items if i.kind == PaymentRunItem.Kind.GRANT]
    fund_ids = set(FundingLine.objects.filter(grant_id__in={i.instalment.grant_id for i in grant_items})
                   .values_list("fund_id", flat=True))
    fund_ids |= set(Invoice.objects.filter(pk__in=[i.invoice_id for i in items if i.invoice_id])
                    .values_list("order__budget_line__fund_id", flat=True))
    lock(Fund.objects.filter(pk__in=fund_ids))
    if grant_items:
        lock_for_payment([i.instalment for i in grant_items])
    refusal = _still_payable_refusal(run, items, paying=True)
    if refusal:
        raise ValidationError(refusal)
    authorised = f"Paid in advance as its schedule allows, in {run.reference} authorised by " \
                 f"{person_name(run.authorised_by)}"
    drafts = [PaymentDraft(instalment=item.instalment, amount=item.amount.amount,
                           reference=f"{run.reference} {item.payment_reference}",
                           advance_reason=authorised if item.instalment.in_advance else "",
                           bank_details=item.bank_details)
              for item in grant_items]
    try:
        paid = payments_record(drafts=drafts, paid_on=run.pay_on, by=by, today=today)
    except ValidationError as error:
        raise ValidationError(f"{' '.join(error.messages)} Nothing in {run.reference} was paid; take that payee out "
                              "of the run (Withhold) and pay the rest.")
    for item, payment in zip(grant_items, paid, strict=True):
        item.grant_payment = payment
    invoice_items = [i for i in items if i.kind == PaymentRunItem.Kind.INVOICE]
    try:
        supplier_paid = supplier_payments_record(
            drafts=[(item.invoice, f"{run.reference} {item.payment_reference}") for item in invoice_items],
            paid_on=run.pay_on, by=by, today=today)
    except ValidationError as error:
        raise ValidationError(f"{' '.join(error.messages)} Nothing in {run.reference} was paid; take that payee out "
                              "of the run (Withhold) and pay the rest.")
    for item, payment in zip(invoice_items, supplier_paid, strict=True):
        item.supplier_payment = payment
    for item in items:
        item.live = False
    bulk_update_with_history(items, PaymentRunItem, ["live", "grant_payment", "supplier_payment"], batch_size=500,
                             default_user=by, default_change_reason=f"Paid in {run.reference}")
    run.status, run.paid_by, run.paid_at = R.PAID, by, timezone.now()
    save_with_history(run, by=by, reason="Paid", clean=False)  # checked above
    record_event("payments.run_paid", by=by, obj=run,
                 summary=f"{run.reference} paid on {run.pay_on:%d/%m/%Y}: {len(items)} payments, {format_gbp(total)}",
                 data={"count": len(items), "total": str(total)})
    return run

"""What may be paid on a date, for a whole run at once.

``payable_instalments`` answers, for every grant instalment in a bounded number of queries, the question
``grants.payments.instalment_pay_refusal`` answers for one: offer accepted and grant not closed; due diligence
complete; an instalment paid in arrears only after its quarter (or the grant) has ended, one the schedule pays in
advance at any time; the quarter's monitoring return accepted where one is needed; the organisation's current
bank details verified; something left on the instalment and on the grant. It is the same rule, computed in bulk
(``tests/payments/test_payable.py`` compares the two on varied cases), plus the one date rule ``payment_record``
adds: no payment dated before the offer was accepted. Several instalments of one grant share what remains on it,
in due order, so a run never holds more than the grant has left.

``payable_invoices`` is ``spending.selectors.invoices_payable`` less invoices whose supplier's current bank
details are not verified (and any approved after the day asked). Both leave out what a live run item already
holds (another run not yet paid or cancelled), except the items of ``run`` itself (so authorisation can check its
own items again).
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Sum

from core.money import ZERO, quantize
from grants.models import BankDetails, Grant, GrantCheck, Instalment, Payment
from grants.organisations import current_bank_details_many
from grants.payments import returns_received_on
from grants.quarters import Quarter, reporting_end
from grants.selectors import STANDING, grants_with_totals
from payments.models import PaymentRun, PaymentRunItem
from spending.selectors import invoices_payable

PAYABLE_STATUSES = (Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)
BACS_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.&/- ")
REFERENCE_LENGTH = 18


@dataclass(frozen=True)
class Payable:
    """Something that may be paid on the date asked: what to pay, to whom and with which reference."""

    kind: str  # PaymentRunItem.Kind
    organisation_id: int
    amount: Decimal
    payment_reference: str
    instalment: Instalment | None = None
    invoice: object | None = None  # spending.models.Invoice

    @property
    def document_id(self) -> int:
        return self.instalment.pk if self.instalment is not None else self.invoice.pk


def bacs_reference(text: str) -> str:
    """A payment reference the bank accepts: upper case, BACS characters only, at most 18 characters."""
    cleaned = "".join(ch if ch in BACS_CHARACTERS else " " for ch in (text or "").upper())
    return " ".join(cleaned.split())[:REFERENCE_LENGTH].strip()


def grant_payment_reference(instalment: Instalment) -> str:
    """'G00012 Q3 2025/26': the grant, the quarter paid for and its year."""
    return bacs_reference(f"{instalment.grant.reference} Q{instalment.quarter} {instalment.year.label}")


def current_bank_details_by_organisation(organisation_ids) -> dict[int, BankDetails | None]:
    """Each organisation's current details (``grants.organisations.current_bank_details_many``), None where it has
    none."""
    found = current_bank_details_many(organisation_ids)
    return {pk: found.get(pk) for pk in organisation_ids}


def _held(run: PaymentRun | None, field: str):
    held = PaymentRunItem.objects.filter(live=True, **{f"{field}__isnull": False})
    if run is not None:
        held = held.exclude(run=run)
    return held.values(field)


def _arrears_refusal(instalment: Instalment, on: Date) -> bool:
    end = reporting_end(Quarter(instalment.year.start_year, instalment.quarter), instalment.grant.end_date)
    return not instalment.in_advance and on <= end


def payable_instalments(*, on: Date, run: PaymentRun | None = None, only_ids=None) -> list[Payable]:
    """Every grant instalment that may be paid on ``on``, with the amount to pay (what is left on the instalment,
    at most what remains on the grant), in due order. Eight queries whatever the number of instalments."""
    candidates = (Instalment.objects.filter(grant__status__in=PAYABLE_STATUSES, grant__offer_accepted_on__lte=on)
                  .exclude(pk__in=_held(run, "instalment"))
                  .select_related("grant__organisation", "year", "funding_line")
                  .order_by("due_date", "grant_id", "funding_line__fund__code", "id"))
    if only_ids is not None:
        candidates = candidates.filter(pk__in=list(only_ids))
    candidates = [i for i in candidates if not _arrears_refusal(i, on)]
    if not candidates:
        return []
    grants = {i.grant_id: i.grant for i in candidates}
    grant_ids = list(grants)
    unchecked = set(GrantCheck.objects.filter(grant_id__in=grant_ids, is_complete=False)
                    .values_list("grant_id", flat=True))
    accepted = returns_received_on(grant_ids)
    details = current_bank_details_by_organisation({g.organisation_id for g in grants.values()})
    paid = {row["instalment_id"]: quantize(row["s"]) for row in
            Payment.objects.filter(STANDING, instalment_id__in=[i.pk for i in candidates])
            .values("instalment_id").annotate(s=Sum("amount"))}
    remaining = {row.grant.pk: row.totals.remaining for row in grants_with_totals(list(grants.values()))}
    found = []
    for instalment in candidates:
        grant = grants[instalment.grant_id]
        if grant.pk in unchecked:
            continue
        returned_on = accepted.get((grant.pk, instalment.year_id, instalment.quarter))
        if instalment.requires_return and (returned_on is None or on < returned_on):
            continue
        bank = details[grant.organisation_id]
        if bank is None or bank.status != BankDetails.Status.VERIFIED:
            continue
        left = instalment.amount.amount - paid.get(instalment.pk, ZERO)
        amount = min(left, remaining[grant.pk])
        if left <= 0 or amount <= 0:
            continue
        remaining[grant.pk] -= amount
        found.append(Payable(kind=PaymentRunItem.Kind.GRANT, organisation_id=grant.organisation_id, amount=amount,
                             payment_reference=grant_payment_reference(instalment), instalment=instalment))
    return found


def next_instalment_due(*, after: Date) -> Date | None:
    """The earliest due date after ``after`` of an instalment of a grant still taking payments (a hint for a run
    that would be empty)."""
    row = (Instalment.objects.filter(grant__status__in=PAYABLE_STATUSES, due_date__gt=after)
           .exclude(pk__in=_held(None, "instalment")).order_by("due_date").values_list("due_date", flat=True).first())
    return row


def payable_invoices(*, on: Date, run: PaymentRun | None = None, only_ids=None) -> list[Payable]:
    """Every approved supplier invoice due by ``on`` and unpaid (``spending.selectors.invoices_payable``) that no
    other live run holds and whose supplier's current bank details are verified; the amount is the gross."""
    invoices = invoices_payable(on=on).filter(entry__date__lte=on)  # never paid before it was approved
    invoices = invoices.exclude(pk__in=_held(run, "invoice"))
    if only_ids is not None:
        invoices = invoices.filter(pk__in=list(only_ids))
    chosen = list(invoices)
    if not chosen:
        return []
    details = current_bank_details_by_organisation({inv.supplier.organisation_id for inv in chosen})
    found = []
    for invoice in chosen:
        organisation_id = invoice.supplier.organisation_id
        bank = details[organisation_id]
        if bank is None or bank.status != BankDetails.Status.VERIFIED:
            continue
        found.append(Payable(kind=PaymentRunItem.Kind.INVOICE, organisation_id=organisation_id,
                             amount=invoice.gross.amount,
                             payment_reference=bacs_reference(invoice.supplier_reference) or invoice.reference,
                             invoice=invoice))
    return found


def payable_on(*, on: Date, run: PaymentRun | None = None) -> list[Payable]:
    return payable_instalments(on=on, run=run) + payable_invoices(on=on, run=run)


"""Paying grants and taking money back.

``payment_record`` posts, in one entry under the fund's lock, the expenditure (Dr grant expenditure / Cr cash)
and the matching release of commitment (Dr commitments control / Cr commitments), both in the funding line's fund
and financial year, so a Q4 payment made in April counts against the year it belongs to.
``clawback_record`` posts money returned by the recipient (Dr cash / Cr grant expenditure) in the fund and year
it was paid from, which lowers actual spending and frees the money.
``payment_reverse`` and ``clawback_reverse`` correct either one by its mirror entry (``ledger.reversals``): the
document stays, marked reversed, and stops counting, so a reversed payment leaves its instalment unpaid again and
puts the commitment back, and a reversed clawback counts its money as spent again.

Locks: funds -> grant -> instalment -> the payment or clawback (``grants.locks``).
"""

from datetime import date as Date
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount
from core.roles import FINANCE_OFFICERS, require_role
from grants.checks import require_checks_complete
from grants.locks import lock_funds_and_grant, lock_instalment
from grants.models import Clawback, FundingLine, Grant, Instalment, MonitoringReturn, Payment
from grants.organisations import require_verified_bank_details
from grants.quarters import Quarter, quarter_end_phrase, reporting_end
from grants.selectors import grant_remaining, instalment_paid, line_clawed_back, line_paid
from grants.workflow import grant_activate
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.reversals import document_reverse, reversal_refusal
from ledger.selectors import fund_available

S = Grant.Status


def _status_refusal(grant: Grant) -> str | None:
    if grant.status in (S.OFFER_ACCEPTED, S.ACTIVE):
        return None
    if grant.status == S.APPROVED:
        return (f"{grant.reference} is approved but the recipient has not accepted the offer; record the signed "
                "acceptance before any payment.")
    return (f"{grant.reference} is {grant.get_status_display().lower()}; payments are made only once the offer has "
            "been accepted and until the grant closes.")


def _return_refusal(grant: Grant, instalment: Instalment, quarter: Quarter) -> str | None:
    if not instalment.requires_return:
        return None
    found = MonitoringReturn.objects.filter(grant=grant, year=instalment.year, quarter=instalment.quarter).first()
    if found is not None and found.status == MonitoringReturn.Status.ACCEPTED:
        return None
    state = "has not been received" if found is None else f"is {found.get_status_display().lower()}"
    return (f"The {quarter.long_label} instalment of {grant.reference} waits for that quarter's monitoring return, "
            f"which {state}; accept the return before paying it.")


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def instalment_quarter(instalment: Instalment) -> Quarter:
    """The quarter an instalment pays for."""
    return Quarter(instalment.year.start_year, instalment.quarter)


def instalment_pay_refusal(*, instalment: Instalment, on: Date | None = None) -> str | None:
    """Whether ``instalment`` may be paid with a payment dated ``on`` (default today): ``None`` if it may,
    otherwise the exact message ``payment_record`` refuses with. Pages and the service both ask this one
    function, so a Pay link never shows where the payment would be refused. Reads only; writes and locks nothing.

    In order: the grant must be accepted and not closed; due diligence complete; an instalment paid in arrears
    (the default) waits until its quarter has ended (or the grant, if it ends part-way through the quarter),
    while one the schedule marks as paid in advance may be paid before then (the payment records why); the
    quarter's monitoring return must be accepted where the instalment needs one; the organisation's bank details
    verified; something still left to pay on the instalment and the grant. The amount and the payment's own date
    are checked by ``payment_record``."""
    on = on or timezone.localdate()
    grant = instalment.grant
    refusal = _status_refusal(grant)
    if refusal:
        return refusal
    try:
        require_checks_complete(grant)
    except ValidationError as error:
        return _messages(error)
    quarter = instalment_quarter(instalment)
    end = reporting_end(quarter, grant.end_date)
    if not instalment.in_advance and on <= end:
        after = ", once its monitoring return is accepted" if instalment.requires_return else ""
        return (f"The {quarter.long_label} instalment of {grant.reference} is paid in arrears, so not on "
                f"{on:%d/%m/%Y}: {quarter_end_phrase(quarter, grant.end_date, name='its quarter')} and it can be paid "
                f"from {end + timedelta(days=1):%d/%m/%Y}{after}.")
    refusal = _return_refusal(grant, instalment, quarter)
    if refusal:
        return refusal
    try:
        require_verified_bank_details(grant.organisation)
    except ValidationError as error:
        return _messages(error)
    left = instalment.amount.amount - instalment_paid(instalment)
    if left <= 0:
        return (f"The {quarter.label} instalment of {grant.reference} has been paid in full "
                f"({format_gbp(instalment.amount.amount)}); nothing is left to pay on it.")
    if grant_remaining(grant) <= 0:
        return f"Nothing remains to be paid on {grant.reference}: its award has been paid or released in full."
    return None


@transaction.atomic
def payment_record(*, instalment: Instalment, amount, paid_on: Date, by, reference: str = "",
                   advance_reason: str = "", today: Date | None = None) -> Payment:
    """Record a payment (all or part of an instalment) and post it.

    Refused, writing nothing, with the message ``instalment_pay_refusal`` gives for ``paid_on`` (offer not
    accepted, quarter not ended for an instalment paid in arrears, return not accepted, due diligence incomplete,
    bank details not verified, nothing left to pay); and when the date is in the future or before the offer was
    accepted, the amount is above what remains on the grant (the message says how much remains) or on the
    instalment, or a payment made before its quarter ends (allowed only where the schedule marks the instalment
    as paid in advance) gives no reason. The first payment makes the grant active."""
    require_role(by, FINANCE_OFFICERS, doing="record payments")
    value = parse_amount(amount)
    grant = lock_funds_and_grant(instalment.grant)
    instalment = lock_instalment(instalment)
    instalment.grant = grant
    refusal = _status_refusal(grant)  # first, as instalment_pay_refusal does: the dates below need an accepted offer
    if refusal:
        raise ValidationError(refusal)
    if not isinstance(paid_on, Date):
        raise ValidationError({"paid_on": "Give the date the payment left the bank, e.g. 30/07/2025."})
    if paid_on > (today or timezone.localdate()):
        raise ValidationError({"paid_on": f"{paid_on:%d/%m/%Y} is in the future; record a payment once it is made."})
    if paid_on < grant.offer_accepted_on:
        raise ValidationError(
            {"paid_on": f"The offer was accepted on {grant.offer_accepted_on:%d/%m/%Y}; no payment can be dated before "
                        f"that ({paid_on:%d/%m/%Y})."}
        )
    refusal = instalment_pay_refusal(instalment=instalment, on=paid_on)
    if refusal:
        raise ValidationError(refusal)
    quarter = instalment_quarter(instalment)
    in_advance = paid_on <= reporting_end(quarter, grant.end_date)  # allowed only because the schedule says so
    advance_reason = (advance_reason or "").strip()
    if in_advance and not advance_reason:
        raise ValidationError(
            {"advance_reason": f"{quarter_end_phrase(quarter, grant.end_date)}, so a payment on {paid_on:%d/%m/%Y} is "
                               "a payment in advance: record why it is justified (GovS 015), e.g. the provider "
                               "cannot open the service without it."}
        )
    remaining = grant_remaining(grant)
    if value > remaining:
        raise ValidationError(
            {"amount": f"Only {format_gbp(remaining)} remains to be paid on {grant.reference}; "
                       f"{format_gbp(value)} is more than that."}
        )
    left = instalment.amount.amount - instalment_paid(instalment)
    if value > left:
        raise ValidationError(
            {"amount": f"The Q{instalment.quarter} {instalment.year.label} instalment has {format_gbp(left)} still to "
                       f"pay; {format_gbp(value)} is more than that. Change the schedule first to pay more now."}
        )
    bank = require_verified_bank_details(grant.organisation)
    line = instalment.funding_line
    entry = entry_post(
        date=paid_on, by=by, source_reference=(reference or grant.reference)[:120],
        description=f"Grant payment {grant.reference} Q{instalment.quarter} {instalment.year.label} to "
                    f"{grant.organisation.name}"[:300],
        legs=[Leg(acc.GRANT_EXPENDITURE, line.fund, DEBIT, value, line.year),
              Leg(acc.CASH, line.fund, CREDIT, value, line.year),
              Leg(acc.COMMITMENT_CONTROL, line.fund, DEBIT, value, line.year),
              Leg(acc.COMMITMENTS, line.fund, CREDIT, value, line.year)],
        source=grant,
    )
    payment = Payment(grant=grant, funding_line=line, instalment=instalment, bank_details=bank, amount=gbp(value),
                      paid_on=paid_on, reference=(reference or "").strip(),
                      advance_reason=advance_reason if in_advance else "", entry=entry, recorded_by=by)
    save_with_history(payment, by=by, reason="Payment recorded", clean=False)  # checked above
    summary = (f"{format_gbp(value)} paid to {grant.organisation.name} for Q{instalment.quarter} "
               f"{instalment.year.label} from {line.fund.code} ({entry.reference})"
               + (f", in advance: {advance_reason}" if in_advance else ""))
    record_event("payment.recorded", by=by, obj=grant, summary=f"{grant.reference}: {summary}",
                 data={"payment": payment.pk, "entry": entry.reference, "amount": str(value)})
    if grant.status == S.OFFER_ACCEPTED:
        grant_activate(grant, by=by, payment_summary=summary)
    return payment


@transaction.atomic
def clawback_record(*, funding_line: FundingLine, amount, received_on: Date, reason: str, by) -> Clawback:
    """Record money the recipient paid back (underspend or breach of conditions). It returns to the fund and
    year it was paid from; at most what was paid from that line and not already returned."""
    require_role(by, FINANCE_OFFICERS, doing="record clawbacks")
    value = parse_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the money was clawed back (e.g. underspend at year end)."})
    grant = lock_funds_and_grant(funding_line.grant)
    line = FundingLine.objects.select_related("fund", "year").get(pk=funding_line.pk)
    if not isinstance(received_on, Date):
        raise ValidationError({"received_on": "Give the date the money was received back."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": f"{received_on:%d/%m/%Y} is in the future; record money once received."})
    returnable = line_paid(line) - line_clawed_back(line)
    if value > returnable:
        raise ValidationError(
            {"amount": f"Only {format_gbp(returnable)} paid from {line.fund.code} {line.year.label} on "
                       f"{grant.reference} has not already been returned; {format_gbp(value)} is more than that."}
        )
    entry = entry_post(
        date=received_on, by=by, source=grant, source_reference=grant.reference,
        description=f"Grant clawback {grant.reference} from {grant.organisation.name}"[:300],
        legs=[Leg(acc.CASH, line.fund, DEBIT, value, line.year),
              Leg(acc.GRANT_EXPENDITURE, line.fund, CREDIT, value, line.year)],
    )
    clawback = Clawback(grant=grant, funding_line=line, amount=gbp(value), received_on=received_on, reason=reason,
                        entry=entry, recorded_by=by)
    save_with_history(clawback, by=by, reason=reason, clean=False)  # checked above
    record_event("clawback.recorded", by=by, obj=grant, reason=reason,
                 summary=f"{grant.reference}: {format_gbp(value)} clawed back to {line.fund.code} {line.year.label} "
                         f"({entry.reference})", data={"clawback": clawback.pk, "amount": str(value)})
    return clawback


# --- Reversals ---------------------------------------------------------------------------------------------------

PAYMENT, CLAWBACK = "grant payment", "clawback"


def _year_ended_refusal(line: FundingLine, what: str) -> str | None:
    """A payment or clawback counts against its funding line's year, which may differ from the year it is dated in
    (a Q4 instalment paid in April): once that year has been through year end its figures are final."""
    if line.year.is_year_ended:
        return (f"This {what} counts against {line.fund.code} {line.year.label}, which has been through year end: its "
                "figures are final. Record the correction in an open year instead: a clawback when the provider "
                "returns money paid twice.")
    return None


def payment_reverse_refusal(payment: Payment) -> str | None:
    """Why ``payment`` cannot be reversed now, or None: the generic refusals (``ledger.reversals``), then what
    relies on it. Pages ask it before offering the Reverse link; ``payment_reverse`` refuses with the same words.
    Reads only."""
    refusal = reversal_refusal(payment, what=PAYMENT)
    if refusal:
        return refusal
    line, grant = payment.funding_line, payment.grant
    refusal = _year_ended_refusal(line, PAYMENT)
    if refusal:
        return refusal
    if grant.status not in (S.OFFER_ACCEPTED, S.ACTIVE):
        return (f"{grant.reference} is {grant.get_status_display().lower()}: what it had not paid was released, so "
                f"reversing this payment would commit {format_gbp(payment.amount.amount)} again to a grant that takes "
                "no more payments. If the money came back, record it as a clawback instead.")
    clawed = line_clawed_back(line)
    left = line_paid(line) - payment.amount.amount
    if clawed > left:
        return (f"{format_gbp(clawed)} has been clawed back from this line; reverse the clawback first. Without this "
                f"payment only {format_gbp(left)} would stand paid from {line.fund.code} {line.year.label} on "
                f"{grant.reference}, less than what was returned.")
    return None


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, by, on: Date | None = None) -> JournalEntry:
    """Reverse a grant payment recorded in error: post its mirror entry dated ``on`` (default today, in an open
    period), which takes the expenditure back and puts the commitment back on the funding line's fund and year.
    The payment stays, marked reversed; its instalment is unpaid again (and can be paid again, correctly), and the
    grant has that much more to pay. Returns the reversing entry.

    Refused, writing nothing, with ``payment_reverse_refusal``'s words (reversed already; in a year that has been
    through year end; the grant is closed or withdrawn; a standing clawback on the line would then exceed what
    stands paid from it), and with ``ledger.reversals.document_reverse``'s (no reason, a date before the payment,
    a closed period)."""
    require_role(by, FINANCE_OFFICERS, doing=f"reverse a {PAYMENT}")
    grant = lock_funds_and_grant(payment.grant)
    lock_instalment(payment.instalment)
    payment = lock(Payment.objects.filter(pk=payment.pk).select_related(
        "funding_line__fund", "funding_line__year", "instalment__year", "entry__year"))[0]
    payment.grant = grant
    refusal = payment_reverse_refusal(payment)
    if refusal:
        raise ValidationError(refusal)
    return document_reverse(payment, what=PAYMENT, reason=reason, by=by, on=on)


def clawback_reverse_refusal(clawback: Clawback) -> str | None:
    """Why ``clawback`` cannot be reversed now, or None (whether its fund can bear the money being spent again is
    the posting's question, asked by ``clawback_reverse``). Reads only."""
    return reversal_refusal(clawback, what=CLAWBACK) or _year_ended_refusal(clawback.funding_line, CLAWBACK)


@transaction.atomic
def clawback_reverse(*, clawback: Clawback, reason: str, by, on: Date | None = None) -> JournalEntry:
    """Reverse a clawback recorded in error: post its mirror entry dated ``on`` (default today, in an open period),
    so the money counts as spent from the fund and year it was paid from again. The clawback stays, marked
    reversed, and what may be clawed back from the line rises by its amount. Returns the reversing entry.

    Refused, writing nothing, with ``clawback_reverse_refusal``'s words; when the fund and year no longer have the
    money available (the message says how much is available and how much more the reversal needs); and with
    ``ledger.reversals.document_reverse``'s (no reason, a date before the clawback, a closed period)."""
    require_role(by, FINANCE_OFFICERS, doing=f"reverse a {CLAWBACK}")
    grant = lock_funds_and_grant(clawback.grant)  # the fund is locked: its available amount cannot move under us
    clawback = lock(Clawback.objects.filter(pk=clawback.pk).select_related(
        "funding_line__fund", "funding_line__year", "entry__year"))[0]
    clawback.grant = grant
    refusal = clawback_reverse_refusal(clawback)
    if refusal:
        raise ValidationError(refusal)
    line, value = clawback.funding_line, clawback.amount.amount
    available = fund_available(fund=line.fund, year=line.year)
    if value > available:
        raise ValidationError(
            f"Reversing this clawback would count {format_gbp(value)} as spent from {line.fund.code} "
            f"{line.year.label} again, and only {format_gbp(available)} is available there: "
            f"{format_gbp(value - available)} more than that. Free that much in {line.fund.code} {line.year.label} "
            "first (for example release a commitment that is no longer needed), or leave the clawback standing."
        )
    return document_reverse(clawback, what=CLAWBACK, reason=reason, by=by, on=on)

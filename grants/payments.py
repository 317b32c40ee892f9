"""Paying grants and taking money back.

``payment_record`` posts, in one entry under the fund's lock, the expenditure (Dr grant expenditure / Cr cash)
and the matching release of commitment (Dr commitments control / Cr commitments), both in the funding line's fund
and financial year, so a Q4 payment made in April counts against the year it belongs to.
``clawback_record`` posts money returned by the recipient (Dr cash / Cr grant expenditure) in the fund and year
it was paid from, which lowers actual spending and frees the money.

Locks: funds -> grant -> instalment (``grants.locks``).
"""

from datetime import date as Date
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
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
from ledger.posting import CREDIT, DEBIT, Leg, entry_post

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

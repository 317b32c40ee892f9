"""Paying grants and taking money back.

``payment_record`` posts, in one entry under the fund's lock, the expenditure (Dr grant expenditure / Cr cash)
and the matching release of commitment (Dr commitments control / Cr commitments), both in the funding line's fund
and financial year, so a Q4 payment made in April counts against the year it belongs to.
``clawback_record`` posts money returned by the recipient (Dr cash / Cr grant expenditure) in the fund and year
it was paid from, which lowers actual spending and frees the money.

Locks: funds -> grant -> instalment (``grants.locks``).
"""

from datetime import date as Date

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
from grants.selectors import grant_remaining, instalment_paid, line_clawed_back, line_paid
from grants.workflow import grant_activate
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post

S = Grant.Status


def _require_payable(grant: Grant) -> None:
    if grant.status in (S.OFFER_ACCEPTED, S.ACTIVE):
        return
    if grant.status == S.APPROVED:
        raise ValidationError(
            f"{grant.reference} is approved but the recipient has not accepted the offer; record the signed "
            "acceptance before any payment."
        )
    raise ValidationError(
        f"{grant.reference} is {grant.get_status_display().lower()}; payments are made only once the offer has been "
        "accepted and until the grant closes."
    )


def _require_return(grant: Grant, instalment: Instalment) -> None:
    if not instalment.requires_return:
        return
    found = MonitoringReturn.objects.filter(grant=grant, year=instalment.year, quarter=instalment.quarter).first()
    if found is not None and found.status == MonitoringReturn.Status.ACCEPTED:
        return
    state = "has not been received" if found is None else f"is {found.get_status_display().lower()}"
    raise ValidationError(
        f"This instalment waits for the Q{instalment.quarter} {instalment.year.label} monitoring return, which "
        f"{state}; accept the return before paying it."
    )


@transaction.atomic
def payment_record(*, instalment: Instalment, amount, paid_on: Date, by, reference: str = "") -> Payment:
    """Record a payment (all or part of an instalment) and post it.

    Refused, writing nothing: before the offer is accepted; before due diligence is complete; before the
    instalment's monitoring return is accepted; above what remains on the grant (the message says how much
    remains) or on the instalment; when the organisation's current bank details are not verified; dated in the
    future or before the offer was accepted. The first payment makes the grant active."""
    require_role(by, FINANCE_OFFICERS, doing="record payments")
    value = parse_amount(amount)
    grant = lock_funds_and_grant(instalment.grant)
    instalment = lock_instalment(instalment)
    _require_payable(grant)
    if not isinstance(paid_on, Date):
        raise ValidationError({"paid_on": "Give the date the payment left the bank, e.g. 30/07/2025."})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": f"{paid_on:%d/%m/%Y} is in the future; record a payment once it is made."})
    if paid_on < grant.offer_accepted_on:
        raise ValidationError(
            {"paid_on": f"The offer was accepted on {grant.offer_accepted_on:%d/%m/%Y}; no payment can be dated before "
                        f"that ({paid_on:%d/%m/%Y})."}
        )
    require_checks_complete(grant)
    _require_return(grant, instalment)
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
                      paid_on=paid_on, reference=(reference or "").strip(), entry=entry, recorded_by=by)
    save_with_history(payment, by=by, reason="Payment recorded", clean=False)  # checked above
    summary = (f"{format_gbp(value)} paid to {grant.organisation.name} for Q{instalment.quarter} "
               f"{instalment.year.label} from {line.fund.code} ({entry.reference})")
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

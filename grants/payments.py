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

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import record_event, save_with_history
from core.locking import lock
from core.models import Event
from core.money import ZERO, format_gbp, gbp, parse_amount, quantize
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from funds.models import Fund
from grants.checks import require_checks_complete
from grants.locks import lock_funds_and_grant, lock_instalment
from grants.models import (
    BankDetails,
    Clawback,
    FundingLine,
    Grant,
    GrantCheck,
    Instalment,
    MonitoringReturn,
    Payment,
)
from grants.organisations import current_bank_details_many, require_verified_bank_details
from grants.quarters import Quarter, quarter_end_phrase, reporting_end
from grants.selectors import (
    STANDING,
    grant_remaining,
    grants_with_totals,
    instalment_paid,
    line_clawed_back,
    line_paid,
)
from grants.workflow import grant_activate
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, EntryDraft, Leg, entries_post, entry_post
from ledger.reversals import document_reverse, reversal_refusal
from ledger.selectors import fund_available

S = Grant.Status


def payment_legs(line: FundingLine, value: Decimal) -> list[Leg]:
    """A grant payment: the expenditure (Dr grant expenditure / Cr cash) and the release of as much commitment, on
    the funding line's fund, year and budget line."""
    return [Leg(acc.GRANT_EXPENDITURE, line.fund, DEBIT, value, line.year, line.budget_line),
            Leg(acc.CASH, line.fund, CREDIT, value, line.year),
            Leg(acc.COMMITMENT_CONTROL, line.fund, DEBIT, value, line.year, line.budget_line),
            Leg(acc.COMMITMENTS, line.fund, CREDIT, value, line.year, line.budget_line)]


def _status_refusal(grant: Grant) -> str | None:
    if grant.status in (S.OFFER_ACCEPTED, S.ACTIVE):
        return None
    if grant.status == S.APPROVED:
        return (f"{grant.reference} is approved but the recipient has not accepted the offer; record the signed "
                "acceptance before any payment.")
    return (f"{grant.reference} is {grant.get_status_display().lower()}; payments are made only once the offer has "
            "been accepted and until the grant closes.")


def returns_received_on(grant_ids) -> dict[tuple[int, int, int], Date]:
    """(grant id, year id, quarter) -> the date of its accepted monitoring return, for many grants in one query."""
    found = MonitoringReturn.objects.filter(grant_id__in=list(grant_ids), status=MonitoringReturn.Status.ACCEPTED)
    return {(g, y, q): on for g, y, q, on in found.values_list("grant_id", "year_id", "quarter", "received_on")}


def return_date_refusal(grant: Grant, instalment: Instalment, on: Date, received_on: Date) -> str | None:
    """A payment that waits for a monitoring return is dated on or after the return (its date is the day it was
    received; the acceptance may be keyed later, as returns often are)."""
    if on >= received_on:
        return None
    return (f"The Q{instalment.quarter} {instalment.year.label} instalment of {grant.reference} waits for that "
            f"quarter's monitoring return, received on {received_on:%d/%m/%Y}; a payment dated {on:%d/%m/%Y} would "
            f"come before it. Date the payment on or after {received_on:%d/%m/%Y}.")


def _return_refusal(grant: Grant, instalment: Instalment, quarter: Quarter, on: Date | None = None) -> str | None:
    if not instalment.requires_return:
        return None
    found = MonitoringReturn.objects.filter(grant=grant, year=instalment.year, quarter=instalment.quarter).first()
    if found is not None and found.status == MonitoringReturn.Status.ACCEPTED:
        return None if on is None else return_date_refusal(grant, instalment, on, found.received_on)
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
    refusal = _return_refusal(grant, instalment, quarter, on)
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
        legs=payment_legs(line, value),
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


@dataclass(frozen=True)
class PaymentDraft:
    """One payment of a payment run: what to pay on an instalment, and the entry's reference."""

    instalment: Instalment
    amount: Decimal
    reference: str
    advance_reason: str = ""
    bank_details: BankDetails | None = None  # the details the run froze at authorisation: still the current ones


def lock_for_payment(instalments) -> tuple[dict[int, Grant], dict[int, Instalment]]:
    """Lock, in the one order (``grants.locks``), the funds the instalments' grants draw on, then the grants, then
    the instalments; return the fresh grants and instalments by id. Four queries, however many."""
    grant_ids = sorted({i.grant_id for i in instalments})
    lock(Fund.objects.filter(pk__in=FundingLine.objects.filter(grant_id__in=grant_ids).values("fund_id")))
    grants = {g.pk: g for g in lock(Grant.objects.filter(pk__in=grant_ids).select_related("organisation"))}
    ids = [i.pk for i in instalments]
    lock(Instalment.objects.filter(pk__in=ids))  # alone: PostgreSQL locks no row of an outer join's nullable side
    rows = Instalment.objects.filter(pk__in=ids).select_related(
        "funding_line__fund", "funding_line__year", "funding_line__budget_line", "year")
    return grants, {i.pk: i for i in rows}


@transaction.atomic
def payments_record(*, drafts: list[PaymentDraft], paid_on: Date, by, today: Date | None = None) -> list[Payment]:
    """Record the grant payments of a payment run, dated ``paid_on``, in one batch: each posted as ``payment_record``
    posts one (expenditure and the release of its commitment, on the funding line's fund, year and budget line),
    through ``ledger.posting.entries_post``, with a number of queries that does not grow with the payments.

    Called only by ``payments.runs.payment_run_pay``, which has checked, under these same locks, that every
    instalment may be paid on that date (``payments.payable``: ``instalment_pay_refusal``'s rule, in bulk). Here, in
    bulk, the rest of ``payment_record``'s refusals, naming the grant: an offer not accepted or a grant closed; a
    date in the future or before the offer was accepted; an amount above what is left on the instalment or on the
    grant (several instalments of one grant share what remains); bank details not verified; a payment before the
    quarter ends on an instalment paid in arrears, or without the reason an advance needs. The first payment makes a
    grant active. Due diligence and monitoring returns are checked again here, in bulk, with
    ``instalment_pay_refusal``'s words, and each payment goes to the bank details the run froze. Nothing is written
    on any refusal."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="pay payment runs")
    if not drafts:
        return []
    grants, instalments = lock_for_payment([d.instalment for d in drafts])
    if paid_on > (today or timezone.localdate()):
        raise ValidationError(f"{paid_on:%d/%m/%Y} is in the future; record payments once they are made.")
    paid = {row["instalment_id"]: quantize(row["total"]) for row in Payment.objects.filter(
        instalment_id__in=list(instalments), reversal__isnull=True).values("instalment_id").annotate(
        total=Sum("amount"))}
    remaining = {row.grant.pk: row.totals.remaining for row in grants_with_totals(list(grants.values()))}
    banks = current_bank_details_many({g.organisation_id for g in grants.values()})
    unchecked = set(GrantCheck.objects.filter(grant_id__in=list(grants), is_complete=False)
                    .values_list("grant_id", flat=True))
    accepted = returns_received_on(grants)
    entry_drafts, rows = [], []
    for draft in drafts:
        instalment = instalments[draft.instalment.pk]
        grant = grants[instalment.grant_id]
        instalment.grant = grant
        value = parse_amount(draft.amount)
        refusal = _batch_refusal(grant, instalment, draft, value, paid_on, paid, remaining, banks)
        if refusal is None and grant.pk in unchecked:
            refusal = _messages(_checks_error(grant))
        if refusal is None and instalment.requires_return:
            returned_on = accepted.get((grant.pk, instalment.year_id, instalment.quarter))
            refusal = (_return_refusal(grant, instalment, instalment_quarter(instalment)) if returned_on is None
                       else return_date_refusal(grant, instalment, paid_on, returned_on))
        if refusal:
            raise ValidationError(f"{draft.reference}: {refusal}")
        paid[instalment.pk] = paid.get(instalment.pk, ZERO) + value
        remaining[grant.pk] -= value
        line = instalment.funding_line
        entry_drafts.append(EntryDraft(
            description=f"Grant payment {grant.reference} Q{instalment.quarter} {instalment.year.label} to "
                        f"{grant.organisation.name}"[:300],
            legs=payment_legs(line, value),
            source=grant, source_reference=(draft.reference or grant.reference)[:120]))
        rows.append((draft, instalment, grant, value))
    entries = entries_post(date=paid_on, drafts=entry_drafts, by=by)
    payments = [
        Payment(grant=grant, funding_line=instalment.funding_line, instalment=instalment,
                bank_details=banks[grant.organisation_id], amount=gbp(value), paid_on=paid_on,
                reference=draft.reference[:60], entry=entry, recorded_by=by,
                advance_reason=draft.advance_reason.strip() if paid_on <= _quarter_end(instalment) else "")
        for (draft, instalment, grant, value), entry in zip(rows, entries, strict=True)
    ]
    bulk_create_with_history(payments, Payment, batch_size=500, default_user=by,
                             default_change_reason="Payment recorded")
    events = [Event(kind="payment.recorded", actor=by, object_type=grant._meta.label_lower, object_id=str(grant.pk),
                    summary=f"{grant.reference}: {format_gbp(value)} paid to {grant.organisation.name} for "
                            f"Q{instalment.quarter} {instalment.year.label} from {instalment.funding_line.fund.code} "
                            f"({entry.reference})"[:300],
                    data={"entry": entry.reference, "amount": str(value)})
              for (_, instalment, grant, value), entry in zip(rows, entries, strict=True)]
    activated = {grant.pk: grant for _, _, grant, _ in rows if grant.status == S.OFFER_ACCEPTED}
    for grant in activated.values():
        grant.status, grant.status_reason = S.ACTIVE, "First payment made"
        events.append(Event(kind="grant.activated", actor=by, object_type=grant._meta.label_lower,
                            object_id=str(grant.pk), summary=f"{grant.reference} active: first payment made"[:300],
                            reason="First payment made", data={"from": S.OFFER_ACCEPTED, "to": S.ACTIVE}))
    if activated:
        bulk_update_with_history(list(activated.values()), Grant, ["status", "status_reason"], batch_size=500,
                                 default_user=by, default_change_reason="First payment made")
    Event.objects.bulk_create(events, batch_size=500)
    return payments


def _quarter_end(instalment: Instalment) -> Date:
    return reporting_end(instalment_quarter(instalment), instalment.grant.end_date)


def _batch_refusal(grant, instalment, draft, value, paid_on, paid, remaining, banks) -> str | None:
    refusal = _status_refusal(grant)
    if refusal:
        return refusal
    if paid_on < grant.offer_accepted_on:
        return (f"the offer was accepted on {grant.offer_accepted_on:%d/%m/%Y}; no payment can be dated before that "
                f"({paid_on:%d/%m/%Y}).")
    if paid_on <= _quarter_end(instalment):
        if not instalment.in_advance:
            return (f"{quarter_end_phrase(instalment_quarter(instalment), grant.end_date)}, and the Q"
                    f"{instalment.quarter} {instalment.year.label} instalment is paid in arrears.")
        if not (draft.advance_reason or "").strip():
            return "a payment before its quarter ends is a payment in advance: record why it is justified."
    left = instalment.amount.amount - paid.get(instalment.pk, ZERO)
    if value > left:
        return (f"the Q{instalment.quarter} {instalment.year.label} instalment has {format_gbp(left)} still to pay; "
                f"{format_gbp(value)} is more than that.")
    if value > remaining[grant.pk]:
        return (f"only {format_gbp(remaining[grant.pk])} remains to be paid on {grant.reference}; {format_gbp(value)} "
                "is more than that.")
    bank = banks.get(grant.organisation_id)
    if bank is None or bank.status != BankDetails.Status.VERIFIED:
        return f"{grant.organisation.name}'s bank details are not verified; no payment can be made to them."
    if draft.bank_details is not None and draft.bank_details.pk != bank.pk:
        return (f"{grant.organisation.name}'s bank details changed after the run was authorised; take them out of "
                "the run and pay them in a later one.")
    return None


def _checks_error(grant: Grant) -> ValidationError:
    """The due-diligence refusal, in ``require_checks_complete``'s words (asked only when a check is open)."""
    try:
        require_checks_complete(grant)
    except ValidationError as error:
        return error
    return ValidationError(f"Due diligence for {grant.reference} is not complete.")


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
    refusal = clawback_date_refusal(line, value, received_on)
    if refusal:
        raise ValidationError({"received_on": refusal})
    entry = entry_post(
        date=received_on, by=by, source=grant, source_reference=grant.reference,
        description=f"Grant clawback {grant.reference} from {grant.organisation.name}"[:300],
        legs=[Leg(acc.CASH, line.fund, DEBIT, value, line.year),
              Leg(acc.GRANT_EXPENDITURE, line.fund, CREDIT, value, line.year, line.budget_line)],
    )
    clawback = Clawback(grant=grant, funding_line=line, amount=gbp(value), received_on=received_on, reason=reason,
                        entry=entry, recorded_by=by)
    save_with_history(clawback, by=by, reason=reason, clean=False)  # checked above
    record_event("clawback.recorded", by=by, obj=grant, reason=reason,
                 summary=f"{grant.reference}: {format_gbp(value)} clawed back to {line.fund.code} {line.year.label} "
                         f"({entry.reference})", data={"clawback": clawback.pk, "amount": str(value)})
    return clawback


def clawback_date_refusal(line: FundingLine, value: Decimal, received_on: Date) -> str | None:
    """A clawback returns money already paid, so it is dated on or after the payments it returns: as at its date
    and at every later date, what stands clawed back from the line is at most what stands paid from it by then.
    The refusal names the payment the clawback would come before, or None."""
    payments = [(p.paid_on, p.amount.amount) for p in Payment.objects.filter(STANDING, funding_line=line)]
    clawbacks = [(c.received_on, c.amount.amount) for c in Clawback.objects.filter(STANDING, funding_line=line)]

    def held(day: Date) -> Decimal:  # paid less clawed back, as at ``day``
        return (sum((a for on, a in payments if on <= day), ZERO) - sum((a for on, a in clawbacks if on <= day), ZERO))

    for day in [received_on] + sorted({on for on, _ in payments + clawbacks if on > received_on}):
        if held(day) >= value:
            continue
        later = sorted((on, a) for on, a in payments if on > day)
        where = f"{line.fund.code} {line.year.label} on {line.grant.reference}"
        if not later:
            return (f"As at {day:%d/%m/%Y} only {format_gbp(max(held(day), ZERO))} paid from {where} is not already "
                    f"returned, and a clawback dated {received_on:%d/%m/%Y} would return {format_gbp(value)}.")
        paid_on, amount = later[0]
        return (f"The clawback is dated {received_on:%d/%m/%Y}, before the payment of {format_gbp(amount)} on "
                f"{paid_on:%d/%m/%Y} it would return: as at {day:%d/%m/%Y} only {format_gbp(max(held(day), ZERO))} "
                f"paid from {where} is not already returned. Date it on or after {paid_on:%d/%m/%Y}.")
    return None


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

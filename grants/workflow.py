"""The grant's life: draft -> submitted -> approved | rejected | returned -> offer accepted -> active -> closed,
withdrawn at any point before close. ``TRANSITIONS`` is the one place that says which moves are allowed; every
status change goes through ``_move``, which refuses anything else.

Money moves here too: approval commits every funding line in the ledger (or fails whole, naming what is
available); close releases unspent commitment; withdrawal releases whatever was committed and not paid.
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.money import format_gbp, gbp
from core.roles import (
    COMMISSIONERS,
    FINANCE_OFFICERS,
    OFFICERS_AND_COMMISSIONERS,
    PROVIDERS,
    require_role,
)
from funds.models import BudgetLine
from grants.awards import _check_lines_within_dates, require_decision, resolve_decision
from grants.locks import lock_funds_and_grant
from grants.models import Decision, FundingLine, Grant, GrantVariation, Payment
from grants.providers import acts_in_portal_for
from grants.schedule import schedule_generate
from grants.selectors import STANDING, grant_totals
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post

S = Grant.Status

#: Every allowed move, and nothing else. Terminal states have no way out.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.OFFER_ACCEPTED, S.WITHDRAWN}),
    S.OFFER_ACCEPTED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.CLOSED, S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
#: Statuses in which the ledger holds a commitment for the grant.
COMMITTED = (S.APPROVED, S.OFFER_ACCEPTED, S.ACTIVE)


def can_move(grant: Grant, to: str) -> bool:
    return to in TRANSITIONS[grant.status]


def check_move(grant: Grant, to: str) -> None:
    if not can_move(grant, to):
        allowed = sorted(Grant.Status(s).label.lower() for s in TRANSITIONS[grant.status])
        then = f"from {grant.get_status_display().lower()} it can only become {' or '.join(allowed)}" if allowed \
            else "that is final"
        raise ValidationError(
            f"{grant.reference} is {grant.get_status_display().lower()}, so it cannot become "
            f"{Grant.Status(to).label.lower()}: {then}."
        )


def _move(grant: Grant, to: str, *, by, reason: str, kind: str, summary: str, data: dict | None = None) -> Grant:
    check_move(grant, to)
    before = grant.status
    grant.status = to
    grant.status_reason = reason
    # Every field was checked by the calling service; the database constraints still guard the row.
    save_with_history(grant, by=by, reason=reason or Grant.Status(to).label, clean=False)
    record_event(kind, by=by, obj=grant, summary=summary, reason=reason,
                 data={"from": before, "to": to, **(data or {})})
    return grant


def _reason(reason: str, *, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _today(on: Date | None) -> Date:
    return on or timezone.localdate()


def _check_years_open(grant: Grant, lines: list[FundingLine]) -> None:
    """Nothing more is committed to a year that has been through its year end."""
    ended = sorted({line.year.label for line in lines if line.year.is_year_ended})
    if ended:
        raise ValidationError(
            f"{grant.reference} draws on {', '.join(ended)}, which has been through year end: its figures are final "
            "and nothing more can be committed to it. Move the funding to an open year."
        )


def _lines(grant: Grant) -> list[FundingLine]:
    return list(grant.funding_lines.select_related("fund", "year").order_by("year__start_year", "fund__code"))


def _no_open_variation(grant: Grant, doing: str) -> None:
    if grant.variations.filter(status=GrantVariation.Status.REQUESTED).exists():
        raise ValidationError(f"{grant.reference} has a variation awaiting approval; decide it before {doing}.")


def require_submittable(grant: Grant) -> list[FundingLine]:
    """What submitting needs besides the move itself (``grants.actions`` asks it too): at least one funding line,
    each in a year the grant runs in, each naming its budget line where the fund has budget lines for that year,
    and each still covered by its fund."""
    from grants.awards import check_fund_can_cover

    lines = _lines(grant)
    if not lines:
        raise ValidationError("Add at least one funding line (fund, year and amount) before submitting.")
    _check_lines_within_dates(grant, lines)
    _check_years_open(grant, lines)
    _check_budget_lines(lines)
    for line in lines:
        check_fund_can_cover(line.fund, line.year, line.amount.amount)
    return lines


def _check_budget_lines(lines: list[FundingLine]) -> None:
    """A funding line on a fund that has budget lines for its year names the one it draws on."""
    for line in lines:
        if line.budget_line_id is not None:
            continue
        headings = list(BudgetLine.objects.filter(fund=line.fund, year=line.year).values_list("heading", flat=True))
        if headings:
            raise ValidationError(
                f"The {line.fund.code} {line.year.label} funding line does not say which budget line it draws on; "
                f"choose one of {', '.join(headings)}."
            )


@transaction.atomic
def grant_submit(*, grant: Grant, by, note: str = "") -> Grant:
    """Send a draft (or returned) grant for approval (see ``require_submittable``)."""
    require_role(by, FINANCE_OFFICERS, doing="submit grants")
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.SUBMITTED)
    lines = require_submittable(grant)
    grant.submitted_by = by
    grant.submitted_at = timezone.now()
    total = sum(line.amount.amount for line in lines)
    return _move(grant, S.SUBMITTED, by=by, reason=(note or "").strip(), kind="grant.submitted",
                 summary=f"{grant.reference} submitted for approval: {format_gbp(total)}")


def _require_other_person(grant: Grant, by) -> None:
    if grant.submitted_by_id == by.pk:
        raise ValidationError(f"You submitted {grant.reference}, so another commissioner must approve or reject it.")
    if grant.created_by_id == by.pk:
        raise ValidationError(f"You drafted {grant.reference}, so another commissioner must approve or reject it.")


@transaction.atomic
def grant_approve(*, grant: Grant, by, decision: Decision | str | None = None, note: str = "",
                  on: Date | None = None) -> Grant:
    """Approve a submitted grant and commit every funding line in the ledger, in one entry, under the funds'
    locks: all lines are committed or none is (the refusal names the amount available).

    Only a commissioner approves, never the person who submitted (or drafted) the grant. A grant drawing more on
    a fund than the fund's approval threshold needs a recorded ``decision`` (a Decision, or its number as text).
    ``on`` is the approval date (default today), which dates the commitment. The instalment schedule is made at
    the same time (quarterly in arrears)."""
    require_role(by, COMMISSIONERS, doing="approve grants")
    decision = resolve_decision(decision)
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.APPROVED)
    _require_other_person(grant, by)
    on = _today(on)
    lines = _lines(grant)
    if not lines:
        raise ValidationError(f"{grant.reference} has no funding lines, so there is nothing to approve.")
    _check_lines_within_dates(grant, lines)
    _check_years_open(grant, lines)
    by_fund = {}
    for line in lines:
        by_fund[line.fund] = by_fund.get(line.fund, 0) + line.amount.amount
    require_decision(by_fund, decision, on=on, what=grant.reference)
    legs = []
    for line in lines:
        legs += [Leg(acc.COMMITMENTS, line.fund, DEBIT, line.amount.amount, line.year, line.budget_line),
                 Leg(acc.COMMITMENT_CONTROL, line.fund, CREDIT, line.amount.amount, line.year, line.budget_line)]
    entry = entry_post(date=on, description=f"Grant commitment {grant.reference}: {grant.title}"[:300], legs=legs,
                       by=by, source=grant, source_reference=grant.reference)
    for line in lines:
        if line.original_amount != line.amount:
            line.original_amount = gbp(line.amount.amount)
            save_with_history(line, by=by, reason="Award approved")
    grant.approved_by = by
    grant.approved_on = on
    grant.decided_by = by
    grant.decided_at = timezone.now()
    grant.decision = decision
    grant.commitment_entry = entry
    total = sum(line.amount.amount for line in lines)
    _move(grant, S.APPROVED, by=by, reason=(note or "").strip() or "Approved", kind="grant.approved",
          summary=f"{grant.reference} approved and {format_gbp(total)} committed ({entry.reference})"
                  + (f", decision {decision.number}" if decision else ""),
          data={"entry": entry.reference, "decision": decision.number if decision else ""})
    schedule_generate(grant=grant, lines=lines, by=by)
    return grant


@transaction.atomic
def grant_reject(*, grant: Grant, by, reason: str) -> Grant:
    """Refuse a submitted grant for good (a commissioner other than its submitter; the reason is required)."""
    require_role(by, COMMISSIONERS, doing="reject grants")
    reason = _reason(reason, message="Give the reason for rejecting the grant; the provider and the file need it.")
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.REJECTED)
    _require_other_person(grant, by)
    grant.decided_by = by
    grant.decided_at = timezone.now()
    return _move(grant, S.REJECTED, by=by, reason=reason, kind="grant.rejected", summary=f"{grant.reference} rejected")


@transaction.atomic
def grant_return(*, grant: Grant, by, reason: str) -> Grant:
    """Send a submitted grant back for changes (a commissioner other than its submitter; say what to change)."""
    require_role(by, COMMISSIONERS, doing="return grants for changes")
    reason = _reason(reason, message="Say what needs to change before the grant can be approved.")
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.RETURNED)
    _require_other_person(grant, by)
    grant.decided_by = by
    grant.decided_at = timezone.now()
    return _move(grant, S.RETURNED, by=by, reason=reason, kind="grant.returned",
                 summary=f"{grant.reference} returned for changes")


@transaction.atomic
def grant_offer_accept(*, grant: Grant, by, accepted_on: Date | None = None, note: str = "") -> Grant:
    """Record that the recipient accepted the offer (signed grant agreement) on ``accepted_on``: entered by a finance
    officer, or accepted in the portal by a provider user of the grant's organisation (today, the only date they
    may give). Who recorded it and when are kept on the grant."""
    require_role(by, FINANCE_OFFICERS + PROVIDERS, doing="record acceptance of grant offers")
    grant = lock_funds_and_grant(grant)
    portal = acts_in_portal_for(by, grant.organisation_id, refusal="Only the people of the organisation a grant is "
                                                                   "offered to may accept its offer.")
    if portal:
        today = timezone.localdate()
        if accepted_on is not None and accepted_on != today:
            raise ValidationError({"accepted_on": f"An offer accepted in the portal is accepted today "
                                                  f"({today:%d/%m/%Y}), not on {accepted_on:%d/%m/%Y}."})
        accepted_on = today
    check_move(grant, S.OFFER_ACCEPTED)
    if not isinstance(accepted_on, Date):
        raise ValidationError({"accepted_on": "Give the date the recipient accepted the offer."})
    if accepted_on < grant.approved_on:
        raise ValidationError(
            {"accepted_on": f"The offer was made on {grant.approved_on:%d/%m/%Y}; it cannot have been accepted "
                            f"earlier ({accepted_on:%d/%m/%Y})."}
        )
    if accepted_on > timezone.localdate():
        raise ValidationError(
            {"accepted_on": f"{accepted_on:%d/%m/%Y} is in the future; record acceptance once signed."}
        )
    grant.offer_accepted_on = accepted_on
    grant.offer_accepted_by, grant.offer_accepted_at = by, timezone.now()
    who = f" by {by.get_full_name() or by.get_username()} for {grant.organisation.name}" if portal else ""
    reason = (note or "").strip() or (f"Offer accepted in the portal{who}" if portal
                                      else "Offer accepted by the recipient")
    return _move(grant, S.OFFER_ACCEPTED, by=by, reason=reason, kind="grant.offer_accepted",
                 summary=f"{grant.reference} offer accepted on {accepted_on:%d/%m/%Y}{who}",
                 data={"through_portal": portal})


def require_dated_after_approval(grant: Grant, on: Date, *, what: str, field: str = "on") -> None:
    """What changes an approved grant's commitment (a variation, a release on close or withdrawal) is dated on or
    after the approval it changes."""
    if grant.approved_on is not None and on < grant.approved_on:
        raise ValidationError({field: f"{grant.reference} was approved on {grant.approved_on:%d/%m/%Y}; {what} cannot "
                                      f"be dated before that ({on:%d/%m/%Y}). Date it on or after "
                                      f"{grant.approved_on:%d/%m/%Y}."})


def _release_outstanding(grant: Grant, *, by, on: Date, why: str):
    """Release every line's unpaid commitment (Dr commitments control / Cr commitments), in one entry, dated on or
    after the approval and the last payment (what is unpaid is known only once the payments are made)."""
    require_dated_after_approval(grant, on, what=f"the release of its commitment ({why})")
    last = (Payment.objects.filter(STANDING, grant=grant).order_by("-paid_on")
            .values_list("paid_on", flat=True).first())
    if last is not None and on < last:
        raise ValidationError({"on": f"{grant.reference} was last paid on {last:%d/%m/%Y}; what it leaves unpaid is "
                                     f"released on or after that, not on {on:%d/%m/%Y}. Date it on or after "
                                     f"{last:%d/%m/%Y}."})
    totals = grant_totals(grant)
    legs = []
    released = []
    for row in totals.lines:
        if row.outstanding_commitment > 0:
            legs += [Leg(acc.COMMITMENT_CONTROL, row.line.fund, DEBIT, row.outstanding_commitment, row.line.year,
                         row.line.budget_line),
                     Leg(acc.COMMITMENTS, row.line.fund, CREDIT, row.outstanding_commitment, row.line.year,
                         row.line.budget_line)]
            released.append((row.line, row.outstanding_commitment))
    if not legs:
        return None, 0
    entry = entry_post(date=on, description=f"Commitment released, {why}: {grant.reference}"[:300], legs=legs, by=by,
                       source=grant, source_reference=grant.reference)
    for line, amount in released:
        line.released = gbp(line.released.amount + amount)
        save_with_history(line, by=by, reason=f"Unspent commitment released ({why})", clean=False)
    return entry, sum(amount for _, amount in released)


@transaction.atomic
def grant_close(*, grant: Grant, by, reason: str = "Grant completed", on: Date | None = None) -> Grant:
    """Close an active grant: whatever is committed and not paid goes back to its fund and year."""
    require_role(by, FINANCE_OFFICERS, doing="close grants")
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.CLOSED)
    _no_open_variation(grant, "closing it")
    on = _today(on)
    entry, released = _release_outstanding(grant, by=by, on=on, why="grant closed")
    grant.closed_on = on
    summary = f"{grant.reference} closed"
    if entry:
        summary += f"; {format_gbp(released)} unspent released ({entry.reference})"
    return _move(grant, S.CLOSED, by=by, reason=(reason or "").strip() or "Grant completed", kind="grant.closed",
                 summary=summary, data={"released": str(released)})


@transaction.atomic
def grant_withdraw(*, grant: Grant, by, reason: str, on: Date | None = None) -> Grant:
    """Withdraw a grant at any point before close (a finance officer or a commissioner, with a reason). If it had
    been approved, everything committed and not yet paid is released."""
    require_role(by, OFFICERS_AND_COMMISSIONERS, doing="withdraw grants")
    reason = _reason(reason, message="Say why the grant is being withdrawn.")
    grant = lock_funds_and_grant(grant)
    check_move(grant, S.WITHDRAWN)
    _no_open_variation(grant, "withdrawing it")
    on = _today(on)
    entry, released = (None, 0)
    if grant.status in COMMITTED:
        entry, released = _release_outstanding(grant, by=by, on=on, why="grant withdrawn")
    grant.closed_on = on
    summary = f"{grant.reference} withdrawn"
    if entry:
        summary += f"; {format_gbp(released)} committed released ({entry.reference})"
    return _move(grant, S.WITHDRAWN, by=by, reason=reason, kind="grant.withdrawn", summary=summary,
                 data={"released": str(released)})


def grant_activate(grant: Grant, *, by, payment_summary: str) -> Grant:
    """The first payment makes an accepted grant active (called by ``payment_record`` under its locks)."""
    return _move(grant, S.ACTIVE, by=by, reason="First payment made", kind="grant.activated",
                 summary=f"{grant.reference} active: {payment_summary}")

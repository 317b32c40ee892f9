"""The payment schedule: instalments generated from the funding lines, quarterly in arrears by default, and
edited by finance officers. Whatever happens, a funding line's instalments add up to its amount."""

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp, parse_amount, quantize
from core.roles import FINANCE_OFFICERS, require_role
from funds.budgets import even_phasing
from grants.models import FundingLine, Grant, Instalment, Payment
from grants.quarters import Quarter, quarters_within, require_set_up

#: An instalment may fall due up to this long after the grant ends (it pays in arrears for the last quarter).
ARREARS_ALLOWANCE = timedelta(days=92)
SCHEDULED = (Grant.Status.APPROVED, Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)


def _plan(grant: Grant, line: FundingLine, amount: Decimal, skip_quarters=()) -> list[Instalment]:
    quarters = [
        q for q in quarters_within(line.year, grant.start_date, grant.end_date) if q.number not in skip_quarters
    ]
    if not quarters or amount <= 0:
        return []
    parts = even_phasing(amount, len(quarters))
    plan = []
    for quarter, part in zip(quarters, parts, strict=True):
        start, end = max(quarter.start, grant.start_date), min(quarter.end, grant.end_date)
        plan.append(Instalment(
            grant=grant, funding_line=line, year=line.year, quarter=quarter.number, period_start=start,
            period_end=end, due_date=end + timedelta(days=grant.payment_terms_days), amount=gbp(part),
            requires_return=grant.returns_required,
        ))
    return plan


def schedule_preview(*, grant: Grant, lines: list[FundingLine]) -> list[Instalment]:
    """The instalments ``schedule_generate`` would make for ``lines`` on approval, with the grant's dates and
    terms as they stand, unsaved (the grant and its lines need not be saved either): for pages that show the
    schedule before it exists."""
    return [inst for line in lines for inst in _plan(grant, line, line.amount.amount)]


def schedule_generate(*, grant: Grant, lines: list[FundingLine], by) -> list[Instalment]:
    """Make the instalments of each funding line: one per quarter of its year that the grant runs in, due
    ``grant.payment_terms_days`` after the quarter (or the grant) ends. Called on approval."""
    made = []
    for line in lines:
        for inst in _plan(grant, line, line.amount.amount):
            save_with_history(inst, by=by, reason="Schedule generated on approval", clean=False)
            made.append(inst)
    record_event("grant.schedule_generated", by=by, obj=grant,
                 summary=f"{grant.reference}: {len(made)} instalments scheduled, quarterly in arrears")
    return made


def _paid_by_instalment(line: FundingLine) -> dict[int, Decimal]:
    """What stands paid on each instalment of the line (reversed payments left out)."""
    rows = (Payment.objects.filter(funding_line=line, reversal__isnull=True).values("instalment_id")
            .annotate(s=Sum("amount")))
    return {r["instalment_id"]: quantize(r["s"]) for r in rows}


def schedule_rebalance(*, grant: Grant, line: FundingLine, by, reason: str) -> None:
    """After a variation: keep every instalment with a payment against it, replace the unpaid ones, and spread
    what is left of the line over the quarters (within the grant's dates) that no kept instalment covers."""
    paid = _paid_by_instalment(line)
    # An instalment with a payment against it stays, even when that payment was reversed (the payment, kept and
    # marked reversed, still points at it); only what stands paid on it limits how far it can be trimmed.
    with_payments = set(Payment.objects.filter(funding_line=line).values_list("instalment_id", flat=True))
    kept, dropped = [], []
    for inst in lock(Instalment.objects.filter(funding_line=line)):
        (kept if inst.pk in with_payments else dropped).append(inst)
    for inst in dropped:
        inst._history_user, inst._change_reason = by, reason[:100]
        inst.delete()
    target = line.amount.amount
    kept_total = sum((i.amount.amount for i in kept), ZERO)
    # Over-scheduled: trim kept instalments down towards what was paid on them, latest first.
    for inst in sorted(kept, key=lambda i: i.due_date, reverse=True):
        if kept_total <= target:
            break
        cut = min(kept_total - target, inst.amount.amount - paid.get(inst.pk, ZERO))
        if cut > 0:
            inst.amount = gbp(inst.amount.amount - cut)
            save_with_history(inst, by=by, reason=reason, clean=False)
            kept_total -= cut
    rest = target - kept_total
    if rest > 0:
        plan = _plan(grant, line, rest, skip_quarters={i.quarter for i in kept})
        if plan:
            for inst in plan:
                save_with_history(inst, by=by, reason=reason, clean=False)
        elif kept:
            last = max(kept, key=lambda i: i.due_date)
            last.amount = gbp(last.amount.amount + rest)
            save_with_history(last, by=by, reason=reason, clean=False)


@dataclass(frozen=True)
class InstalmentChange:
    """One edit to an instalment; fields left as ``None`` stay as they are."""

    instalment: Instalment
    amount: object = None
    due_date: Date | None = None
    requires_return: bool | None = None
    in_advance: bool | None = None


@transaction.atomic
def schedule_update(*, funding_line: FundingLine, changes: list[InstalmentChange], by, reason: str) -> list[Instalment]:
    """Edit a funding line's instalments together (amounts, due dates, whether a return is needed, whether it is
    paid in advance). The edited schedule must still add up to the funding line's amount, no instalment may drop
    below what has been paid on it, and due dates must fall between the grant's start and three months after its
    end. Instalments are paid in arrears unless marked here as paid in advance (GovS 015 allows it where
    justified; each such payment records why); an instalment paid in advance cannot also wait for its own
    quarter's return, which only exists once the quarter has ended."""
    from grants.locks import lock_funds_and_grant

    require_role(by, FINANCE_OFFICERS, doing="change payment schedules")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the schedule is changing (e.g. the provider's cash-flow request)."})
    grant = lock_funds_and_grant(funding_line.grant)
    if grant.status not in SCHEDULED:
        raise ValidationError(
            f"{grant.reference} is {grant.get_status_display().lower()}; its schedule can no longer change."
        )
    line = FundingLine.objects.select_related("fund", "year").get(pk=funding_line.pk)
    instalments = {i.pk: i for i in lock(Instalment.objects.filter(funding_line=line))}
    paid = _paid_by_instalment(line)
    latest_due = grant.end_date + ARREARS_ALLOWANCE
    changed = set()
    for change in changes:
        inst = instalments.get(change.instalment.pk)
        if inst is None:
            raise ValidationError(
                {"instalment": f"Instalment {change.instalment.pk} is not part of {line}'s schedule."}
            )
        if change.amount is not None:
            value = parse_amount(change.amount, allow_zero=True)
            already = paid.get(inst.pk, ZERO)
            if value < already:
                raise ValidationError(
                    {"amount": f"{format_gbp(already)} has already been paid on the Q{inst.quarter} {inst.year.label} "
                               f"instalment, so it cannot be less than that ({format_gbp(value)} was given)."}
                )
            inst.amount = gbp(value)
        if change.due_date is not None:
            if not grant.start_date <= change.due_date <= latest_due:
                raise ValidationError(
                    {"due_date": f"{change.due_date:%d/%m/%Y} is outside the grant: an instalment falls due between "
                                 f"its start ({grant.start_date:%d/%m/%Y}) and {latest_due:%d/%m/%Y}, three months "
                                 "after it ends."}
                )
            require_set_up(change.due_date, field="due_date")
            inst.due_date = change.due_date
        if change.requires_return is not None:
            inst.requires_return = bool(change.requires_return)
        if change.in_advance is not None:
            inst.in_advance = bool(change.in_advance)
        if inst.in_advance and inst.requires_return:
            quarter = Quarter(inst.year.start_year, inst.quarter)
            raise ValidationError(
                {"in_advance": f"The {quarter.long_label} instalment cannot be paid in advance and also wait for its "
                               "own quarter's monitoring return, which can be recorded only once the quarter has "
                               "ended; pay it in advance without that return, or in arrears."}
            )
        changed.add(inst.pk)
    total = sum((i.amount.amount for i in instalments.values()), ZERO)
    if total != line.amount.amount:
        diff = line.amount.amount - total
        raise ValidationError(
            {"amount": f"The instalments would add up to {format_gbp(total)}, not the funding line's "
                       f"{format_gbp(line.amount.amount)}; {'add' if diff > 0 else 'take off'} {format_gbp(abs(diff))} "
                       "elsewhere so they balance."}
        )
    for pk in sorted(changed):
        save_with_history(instalments[pk], by=by, reason=reason)
    record_event("grant.schedule_changed", by=by, obj=grant,
                 summary=f"{grant.reference}: schedule for {line} changed ({len(changed)} instalment(s))",
                 reason=reason)
    return sorted(instalments.values(), key=lambda i: (i.due_date, i.pk))

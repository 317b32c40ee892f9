"""Budgets: lines per fund, year and heading, phased by month or quarter; virements and forecasts.

Budgets are revised, never overwritten: the original amount of a line is fixed once set, virements move budget
between lines (approval by someone else above the fund's threshold), forecasts are added, never replaced.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp, parse_amount, quantize
from core.roles import (
    COMMISSIONERS_AND_DIRECTORS,
    FINANCE_OFFICERS,
    require_role,
)
from funds.models import BudgetLine, BudgetPhase, FinancialYear, Forecast, Fund, Virement


def _require_officer(user, action: str):
    require_role(user, FINANCE_OFFICERS, doing=action)


def even_phasing(amount: Decimal, slots: int) -> list[Decimal]:
    """Spread an amount over slots in whole pence; the last slot takes the remainder so the parts add up."""
    part = quantize(amount / slots)
    parts = [part] * (slots - 1)
    parts.append(quantize(amount - part * (slots - 1)))
    return parts


@transaction.atomic
def budget_line_create(
    *,
    fund: Fund,
    year: FinancialYear,
    heading: str,
    amount,
    by,
    phasing: str = BudgetLine.Phasing.QUARTERLY,
    phases: list | None = None,
) -> BudgetLine:
    _require_officer(by, "set budgets")
    value = parse_amount(amount, allow_zero=True)
    heading = (heading or "").strip()
    if not heading:
        raise ValidationError({"heading": "Give the budget line a heading, e.g. 'ISVA services'."})
    if BudgetLine.objects.filter(fund=fund, year=year, heading__iexact=heading).exists():
        raise ValidationError({"heading": f"{fund.code} already has a '{heading}' budget line for {year.label}."})
    slots = 12 if phasing == BudgetLine.Phasing.MONTHLY else 4
    if phases is None:
        parts = even_phasing(value, slots)
    else:
        if len(phases) != slots:
            raise ValidationError({"phases": f"Give {slots} phased amounts for {phasing} phasing, not {len(phases)}."})
        parts = [parse_amount(p, field="phases", allow_zero=True) for p in phases]
        if sum(parts) != value:
            raise ValidationError(
                {
                    "phases": f"The phased amounts add up to {format_gbp(sum(parts))}, "
                    f"not the line's {format_gbp(value)}."
                }
            )
    line = BudgetLine(fund=fund, year=year, heading=heading, original=gbp(value), phasing=phasing)
    save_with_history(line, by=by, reason="Budget set")
    for slot, part in enumerate(parts, start=1):
        save_with_history(
            BudgetPhase(line=line, slot=slot, amount=gbp(part)), by=by, reason="Budget phasing", clean=False
        )
    record_event("budget.created", by=by, obj=line, summary=f"Budget {line} set at {format_gbp(value)}")
    return line


def revised_budget(line: BudgetLine) -> Decimal:
    moves = Virement.objects.filter(status=Virement.Status.APPROVED).filter(Q(from_line=line) | Q(to_line=line))
    into = moves.filter(to_line=line).aggregate(s=Sum("amount"))["s"] or ZERO
    out = moves.filter(from_line=line).aggregate(s=Sum("amount"))["s"] or ZERO
    return quantize(line.original.amount + quantize(into) - quantize(out))


def _apply_check(from_line: BudgetLine, amount: Decimal):
    headroom = revised_budget(from_line)
    if amount > headroom:
        raise ValidationError(
            {
                "amount": f"'{from_line.heading}' has {format_gbp(headroom)} of revised budget; "
                f"a virement of {format_gbp(amount)} would take it below zero."
            }
        )


@transaction.atomic
def virement_request(*, from_line: BudgetLine, to_line: BudgetLine, amount, reason: str, by) -> Virement:
    """Request a virement. At or below the fund's threshold it is approved at once; above it, it waits for a
    commissioner or finance director other than the requester."""
    _require_officer(by, "request virements")
    value = parse_amount(amount)
    if from_line.pk == to_line.pk:
        raise ValidationError({"to_line": "A virement moves budget between two different lines."})
    if from_line.fund_id != to_line.fund_id or from_line.year_id != to_line.year_id:
        raise ValidationError(
            {"to_line": "A virement moves budget within one fund and year; money between funds is a transfer."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the budget is being moved."})
    lock(BudgetLine.objects.filter(pk__in=[from_line.pk, to_line.pk]))
    _apply_check(from_line, value)
    virement = Virement(from_line=from_line, to_line=to_line, amount=gbp(value), reason=reason, requested_by=by)
    threshold = from_line.fund.virement_threshold.amount
    if value <= threshold:
        virement.status = Virement.Status.APPROVED
        virement.decided_by = by
        virement.decided_at = timezone.now()
        virement.decision_note = f"Within the {format_gbp(threshold)} threshold: approved on request."
    save_with_history(virement, by=by, reason=reason)
    record_event(
        "virement.requested",
        by=by,
        obj=virement,
        summary=str(virement),
        reason=reason,
        data={"status": virement.status},
    )
    return virement


@transaction.atomic
def virement_decide(*, virement: Virement, approve: bool, by, note: str = "") -> Virement:
    require_role(by, COMMISSIONERS_AND_DIRECTORS, doing="decide virements")
    virement = Virement.objects.select_for_update().select_related("from_line__fund").get(pk=virement.pk)
    if virement.status != Virement.Status.REQUESTED:
        raise ValidationError(f"This virement is already {virement.get_status_display().lower()}.")
    if virement.requested_by_id == by.pk:
        raise ValidationError("You requested this virement, so someone else must approve or reject it.")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "Give the reason for rejecting the virement."})
    if approve:
        lock(BudgetLine.objects.filter(pk__in=[virement.from_line_id, virement.to_line_id]))
        _apply_check(virement.from_line, virement.amount.amount)
    virement.status = Virement.Status.APPROVED if approve else Virement.Status.REJECTED
    virement.decided_by = by
    virement.decided_at = timezone.now()
    virement.decision_note = note
    save_with_history(virement, by=by, reason=note or "Approved")
    record_event(f"virement.{virement.status}", by=by, obj=virement, summary=str(virement), reason=note)
    return virement


@transaction.atomic
def forecast_record(*, line: BudgetLine, amount, by, note: str = "", made_on=None) -> Forecast:
    _require_officer(by, "record forecasts")
    value = parse_amount(amount, allow_zero=True)
    forecast = Forecast(line=line, amount=gbp(value), made_on=made_on or timezone.localdate(), made_by=by, note=note)
    save_with_history(forecast, by=by, reason=note or "Forecast outturn")
    record_event("forecast.recorded", by=by, obj=line, summary=f"Forecast for {line}: {format_gbp(value)}")
    return forecast

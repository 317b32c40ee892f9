"""Budgets: lines per fund, year and heading, phased by month or quarter; virements and forecasts.

Budgets are revised, never overwritten: the original amount of a line is fixed once set, virements move budget
between lines (approval by someone else once the total moved out of a line in the year passes the fund's
threshold), forecasts are added, never replaced.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp, parse_amount, quantize
from core.refusals import Refusals
from core.roles import (
    COMMISSIONERS_AND_DIRECTORS,
    FINANCE_OFFICERS,
    require_role,
)
from funds.models import BudgetLine, BudgetPhase, FinancialYear, Forecast, Fund, Period, Virement


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
    refusals = Refusals()  # every field at fault is reported at once
    if not fund.is_active:
        refusals.add("fund", f"{fund.code} is no longer active, so it takes no new budget lines. Set the budget on "
                             "an active fund.")
    value = refusals.check("amount", parse_amount, amount, allow_zero=True)
    heading = (heading or "").strip()
    if not heading:
        refusals.add("heading", "Give the budget line a heading, e.g. 'ISVA services'.")
    elif BudgetLine.objects.filter(fund=fund, year=year, heading__iexact=heading).exists():
        refusals.add("heading", f"{fund.code} already has a '{heading}' budget line for {year.label}.")
    slots = 12 if phasing == BudgetLine.Phasing.MONTHLY else 4
    if phases is None:
        parts = even_phasing(value, slots) if value is not None else []
    elif len(phases) != slots:
        refusals.add("phases", f"Give {slots} phased amounts for {phasing} phasing, not {len(phases)}.")
    else:
        parts = [refusals.check("phases", parse_amount, p, field="phases", allow_zero=True) for p in phases]
        if value is not None and None not in parts and sum(parts) != value:
            refusals.add("phases", f"The phased amounts add up to {format_gbp(sum(parts))}, not the line's "
                                   f"{format_gbp(value)}.")
    refusals.raise_any()
    line = BudgetLine(fund=fund, year=year, heading=heading, original=gbp(value), phasing=phasing)
    save_with_history(line, by=by, reason="Budget set")
    for slot, part in enumerate(parts, start=1):
        save_with_history(
            BudgetPhase(line=line, slot=slot, amount=gbp(part)), by=by, reason="Budget phasing", clean=False
        )
    record_event("budget.created", by=by, obj=line, summary=f"Budget {line} set at {format_gbp(value)}")
    return line


def default_budget_line(*, fund, year) -> BudgetLine | None:
    """The budget line a draw on ``fund`` in ``year`` counts against when none is named: the fund's only line for
    that year, or None when it has none or several (then one must be chosen)."""
    lines = list(BudgetLine.objects.filter(fund=fund, year=year)[:2])
    return lines[0] if len(lines) == 1 else None


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


# ---- Virements ----------------------------------------------------------------------------------------------
#
# Whether a virement needs approval is decided by the total moved out of its budget line in the financial year
# (a line belongs to one year): virements approved or awaiting approval, this request included, against the
# fund's threshold. Splitting a move into pieces under the threshold therefore changes nothing.

_COUNTED = (Virement.Status.APPROVED, Virement.Status.REQUESTED)

VIREMENT_RULE = (
    "Approved on request while the total moved out of the line this financial year, this virement included, is "
    "within the fund's threshold; above it, a commissioner or finance director other than you must approve it."
)


@dataclass(frozen=True)
class VirementAllowance:
    """How much has been moved out of a budget line this financial year, against its fund's threshold."""

    line: BudgetLine
    threshold: Decimal
    moved_out: Decimal  # approved and awaiting approval

    @property
    def left_before_approval(self) -> Decimal:
        """What can still be moved out of the line without a commissioner's or finance director's approval."""
        return max(self.threshold - self.moved_out, ZERO)

    def needs_approval(self, amount: Decimal) -> bool:
        return self.moved_out + amount > self.threshold

    def help_text(self) -> str:
        """The rule in one sentence, with this line's figures (shown on the virement form)."""
        line = self.line
        return (
            f"{line.fund.code}'s threshold is {format_gbp(self.threshold)} in total moved out of a line in a year. "
            f"{format_gbp(self.moved_out)} has already been moved out of '{line.heading}' in {line.year.label} "
            f"(approved or awaiting approval), so a virement of up to {format_gbp(self.left_before_approval)} from "
            "it is approved on request; more waits for a commissioner or finance director."
        )

    def decision_note(self, amount: Decimal) -> str:
        """Why a virement of ``amount`` out of the line is approved on request or waits: the running total."""
        running = self.moved_out + amount
        total = (
            f"{format_gbp(running)} moved out of '{self.line.heading}' in {self.line.year.label}, this virement "
            f"of {format_gbp(amount)} included"
        )
        if not self.needs_approval(amount):
            return f"Approved on request: {total}, is within the fund's {format_gbp(self.threshold)} threshold."
        return (
            f"Waits for a commissioner or finance director: {total}, is above the fund's "
            f"{format_gbp(self.threshold)} threshold."
        )


def virement_allowances(*, lines) -> dict[int, VirementAllowance]:
    """The allowance of each budget line (with its fund and year loaded), by line id: one query for all of them."""
    lines = list(lines)
    totals = dict(
        Virement.objects.filter(from_line__in=[line.pk for line in lines], status__in=_COUNTED)
        .order_by()
        .values("from_line")
        .annotate(total=Sum("amount"))
        .values_list("from_line", "total")
    )
    return {
        line.pk: VirementAllowance(
            line=line,
            threshold=quantize(line.fund.virement_threshold.amount),
            moved_out=quantize(totals.get(line.pk) or ZERO),
        )
        for line in lines
    }


def virement_allowance(*, line: BudgetLine) -> VirementAllowance:
    return virement_allowances(lines=[line])[line.pk]


@transaction.atomic
def virement_request(*, from_line: BudgetLine, to_line: BudgetLine, amount, reason: str, by) -> Virement:
    """Request a virement. While the total moved out of ``from_line`` this year, this request included, is within
    the fund's threshold it is approved at once; above it, it waits for a commissioner or finance director other
    than the requester. The decision note states the running total."""
    _require_officer(by, "request virements")
    refusals = Refusals()  # every field at fault is reported at once
    value = refusals.check("amount", parse_amount, amount)
    if from_line.pk == to_line.pk:
        refusals.add("to_line", "A virement moves budget between two different lines.")
    elif from_line.fund_id != to_line.fund_id or from_line.year_id != to_line.year_id:
        refusals.add("to_line", "A virement moves budget within one fund and year; money between funds is a "
                                "transfer.")
    reason = (reason or "").strip()
    if not reason:
        refusals.add("reason", "Say why the budget is being moved.")
    if not Period.objects.filter(year_id=from_line.year_id, is_closed=False).exists():
        refusals.add("from_line", f"Every month of {from_line.year.label} is closed, so its budget can no longer be "
                                  "moved; a finance director would first reopen its last month.")
    lock(BudgetLine.objects.filter(pk__in=[from_line.pk, to_line.pk]))
    if value is not None:
        refusals.check("amount", _apply_check, from_line, value)
    refusals.raise_any()
    from_line = BudgetLine.objects.select_related("fund", "year").get(pk=from_line.pk)
    allowance = virement_allowance(line=from_line)  # read under the line's lock: two requests cannot both fit
    virement = Virement(from_line=from_line, to_line=to_line, amount=gbp(value), reason=reason, requested_by=by)
    virement.decision_note = allowance.decision_note(value)
    if not allowance.needs_approval(value):
        virement.status = Virement.Status.APPROVED
        virement.decided_by = by
        virement.decided_at = timezone.now()
    save_with_history(virement, by=by, reason=reason)
    record_event(
        "virement.requested",
        by=by,
        obj=virement,
        summary=str(virement),
        reason=reason,
        data={
            "status": virement.status,
            "moved_out_before": str(allowance.moved_out),
            "threshold": str(allowance.threshold),
        },
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

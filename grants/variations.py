"""Variations: changing an approved grant's amounts (per funding line), dates or conditions.

A variation is requested by a finance officer and approved like the grant itself: by a commissioner other than
the requester, citing a decision when what the grant draws on a fund ends above that fund's threshold. On
approval the ledger follows (extra commitment posted, or commitment released) in one entry under the funds'
locks; the funding line keeps its original award beside the varied amount; the unpaid schedule is remade.
"""

from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp, parse_amount
from core.roles import COMMISSIONERS, FINANCE_OFFICERS, require_role
from funds.budgets import default_budget_line
from funds.models import FinancialYear, Fund
from grants.awards import check_fund_can_cover, require_decision, resolve_decision
from grants.locks import lock_funds_and_grant
from grants.models import Decision, FundingLine, Grant, GrantVariation, Payment, VariationLine
from grants.quarters import require_set_up, year_overlaps
from grants.schedule import schedule_rebalance
from grants.selectors import line_paid
from grants.workflow import require_dated_after_approval
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post

VARIABLE = (Grant.Status.APPROVED, Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)


def _snapshot(grant: Grant, lines) -> dict:
    return {
        "start_date": grant.start_date.isoformat(), "end_date": grant.end_date.isoformat(),
        "conditions": grant.conditions,
        "lines": {f"{line.fund.code} {line.year.label}": f"{line.amount.amount:.2f}" for line in lines},
    }


def _check_dates_and_lines(grant: Grant, start: Date, end: Date, after: dict[tuple[int, int], tuple]) -> None:
    """``after`` maps (fund id, year id) -> (fund, year, amount after, line or None)."""
    if end < start:
        raise ValidationError(
            {"end_date": f"The grant would end ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})."}
        )
    require_set_up(start, field="start_date")
    require_set_up(end, field="end_date")
    for fund, year, amount, line in after.values():
        if amount > 0 and not year_overlaps(year, start, end):
            raise ValidationError(
                {"end_date": f"The grant would run {start:%d/%m/%Y} to {end:%d/%m/%Y}, outside {year.label}, yet it "
                             f"draws {format_gbp(amount)} on {fund.code} for {year.label}."}
            )
        if line is not None:
            paid = line_paid(line)
            if amount < paid:
                raise ValidationError(
                    {"amounts": f"{format_gbp(paid)} has already been paid from {fund.code} {year.label}, so that "
                                f"line cannot be varied below it ({format_gbp(amount)} was asked)."}
                )
    outside = Payment.objects.filter(grant=grant, reversal__isnull=True).exclude(  # a reversed payment holds nothing
        instalment__period_end__gte=start, instalment__period_start__lte=end).first()
    if outside is not None:
        raise ValidationError(
            {"end_date": f"A payment has been made for {outside.instalment.period_start:%d/%m/%Y} to "
                         f"{outside.instalment.period_end:%d/%m/%Y}, which the new dates would leave outside the "
                         "grant."}
        )


def require_variable(grant: Grant) -> None:
    """Whether a variation may be requested now (``grants.actions`` asks it too)."""
    if grant.status not in VARIABLE:
        raise ValidationError(
            f"{grant.reference} is {grant.get_status_display().lower()}; only an approved grant that is not closed can "
            "be varied (a draft is simply edited)."
        )
    if grant.variations.filter(status=GrantVariation.Status.REQUESTED).exists():
        raise ValidationError(f"{grant.reference} already has a variation awaiting approval; decide that one first.")


@transaction.atomic
def variation_request(
    *, grant: Grant, by, reason: str, amounts: list[tuple[Fund, FinancialYear, object]] = (),
    start_date: Date | None = None, end_date: Date | None = None, conditions: str | None = None,
) -> GrantVariation:
    """Ask to change an approved grant. ``amounts`` gives the new amount for a fund and year as
    ``(fund, year, amount)`` (an existing line, or a new one); lines not named stay as they are. Dates and
    conditions left as ``None`` do not change. An increase must be available in its fund now (approval checks
    again under the fund's lock)."""
    require_role(by, FINANCE_OFFICERS, doing="request variations")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the grant should change (e.g. demand has risen in Walsall)."})
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    require_variable(grant)
    lines = list(grant.funding_lines.select_related("fund", "year"))
    current = {(line.fund_id, line.year_id): line for line in lines}
    after = {key: (line.fund, line.year, line.amount.amount, line) for key, line in current.items()}
    proposed = []
    for fund, year, amount in amounts:
        value = parse_amount(amount, field="amounts", allow_zero=True)
        line = current.get((fund.pk, year.pk))
        before = line.amount.amount if line else ZERO
        if value == before:
            continue
        if line is None and not fund.is_active:
            raise ValidationError({"amounts": f"{fund.code} is closed to new grants."})
        if value > before:
            check_fund_can_cover(fund, year, value - before, field="amounts")
        after[(fund.pk, year.pk)] = (fund, year, value, line)
        proposed.append((fund, year, line, before, value))
    start = start_date or grant.start_date
    end = end_date or grant.end_date
    new_conditions = None if conditions is None or conditions.strip() == grant.conditions else conditions.strip()
    dates_change = (start, end) != (grant.start_date, grant.end_date)
    if not proposed and not dates_change and new_conditions is None:
        raise ValidationError("The variation changes nothing: give a new amount, new dates or new conditions.")
    _check_dates_and_lines(grant, start, end, after)
    change_after = {}
    if dates_change:
        change_after.update({"start_date": start.isoformat(), "end_date": end.isoformat()})
    if new_conditions is not None:
        change_after["conditions"] = new_conditions
    if proposed:
        change_after["lines"] = {f"{f.code} {y.label}": f"{v:.2f}" for f, y, _, _, v in proposed}
    variation = GrantVariation(
        grant=grant, reason=reason, requested_by=by, before=_snapshot(grant, lines), after=change_after,
        new_start_date=start if dates_change else None, new_end_date=end if dates_change else None,
        new_conditions=new_conditions,
    )
    save_with_history(variation, by=by, reason=reason)
    for fund, year, line, before, value in proposed:
        save_with_history(
            VariationLine(variation=variation, funding_line=line, fund=fund, year=year, amount_before=gbp(before),
                          amount_after=gbp(value)),
            by=by, reason="Variation line",
        )
    change = sum((v - b for _, _, _, b, v in proposed), ZERO)
    record_event("variation.requested", by=by, obj=grant, reason=reason,
                 summary=f"{grant.reference}: variation requested ({', '.join(sorted(change_after))}"
                         + (f", {'+' if change >= 0 else '-'}{format_gbp(abs(change))}" if proposed else "") + ")",
                 data={"variation": variation.pk, "after": change_after})
    return variation


def _budget_line(vl: VariationLine):
    """The budget line a varied amount counts against: its funding line's, or for a new line the fund's only one."""
    if vl.funding_line_id is not None:
        return vl.funding_line.budget_line
    return default_budget_line(fund=vl.fund, year=vl.year)


def _decide(variation: GrantVariation, by) -> tuple[Grant, GrantVariation, list[VariationLine]]:
    v_lines = list(variation.lines.select_related("fund", "year", "funding_line"))
    grant = lock_funds_and_grant(variation.grant, extra_fund_ids={vl.fund_id for vl in v_lines})
    variation = lock(GrantVariation.objects.filter(pk=variation.pk))[0]
    if variation.status != GrantVariation.Status.REQUESTED:
        raise ValidationError(f"This variation is already {variation.get_status_display().lower()}.")
    if variation.requested_by_id == by.pk:
        raise ValidationError("You requested this variation, so another commissioner must approve or reject it.")
    return grant, variation, v_lines


@transaction.atomic
def variation_approve(*, variation: GrantVariation, by, decision: Decision | str | None = None, note: str = "",
                      on: Date | None = None) -> GrantVariation:
    """Approve a variation and make the ledger follow it: each increase is committed (refused whole, naming the
    amount available, if a fund cannot cover it), each decrease released, in one entry dated ``on``."""
    require_role(by, COMMISSIONERS, doing="approve variations")
    decision = resolve_decision(decision)
    grant, variation, v_lines = _decide(variation, by)
    if grant.status not in VARIABLE:
        raise ValidationError(f"{grant.reference} is now {grant.get_status_display().lower()}; reject this variation.")
    lines = list(grant.funding_lines.select_related("fund", "year"))
    if _snapshot(grant, lines) != {**variation.before}:
        raise ValidationError(
            f"{grant.reference} has changed since this variation was requested; reject it and request it again."
        )
    on = on or timezone.localdate()
    require_dated_after_approval(grant, on, what="a variation of it")
    start = variation.new_start_date or grant.start_date
    end = variation.new_end_date or grant.end_date
    after = {(line.fund_id, line.year_id): (line.fund, line.year, line.amount.amount, line) for line in lines}
    for vl in v_lines:
        after[(vl.fund_id, vl.year_id)] = (vl.fund, vl.year, vl.amount_after.amount, vl.funding_line)
    _check_dates_and_lines(grant, start, end, after)
    changed_funds = {vl.fund_id for vl in v_lines}
    by_fund: dict[Fund, Decimal] = {}
    for fund, _, amount, _ in after.values():
        if fund.pk in changed_funds:
            by_fund[fund] = by_fund.get(fund, ZERO) + amount
    if v_lines:
        require_decision(by_fund, decision, on=on, what=f"this variation of {grant.reference}")
    legs = []
    for vl in v_lines:
        delta = vl.amount_after.amount - vl.amount_before.amount
        if delta > 0:
            legs += [Leg(acc.COMMITMENTS, vl.fund, DEBIT, delta, vl.year, _budget_line(vl)),
                     Leg(acc.COMMITMENT_CONTROL, vl.fund, CREDIT, delta, vl.year, _budget_line(vl))]
        elif delta < 0:
            legs += [Leg(acc.COMMITMENT_CONTROL, vl.fund, DEBIT, -delta, vl.year, _budget_line(vl)),
                     Leg(acc.COMMITMENTS, vl.fund, CREDIT, -delta, vl.year, _budget_line(vl))]
    entry = None
    if legs:
        entry = entry_post(date=on, by=by, source=grant, source_reference=grant.reference,
                           description=f"Grant variation {grant.reference}: commitment adjusted"[:300], legs=legs)
    reason = f"Variation {variation.pk} approved"
    touched = []
    for vl in v_lines:
        line = vl.funding_line or FundingLine(grant=grant, fund=vl.fund, year=vl.year, original_amount=gbp(ZERO),
                                                  budget_line=_budget_line(vl))
        line.amount = gbp(vl.amount_after.amount)
        save_with_history(line, by=by, reason=reason)
        touched.append(line)
    if variation.new_start_date or variation.new_end_date or variation.new_conditions is not None:
        grant.start_date, grant.end_date = start, end
        if variation.new_conditions is not None:
            grant.conditions = variation.new_conditions
        save_with_history(grant, by=by, reason=reason)
        touched = list(grant.funding_lines.select_related("fund", "year")) if (
            variation.new_start_date or variation.new_end_date) else touched
    if grant.status != Grant.Status.APPROVED or grant.instalments.exists():
        for line in {t.pk: t for t in touched}.values():
            schedule_rebalance(grant=grant, line=line, by=by, reason=reason)
    variation.status = GrantVariation.Status.APPROVED
    variation.decided_by = by
    variation.decided_at = timezone.now()
    variation.decision = decision
    variation.decision_note = (note or "").strip()
    variation.entry = entry
    save_with_history(variation, by=by, reason=variation.decision_note or "Approved")
    record_event("variation.approved", by=by, obj=grant, reason=variation.decision_note,
                 summary=f"{grant.reference}: variation {variation.pk} approved"
                         + (f", commitment adjusted ({entry.reference})" if entry else "")
                         + (f", decision {decision.number}" if decision else ""),
                 data={"variation": variation.pk})
    return variation


@transaction.atomic
def variation_reject(*, variation: GrantVariation, by, note: str) -> GrantVariation:
    """Refuse a variation (a commissioner other than the requester, with the reason). Nothing about the grant
    changes."""
    require_role(by, COMMISSIONERS, doing="reject variations")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Give the reason for rejecting the variation."})
    grant, variation, _ = _decide(variation, by)
    variation.status = GrantVariation.Status.REJECTED
    variation.decided_by = by
    variation.decided_at = timezone.now()
    variation.decision_note = note
    save_with_history(variation, by=by, reason=note)
    record_event("variation.rejected", by=by, obj=grant, reason=note,
                 summary=f"{grant.reference}: variation {variation.pk} rejected", data={"variation": variation.pk})
    return variation

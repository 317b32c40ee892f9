"""Setting RAG thresholds (finance directors) and recording commentary on budget lines (finance officers)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount, parse_figure
from core.roles import FINANCE_DIRECTORS, FINANCE_OFFICERS, require_role
from funds.models import BudgetLine, Fund, Period
from monitoring.models import COMMENTARY_MAX, BudgetCommentary, RagThreshold
from monitoring.selectors import month_label, month_not_ended

PERCENT_MAX = 999


def _percent(raw, field: str):
    _not_negative(raw, field, "a percentage of the budget, 0 or more, for example 5 or 7.5")
    return parse_figure(raw, field=field, places=2, maximum=PERCENT_MAX, example="5 or 7.5")


def _amount(raw, field: str):
    _not_negative(raw, field, "an amount in pounds, £0.00 or more, for example 5000.00")
    return parse_amount(raw, field=field, allow_zero=True)


def _not_negative(raw, field: str, what: str) -> None:
    negative = raw < 0 if isinstance(raw, (int, Decimal)) else str(raw or "").strip().startswith("-")
    if negative:
        raise ValidationError({field: f"A threshold cannot be negative ({raw} was given): give {what}."})


@transaction.atomic
def rag_threshold_set(
    *, fund: Fund | None = None, amber_percent, amber_amount, red_percent, red_amount, by, reason: str
) -> RagThreshold:
    """Set when a line turns amber and red, for one fund or (``fund`` None) for every fund without its own: a line
    is amber when a variance reaches both the amber % and the amber £, red when it reaches both red ones. Changes
    the fund's (or the global) thresholds in place, keeping the earlier ones in their history."""
    require_role(by, FINANCE_DIRECTORS, doing="set RAG thresholds")
    values = {
        "amber_percent": _percent(amber_percent, "amber_percent"),
        "amber_amount": _amount(amber_amount, "amber_amount"),
        "red_percent": _percent(red_percent, "red_percent"),
        "red_amount": _amount(red_amount, "red_amount"),
    }
    errors = {}
    if values["red_percent"] < values["amber_percent"]:
        errors["red_percent"] = (f"Red {values['red_percent']:.2f}% is below amber {values['amber_percent']:.2f}%: "
                                 "a red line is further from budget than an amber one, so give red at least the "
                                 "amber %.")
    if values["red_amount"] < values["amber_amount"]:
        errors["red_amount"] = (f"Red {format_gbp(values['red_amount'])} is below amber "
                                f"{format_gbp(values['amber_amount'])}: give red at least the amber amount.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the thresholds are set or changed: it is kept in their history."
    if errors:
        raise ValidationError(errors)
    whom = fund.code if fund else "all funds"
    existing = lock(RagThreshold.objects.filter(fund=fund) if fund else RagThreshold.objects.filter(fund__isnull=True))
    threshold = existing[0] if existing else RagThreshold(fund=fund)
    before = (f"amber {threshold.amber_percent}% and {format_gbp(threshold.amber_amount)}, red "
              f"{threshold.red_percent}% and {format_gbp(threshold.red_amount)}" if existing else "none")
    for name in ("amber_percent", "red_percent"):
        setattr(threshold, name, values[name])
    for name in ("amber_amount", "red_amount"):
        setattr(threshold, name, gbp(values[name]))
    threshold.set_by, threshold.set_at, threshold.reason = by, timezone.now(), reason
    save_with_history(threshold, by=by, reason=reason)
    now = (f"amber {values['amber_percent']}% and {format_gbp(values['amber_amount'])}, red "
           f"{values['red_percent']}% and {format_gbp(values['red_amount'])}")
    record_event("monitoring.threshold_set", by=by, obj=threshold, reason=reason,
                 summary=f"RAG thresholds for {whom}: {now} (were {before})",
                 data={key: str(value) for key, value in values.items()})
    return threshold


@transaction.atomic
def commentary_record(*, line: BudgetLine, period: Period, text: str, by, reason: str = "",
                      today: date | None = None) -> BudgetCommentary:
    """Record the budget holder's commentary on a budget line for a month that has ended. A new version each time:
    the latest is shown, earlier ones are kept. After the month is closed a reason is required."""
    require_role(by, FINANCE_OFFICERS, doing="write budget commentary")
    month = month_label(period)
    if period.is_adjustments:
        raise ValidationError({"period": f"{period} is not a month: commentary is written on a calendar month."})
    if period.year_id != line.year_id:
        raise ValidationError({"period": f"'{line.heading}' is a {line.year.label} budget line and {month} is in "
                                         f"{period.year.label}: choose a month of {line.year.label}."})
    refusal = month_not_ended(period, today=today, what="commentary on it can be written")
    if refusal:
        raise ValidationError({"period": refusal})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": f"Write the commentary: what explains '{line.heading}' against its budget "
                                       f"in {month}, and what is being done about it."})
    if len(text) > COMMENTARY_MAX:
        raise ValidationError({"text": f"The commentary is {len(text):,} characters long; keep it to "
                                       f"{COMMENTARY_MAX:,}, the space a statement gives it."})
    reason = (reason or "").strip()
    if period.is_closed and not reason:
        raise ValidationError({"reason": f"{month} is closed; give a reason for commenting after the close."})
    commentary = BudgetCommentary(line=line, period=period, text=text, reason=reason, recorded_by=by,
                                  recorded_by_name=(by.get_full_name() or by.get_username())[:150],
                                  recorded_at=timezone.now())
    save_with_history(commentary, by=by, reason=reason or "Commentary recorded")
    record_event("monitoring.commentary_recorded", by=by, obj=commentary, reason=reason,
                 summary=f"Commentary on {line.fund.code} '{line.heading}' for {month}")
    return commentary

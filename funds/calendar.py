"""The financial calendar: opening years, closing months in order once they have ended, and reopening them
(finance directors only, from the latest closed month back)."""

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import (
    FINANCE_DIRECTORS,
    OFFICERS_AND_DIRECTORS,
    require_role,
)
from funds.models import FinancialYear, Period
from funds.signals import period_closed


def year_label_parse(label: str) -> int:
    """'2025/26' -> 2025, refusing anything else with the expected form."""
    text = (label or "").strip()
    try:
        first, second = text.split("/")
        start = int(first)
        if len(first) != 4 or len(second) != 2 or (start + 1) % 100 != int(second):
            raise ValueError
    except ValueError:
        raise ValidationError({"year": f"'{label}' is not a financial year; write it like 2025/26."})
    return start


def year_for_date(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@transaction.atomic
def year_open(*, start_year: int, by=None) -> FinancialYear:
    """Create a financial year and its twelve periods (idempotent)."""
    year, created = FinancialYear.objects.get_or_create(start_year=start_year)
    if created:
        for number in range(1, 13):
            month = (number + 2) % 12 + 1
            cal_year = start_year if month >= 4 else start_year + 1
            last_day = calendar.monthrange(cal_year, month)[1]
            Period.objects.create(
                year=year, number=number, start_date=date(cal_year, month, 1), end_date=date(cal_year, month, last_day)
            )
        record_event("year.opened", by=by, obj=year, summary=f"Financial year {year.label} opened")
    return year


# ---- Closing and reopening months --------------------------------------------------------------------------
#
# Months close in order, and only once they have ended: every month before a closed month is closed, across
# financial years, so "closed up to" is one date a finance team can state. Reopening keeps that true by going back
# from the latest closed month, and stays with the finance directors. These two functions are the one definition
# of both rules: the services raise what they return, and pages ask them which action to offer.


def _day_after(day: date) -> date:
    return day + timedelta(days=1)


def period_close_refusal(*, period: Period, today: date | None = None) -> str | None:
    """Why ``period`` cannot be closed on ``today``, or None when it can.

    A month can be closed from the day after its last day (a month still running can still take postings), and
    only when every earlier month that exists, in this financial year or an earlier one, is already closed."""
    today = today or timezone.localdate()
    if period.is_closed:
        return f"{period} is already closed."
    if period.end_date >= today:
        return (
            f"{period} has not ended yet: a month can be closed once its last day has passed, "
            f"so {period.name} can be closed from {_day_after(period.end_date):%d/%m/%Y}."
        )
    earlier = (
        Period.objects.select_related("year")
        .filter(is_closed=False, start_date__lt=period.start_date)
        .order_by("start_date")
        .first()
    )
    if earlier is not None:
        return (
            f"Close {earlier} first: months close in order, and {earlier} is the earliest month still open "
            f"before {period}."
        )
    return None


def period_reopen_refusal(*, period: Period) -> str | None:
    """Why ``period`` cannot be reopened, or None when it can (the role check is the service's).

    Months reopen from the latest closed one back: reopening a month while a later one stays closed would leave
    an open month before a closed one, and the later month's figures were closed on top of the earlier one's. A
    finance director who needs an earlier month reopens the later closed months first, each with its reason."""
    if not period.is_closed:
        return f"{period} is not closed."
    if period.year.is_year_ended:
        return (
            f"{period.year.label} has been through year end ({period.year.year_end_at:%d/%m/%Y}): its months stay "
            "closed and its figures are final. Correct it with a correcting journal in an open period."
        )
    later = (
        Period.objects.select_related("year")
        .filter(Period.MONTHS, is_closed=True, start_date__gt=period.start_date)
        .order_by("-start_date")
        .first()
    )
    if later is not None:
        return (
            f"Reopen {later} first: months reopen from the latest closed one back, so that every month "
            f"before a closed month stays closed."
        )
    return None


def period_next_to_close(*, today: date | None = None) -> Period | None:
    """The month a finance officer can close now: the earliest open month, if it has ended."""
    earliest = Period.objects.select_related("year").filter(is_closed=False).order_by("start_date").first()
    if earliest is None or period_close_refusal(period=earliest, today=today) is not None:
        return None
    return earliest


def period_last_closed() -> Period | None:
    """The month a finance director can reopen now: the latest closed month."""
    return Period.objects.select_related("year").filter(Period.MONTHS, is_closed=True).order_by("-start_date").first()


def _lock_calendar():
    """Closing and reopening read the other months, so they take every period row, in one order."""
    lock(Period.objects.all())


@transaction.atomic
def period_close(
    *, period: Period, by, reason: str = "Month-end close", today: date | None = None
) -> Period:
    """Close a month: nothing more can be posted into it. See ``period_close_refusal`` for the rules."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="close periods")
    _lock_calendar()
    period = Period.objects.select_related("year").get(pk=period.pk)
    refusal = period_close_refusal(period=period, today=today)
    if refusal:
        raise ValidationError(refusal)
    period.is_closed = True
    period.closed_by = by
    period.closed_at = timezone.now()
    save_with_history(period, by=by, reason=reason)
    record_event("period.closed", by=by, obj=period, summary=f"{period} closed", reason=reason)
    period_closed.send(sender=Period, period=period, by=by)  # the ledger anchors its chain head (ledger.anchors)
    return period


@transaction.atomic
def periods_close_up_to(
    *, period: Period, by, reason: str = "Month-end close", today: date | None = None
) -> list[Period]:
    """Close, in order, every open month up to and including ``period`` (a month-end backlog), each through
    ``period_close`` and so under its rules: if any month cannot be closed, none is."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="close periods")
    months = Period.objects.filter(is_closed=False, start_date__lte=period.start_date).order_by("start_date")
    if not months.exists():
        raise ValidationError(f"{period} is already closed.")
    return [period_close(period=month, by=by, reason=reason, today=today) for month in list(months)]


@transaction.atomic
def period_reopen(*, period: Period, by, reason: str) -> Period:
    """Reopen a closed month, with a reason: finance directors only, from the latest closed month back (see
    ``period_reopen_refusal``)."""
    require_role(by, FINANCE_DIRECTORS, doing="reopen a closed period")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the period is being reopened; the reason is kept in its history."})
    _lock_calendar()
    period = Period.objects.select_related("year").get(pk=period.pk)
    refusal = period_reopen_refusal(period=period)
    if refusal:
        raise ValidationError(refusal)
    period.is_closed = False
    save_with_history(period, by=by, reason=reason)
    record_event("period.reopened", by=by, obj=period, summary=f"{period} reopened", reason=reason)
    return period

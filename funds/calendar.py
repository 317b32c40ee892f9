"""The financial calendar: opening years, closing and reopening periods."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.roles import (
    FINANCE_DIRECTORS,
    OFFICERS_AND_DIRECTORS,
    require_role,
)
from funds.models import FinancialYear, Period


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


@transaction.atomic
def period_close(*, period: Period, by, reason: str = "Month-end close") -> Period:
    require_role(by, OFFICERS_AND_DIRECTORS, doing="close periods")
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise ValidationError(f"{period} is already closed.")
    period.is_closed = True
    period.closed_by = by
    period.closed_at = timezone.now()
    save_with_history(period, by=by, reason=reason)
    record_event("period.closed", by=by, obj=period, summary=f"{period} closed", reason=reason)
    return period


@transaction.atomic
def period_reopen(*, period: Period, by, reason: str) -> Period:
    require_role(by, FINANCE_DIRECTORS, doing="reopen a closed period")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the period is being reopened; the reason is kept in its history."})
    period = Period.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise ValidationError(f"{period} is not closed.")
    period.is_closed = False
    save_with_history(period, by=by, reason=reason)
    record_event("period.reopened", by=by, obj=period, summary=f"{period} reopened", reason=reason)
    return period

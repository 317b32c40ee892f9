"""Reading monitoring data: which months can be reported on, thresholds and commentary as known at a moment."""

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from funds.models import FinancialYear, Period
from monitoring.models import BudgetCommentary, RagThreshold

MONTH_TEXT = re.compile(r"(\d{4})-(\d{1,2})")


def month_label(period: Period) -> str:
    """'October 2026'."""
    return f"{period.start_date:%B %Y}"


def month_not_ended(period: Period, *, today: date | None = None,
                    what: str = "its monitoring can be produced") -> str | None:
    """Why ``period`` cannot be reported on (or commented on) yet, because it has not ended; or None."""
    today = today or timezone.localdate()
    if period.end_date >= today:
        return f"{month_label(period)} has not ended: {what} from {period.end_date + timedelta(days=1):%d/%m/%Y}."
    return None


def month_get(month, *, today: date | None = None) -> Period:
    """The month named ``YYYY-MM`` (or a ``(year, month)`` pair), a calendar month of a financial year that has
    ended: a refusal naming what is wrong otherwise."""
    if isinstance(month, tuple):
        cal_year, number = month
    else:
        raw = str(month or "").strip()
        match = MONTH_TEXT.fullmatch(raw)
        if not match:
            raise ValidationError({"month": f"'{raw[:20]}' is not a month: write it as YYYY-MM, for example "
                                            "2026-10."})
        cal_year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12 or not 1900 < cal_year < 2100:
        raise ValidationError({"month": f"{cal_year}-{number:02d} is not a month: write it as YYYY-MM, for "
                                        "example 2026-10."})
    start = date(cal_year, number, 1)
    period = Period.objects.select_related("year").filter(Period.MONTHS, start_date=start).first()
    if period is None:
        years = list(FinancialYear.objects.order_by("start_year").values_list("start_year", flat=True))
        known = (f"financial years set up: {FinancialYear(start_year=years[0]).label} to "
                 f"{FinancialYear(start_year=years[-1]).label}" if years else "no financial year is set up yet")
        raise ValidationError({"month": f"{start:%B %Y} is not a month of any financial year in Ringfence "
                                        f"({known})."})
    refusal = month_not_ended(period, today=today)
    if refusal:
        raise ValidationError({"month": refusal})
    return period


def months_ended(*, today: date | None = None) -> list[Period]:
    """Every calendar month that has ended, latest first."""
    today = today or timezone.localdate()
    return list(Period.objects.select_related("year").filter(Period.MONTHS, end_date__lt=today)
                .order_by("-start_date"))


def month_due(*, today: date | None = None) -> Period | None:
    """The month the next monitoring report is on: the latest closed month (its figures are final), or the latest
    month ended when none has been closed yet."""
    today = today or timezone.localdate()
    ended = Period.objects.select_related("year").filter(Period.MONTHS, end_date__lt=today).order_by("-start_date")
    return ended.filter(is_closed=True).first() or ended.first()


def commentary_as_of(*, period: Period, known_at: datetime) -> dict[int, BudgetCommentary]:
    """The latest commentary per budget line id for the month, recorded by ``known_at``: one query."""
    latest = {}
    rows = BudgetCommentary.objects.filter(period=period, recorded_at__lte=known_at).order_by("line_id",
                                                                                             "recorded_at", "id")
    for row in rows:
        latest[row.line_id] = row
    return latest


def commentary_versions(*, line, period: Period) -> list[BudgetCommentary]:
    """Every version of a line's commentary for the month, newest first."""
    return list(BudgetCommentary.objects.filter(line=line, period=period)
                .order_by("-recorded_at", "-id"))


def thresholds() -> list[RagThreshold]:
    """The thresholds set now: the global row first, then each fund's own."""
    return list(RagThreshold.objects.select_related("fund", "set_by"))


def threshold_changes(limit: int = 50) -> list:
    """The latest changes to any threshold, newest first (from their history)."""
    changes = RagThreshold.history.select_related("history_user", "fund").order_by("-history_date", "-history_id")
    return list(changes[:limit])

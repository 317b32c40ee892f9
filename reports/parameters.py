"""The two dates every statement is produced for.

``as_at`` is an accounting date: journal entries dated on or before it count. ``known_at`` is a moment: nothing
posted, renamed, re-budgeted or forecast after it counts. The same pair always gives the same figures, so a pack
issued in June can be rebuilt exactly later, whatever has been posted (or backdated) since.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from funds.calendar import year_label_parse
from funds.models import FinancialYear


@dataclass(frozen=True)
class StatementParameters:
    year: FinancialYear
    as_at: date
    known_at: datetime  # aware

    @property
    def period_start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.year.start_date, time.min))

    def as_dict(self) -> dict:
        return {
            "year": self.year.label,
            "as_at": self.as_at.isoformat(),
            "known_at": self.known_at.isoformat(),
        }


def year_get(year) -> FinancialYear:
    """A FinancialYear from itself or its label ('2025/26'), or a clear refusal naming the years that exist."""
    if isinstance(year, FinancialYear):
        return year
    start = year_label_parse(year)
    found = FinancialYear.objects.filter(start_year=start).first()
    if found is None:
        labels = [y.label for y in FinancialYear.objects.all()]
        known = f"Years set up: {', '.join(labels)}." if labels else "No financial year has been set up yet."
        raise ValidationError({"year": f"There is no financial year {year}. {known}"})
    return found


def _parse_date(value, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise ValidationError({field: "Give the as-at date as a date (2025-12-31), not a moment."})
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({field: f"'{value}' is not a date; write it like 31/12/2025."})


def _parse_moment(value, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.max)
    else:
        text = str(value).strip()
        moment = None
        for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValidationError(
                    {field: f"'{value}' is not a moment; write it like 05/01/2026 09:00 (UK local time)."}
                )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parameters_parse(*, year, as_at=None, known_at=None, now: datetime | None = None) -> StatementParameters:
    """Validate a year and the two dates. Defaults: known at now; as at the earlier of the year's end and the
    known-at day (or the year's first day, for a year not yet begun). A known-at moment in the future is refused:
    figures known then cannot be fixed yet."""
    fy = year_get(year)
    now = now or timezone.now()
    moment = _parse_moment(known_at, "known_at") or now
    if moment > now:
        raise ValidationError(
            {"known_at": f"Known-at {timezone.localtime(moment):%d/%m/%Y %H:%M} is in the future; "
                         f"give a moment no later than now ({timezone.localtime(now):%d/%m/%Y %H:%M})."}
        )
    day = _parse_date(as_at, "as_at") or max(fy.start_date, min(fy.end_date, timezone.localdate(moment)))
    if day < fy.start_date:
        raise ValidationError(
            {"as_at": f"As-at {day:%d/%m/%Y} is before {fy.label} began; give a date from {fy.start_date:%d/%m/%Y}."}
        )
    # After the year's end, a date shows what came in late for the year (a Q4 instalment paid in April), but only up
    # to today: nothing is dated after today, so a later date would only repeat today's figures under another name.
    today = timezone.localdate(now)
    if day > fy.end_date and day > today:
        last = max(fy.end_date, min(today, day))
        raise ValidationError(
            {"as_at": f"As-at {day:%d/%m/%Y} is after {fy.label} ended ({fy.end_date:%d/%m/%Y}) and after today; give "
                      f"a date from {fy.start_date:%d/%m/%Y} to {last:%d/%m/%Y}."}
        )
    return StatementParameters(year=fy, as_at=day, known_at=moment)


def month_end(month, *, today) -> date:
    """The last day of a month given as "2026-10" (or "10/2026", or a date in it); refused until it has ended."""
    if isinstance(month, date):
        first = month.replace(day=1)
    else:
        text = str(month).strip()
        first = None
        for fmt in ("%Y-%m", "%m/%Y", "%Y-%m-%d"):
            try:
                first = datetime.strptime(text, fmt).date().replace(day=1)
                break
            except ValueError:
                continue
        if first is None:
            raise ValidationError({"month": f"'{month}' is not a month; write it like 2026-10."})
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if last >= today:
        raise ValidationError({"month": f"{first:%B %Y} has not ended; its pack can be issued from "
                                        f"{last + timedelta(days=1):%d/%m/%Y}."})
    return last

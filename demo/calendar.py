"""Month-end closes for the demo: every period that ended before the last full month is closed, as a finance
team would have done, so the demo shows corrections going into open periods as reversals."""

from datetime import date

from funds.calendar import period_close
from funds.models import Period


def seed_period_closes(users, *, today: date) -> int:
    """Close every period that ended before the previous month began (idempotent: closed ones are skipped)."""
    first_of_month = today.replace(day=1)
    previous_month_start = (first_of_month.replace(year=first_of_month.year - 1, month=12)
                            if first_of_month.month == 1 else first_of_month.replace(month=first_of_month.month - 1))
    closed = 0
    for period in Period.objects.filter(end_date__lt=previous_month_start, is_closed=False).order_by("start_date"):
        period_close(period=period, by=users["finance"], reason="Month-end close (demo)")
        closed += 1
    return closed

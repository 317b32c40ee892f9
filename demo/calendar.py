"""Month-end closes for the demo: months close in order, and only ended ones. Every month that ended before the
previous month began is closed, as a finance team would have done, so the demo shows corrections going into open
periods as reversals, and last month's close (the next one due) and this month stay open."""

from datetime import date

from funds.calendar import periods_close_up_to
from funds.models import Period


def seed_period_closes(users, *, today: date) -> int:
    """Close, in order, every month up to the last one that ended before the previous month began (idempotent:
    closed months are skipped). Returns how many months were closed now."""
    first_of_month = today.replace(day=1)
    previous_month_start = (first_of_month.replace(year=first_of_month.year - 1, month=12)
                            if first_of_month.month == 1 else first_of_month.replace(month=first_of_month.month - 1))
    last = Period.objects.filter(end_date__lt=previous_month_start).order_by("-start_date").first()
    if last is None or not Period.objects.filter(is_closed=False, start_date__lte=last.start_date).exists():
        return 0
    closed = periods_close_up_to(period=last, by=users["finance"], reason="Month-end close (demo)", today=today)
    return len(closed)

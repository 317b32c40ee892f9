"""Month-end closes for the demo: months close in order, and only ended ones. Every month that ended before the
previous month began is closed, as a finance team would have done, each on the fourth working day of the month
after it (the first close, of April 2025, also closes the months of 2024/25 before it), so the demo shows
corrections going into open periods as reversals, and last month's close (the next one due) and this month stay
open."""

from datetime import date

from demo.timeline import at, next_month, run_stories, working_day
from funds.calendar import periods_close_up_to
from funds.models import Period

CLOSE_DAY = 4  # working day of the following month


def seed_period_closes(users, *, today: date) -> int:
    """Close, in order, every month up to the last one that ended before the previous month began (idempotent:
    closed months are skipped). Returns how many months were closed now."""
    closed = []
    run_stories([period_closes_story(users, closed, today=today)])
    return len(closed)


def period_closes_story(users, closed: list, *, today: date):
    """``closed`` receives the months closed; ``today`` is the day the demo is loaded."""
    first_of_month = today.replace(day=1)
    previous_month_start = (first_of_month.replace(year=first_of_month.year - 1, month=12)
                            if first_of_month.month == 1 else first_of_month.replace(month=first_of_month.month - 1))
    months = list(Period.objects.filter(Period.MONTHS, is_closed=False, end_date__lt=previous_month_start,
                                        start_date__gte=date(2025, 4, 1))
                  .order_by("start_date").values_list("pk", "start_date"))
    for pk, start in months:
        yield at(min(working_day(*next_month(start), CLOSE_DAY), today), "16:30")
        month = Period.objects.get(pk=pk)
        if not month.is_closed:
            closed += periods_close_up_to(period=month, by=users["finance"], reason="Month-end close (demo)")

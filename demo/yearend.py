"""2025/26 taken through its year end, as a finance team would in spring 2026: March closed, the year end run by the
finance director (Q4 instalments delivered by 31 March and paid in April accrued, the MoJ grants' unspent money owed
back to the MoJ, POCA, course fees and VAWG money carried forward), and the unspent domestic abuse grant repaid to
the MoJ in June. The core grant's repayment is still owed, so the statements show both a creditor and a cleared
one. No manual accrual is recorded, so each fund's owed or carried amount is exactly what its statement showed
available at 31 March before the year end. The year end is run at the end of May 2026, once the 2025/26 grants'
final payments are out and the finished grants closed."""

from datetime import date

from demo.timeline import at, run_stories
from funds.calendar import periods_close_up_to
from funds.models import FinancialYear, Period
from yearend.services import funder_owed, funder_repayment_record, year_end_run


def seed_year_end(users, funds, *, today: date):
    done = {}
    run_stories([year_end_story(users, funds, done, today=today)])
    return done.get("result")


def year_end_story(users, funds, done: dict, *, today: date):
    """``done["result"]`` is the year end's result once run; ``today`` is the day the demo is loaded."""
    year = FinancialYear.objects.get(start_year=2025)
    if year.is_year_ended or today < date(2026, 4, 2):
        return
    yield at(min(date(2026, 5, 28), today), "10:00")
    march = Period.objects.get(year=year, number=12)
    if not march.is_closed:
        periods_close_up_to(period=march, by=users["finance"], reason="Month-end close (demo)")
    yield at(min(date(2026, 5, 28), today), "10:30")
    done["result"] = year_end_run(year=year, by=users["director"])
    if today < date(2026, 7, 1):
        return
    yield at(date(2026, 6, 30), "11:00")
    owed = funder_owed(fund=funds["MOJ-DASV"], year=year)
    if owed > 0:
        funder_repayment_record(fund=funds["MOJ-DASV"], year=year, reference="MOJ-DASV-REPAY-2526",
                                date=date(2026, 6, 30), amount=owed, by=users["finance2"])

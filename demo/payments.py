"""Payment runs in the demo: delegated limits (the back-office administrator records the finance director's from the
scheme of delegation; the finance director sets the officers'), then a run each month from August 2026, prepared by
a finance officer and authorised by the finance director, its bank file exported and the run paid. Each run
gathers everything payable on its date: supplier invoices due and the grant instalments whose quarter has ended and
whose return has been accepted. The November run is authorised and exported but not yet marked paid. Each run is
prepared two days before it pays, authorised and exported the next day, and marked paid on its day."""

from datetime import date, timedelta

from demo.timeline import at, run_stories
from payments.bank_file import payment_file
from payments.limits import delegated_limit_set
from payments.models import DelegatedLimit, PaymentRun
from payments.runs import payment_run_authorise, payment_run_pay, payment_run_prepare

RUN_DATES = [date(2026, 8, 28), date(2026, 9, 25), date(2026, 10, 30), date(2026, 11, 27)]
LIMITS = [  # person, limit, set by, note
    ("director", "5000000.00", "admin", "Scheme of delegation para 4.2: chief finance officer"),
    ("finance2", "100000.00", "director", "Scheme of delegation para 4.5: senior finance officer"),
    ("finance", "25000.00", "director", "Scheme of delegation para 4.6: finance officer"),
]


def seed_payment_runs(users, *, today: date) -> list[PaymentRun]:
    runs = []
    run_stories([payment_runs_story(users, runs, today=today)])
    return runs


def payment_runs_story(users, runs: list, *, today: date):
    """``runs`` receives the runs made; ``today`` is the day the demo is loaded."""
    if PaymentRun.objects.exists():
        return
    if not DelegatedLimit.objects.exists():
        yield at(date(2026, 7, 20), "10:00")
        for person, amount, setter, note in LIMITS:
            delegated_limit_set(user=users[person], amount=amount, by=users[setter], note=note)
    for pay_on in RUN_DATES:
        if pay_on > today:
            break
        yield at(min(pay_on - timedelta(days=2), today), "10:00")
        run = payment_run_prepare(pay_on=pay_on, by=users["finance"])
        yield at(min(pay_on - timedelta(days=1), today), "14:00")
        run = payment_run_authorise(run=run, by=users["director"])
        yield at(min(pay_on - timedelta(days=1), today), "14:30")
        payment_file(run, by=users["finance"])
        if pay_on < RUN_DATES[-1]:
            yield at(pay_on, "16:00")
            run = payment_run_pay(run=run, by=users["finance"])
        runs.append(run)

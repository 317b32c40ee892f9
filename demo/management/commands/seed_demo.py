"""python manage.py seed_demo: load the fictional West Midlands scenario, through the real services.

Safe to run twice: people and reference data are matched by their keys, and the postings are made only when the
ledger is empty, so a second run changes nothing.

The demo has a past: its parts are stories on one timeline (``demo.timeline``), done in date order under the demo
clock (``demo.clock``), so every history row, event, recorded moment and ledger entry carries the day a finance team
would have done it, from the providers registered in March 2025 to the items still waiting, submitted a few days to
a few weeks before today. The clock ends before the real moment of loading, and the real clock is back afterwards.
"""

from datetime import date, timedelta
from io import StringIO

from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo.banking import bank_reconciliation_story
from demo.calendar import period_closes_story
from demo.clock import demo_clock
from demo.corporate import seed_corporate_mapping
from demo.corrections import corrections_story
from demo.documents import documents_story
from demo.funds import income_stories, seed_funds
from demo.grants import grant_counts, grant_stories
from demo.monitoring import monitoring_story
from demo.packs import monthly_packs_story, packs_story
from demo.payments import payment_runs_story
from demo.people import DEMO_USERS, demo_password, seed_people
from demo.portal import portal_logins, portal_story
from demo.spending import spending_story
from demo.timeline import at, run_stories
from demo.transparency import transparency_story
from demo.yearend import year_end_story
from funds.models import FinancialYear
from ledger.models import JournalEntry
from notifications.services import reminders_send

CONSOLE = "django.core.mail.backends.console.EmailBackend"

# The day the system went live: the people, funders and funds are set up, and the providers registered.
SET_UP = date(2025, 3, 17)


class Command(BaseCommand):
    help = "Load the demo scenario (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--no-reminders", action="store_true",
                            help="Do not send today's reminders after loading (the browser tests send them).")

    def handle(self, *args, **options):
        loaded = False
        today = timezone.localdate()
        with transaction.atomic():
            if JournalEntry.objects.exists():
                seed_funds(seed_people())
                self.stdout.write("Demo ledger already loaded; nothing posted.")
            else:
                loaded = True
                with demo_clock() as clock:
                    self.load(clock, today)
                late = [(asked, given) for asked, given in clock.late if given - asked > timedelta(days=1)]
                if late:
                    self.stdout.write(f"{len(late)} steps were recorded more than a day after their moment"
                                      + (":" if options["verbosity"] > 1 else " (-v 2 lists them)."))
                    for asked, given in late if options["verbosity"] > 1 else []:
                        self.stdout.write(f"  {timezone.localtime(asked):%d/%m/%Y %H:%M} recorded "
                                          f"{timezone.localtime(given):%d/%m/%Y %H:%M}")
        # After the load is committed, under the real clock: today's reminders, once.
        if loaded and not options["no_reminders"]:
            self.remind(today, options["verbosity"])
        password = demo_password()
        self.stdout.write(f"Demo logins (password: {password}):")
        for username, first, last, role, _is_admin in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {first} {last} - {role or 'Django admin (back office)'}")
        for username, name, organisation in portal_logins()[:2]:
            self.stdout.write(f"  {username:<14} {name} - Provider, {organisation} (the provider portal)")

    def load(self, clock, today: date):
        clock.at(SET_UP, "09:00")
        users = seed_people()
        funds = seed_funds(users)
        years = {y.start_year: y for y in FinancialYear.objects.filter(start_year__in=[2025, 2026])}
        packs, monthly, runs, closed, published = [], [], [], [], []
        done, monitoring, spending, filed = {}, {}, {}, []
        _seeder, grants = grant_stories(users, funds, years, today=today)
        run_stories([
            *income_stories(users, funds, years, today=today),
            *grants,
            packs_story(users, packs),
            period_closes_story(users, closed, today=today),
            year_end_story(users, funds, done, today=today),
            spending_story(users, spending, today=today),
            payment_runs_story(users, runs, today=today),
            corrections_story(users, funds, today=today),
            bank_reconciliation_story(users, done),
            monitoring_story(users, monitoring),
            monthly_packs_story(users, monthly, today=today),
            transparency_story(users, published),
            documents_story(users, filed),
            _corporate_story(users, done),
            portal_story(users, today=today),
        ], clock=clock)
        counts = grant_counts()
        self.stdout.write(
            f"Demo grants loaded: {sum(counts.values())} grants ("
            + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            + ")."
        )
        self.stdout.write(f"Demo ledger loaded: {JournalEntry.objects.count()} journal entries.")
        self.stdout.write(f"Demo statement packs issued: {len(packs)}.")
        ended = done.get("result")
        if ended is not None:
            self.stdout.write(
                f"Year end 2025/26: {len(ended.posted)} entries in P13 and {len(ended.reversals)} accrual "
                "reversals posted; 2025/26 is closed."
            )
        self.stdout.write(
            f"Supplier spending: {spending['suppliers']} suppliers, {spending['orders']} orders and "
            f"contracts, {spending['invoices approved']} invoices approved. Payment runs: "
            + ", ".join(f"{r.reference} {r.get_status_display().lower()}" for r in runs)
            + f". {done.get('mapped', 0)} corporate ledger mappings."
            + (" Bank statement for October 2026 reconciled and signed off." if done.get("statement") else "")
        )
        self.stdout.write(f"Month-end closes: {len(closed)} periods closed; the last month and this one stay open.")
        self.stdout.write(
            f"Budget monitoring: {monitoring['thresholds']} RAG threshold set; commentary on "
            f"{monitoring['commented']} amber and red lines of October 2026, {monitoring['left']} left for the "
            "officer.")
        self.stdout.write("Monthly packs for 2026/27: " + (", ".join(
            f"pack {p.pk} ({p.as_at:%B %Y}, {'signed off' if hasattr(p, 'sign_off') else 'awaiting sign-off'})"
            for p in monthly) or "none (no month of 2026/27 has ended)") + ".")
        self.stdout.write(f"Documents filed: {len(filed)} (signed grant agreements, award letters, a bank letter).")
        self.stdout.write("Published on the transparency page: " + (
            "; ".join(str(p) for p in published) or "nothing") + ".")
        self.stdout.write(f"The demo's history runs from {SET_UP:%d/%m/%Y} to "
                          f"{timezone.localtime(clock.moment):%d/%m/%Y %H:%M}.")


    def remind(self, today: date, verbosity: int):
        """Today's reminders (``notifications.services.reminders_send``), so every demo user has notifications.
        With the console email backend (the demo's) the emails are printed only with -v 2."""
        connection = None
        if settings.EMAIL_BACKEND == CONSOLE:
            connection = get_connection(stream=self.stdout if verbosity > 1 else StringIO())
        summary = reminders_send(today=today, connection=connection)
        self.stdout.write(
            f"Reminders for {today:%d/%m/%Y}: {summary.total('sent')} emailed"
            + (" (-v 2 prints them)" if connection is not None and verbosity < 2 else "")
            + f", {summary.total('in_app_only')} in the application only; each user sees theirs under "
            "Notifications.")


def _corporate_story(users, done: dict):
    """The corporate ledger mapping is set up for 2026/27 in early April 2026."""
    yield at(date(2026, 4, 7), "10:00")
    done["mapped"] = seed_corporate_mapping(users)

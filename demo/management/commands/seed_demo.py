"""python manage.py seed_demo: load the fictional West Midlands scenario, through the real services.

Safe to run twice: people and reference data are matched by their keys, and the postings are made only when the
ledger is empty, so a second run changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo.banking import seed_bank_reconciliation
from demo.calendar import seed_period_closes
from demo.corporate import seed_corporate_mapping
from demo.corrections import seed_corrections
from demo.funds import seed_budgets_and_income, seed_funds
from demo.grants import seed_grants
from demo.monitoring import seed_monitoring
from demo.packs import seed_monthly_packs, seed_packs
from demo.payments import seed_payment_runs
from demo.people import DEMO_USERS, demo_password, seed_people
from demo.spending import seed_spending
from demo.transparency import seed_transparency
from demo.yearend import seed_year_end
from funds.models import FinancialYear
from ledger.models import JournalEntry


class Command(BaseCommand):
    help = "Load the demo scenario (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = seed_people()
            funds = seed_funds(users)
            if JournalEntry.objects.exists():
                self.stdout.write("Demo ledger already loaded; nothing posted.")
            else:
                years = {y.start_year: y for y in FinancialYear.objects.filter(start_year__in=[2025, 2026])}
                seed_budgets_and_income(users, funds, years)
                grants = seed_grants(users, funds, years)
                self.stdout.write(
                    f"Demo grants loaded: {sum(grants.values())} grants ("
                    + ", ".join(f"{n} {status}" for status, n in sorted(grants.items()))
                    + ")."
                )
                self.stdout.write(f"Demo ledger loaded: {JournalEntry.objects.count()} journal entries.")
                packs = seed_packs(users)
                self.stdout.write(f"Demo statement packs issued: {len(packs)}.")
                ended = seed_year_end(users, funds, today=timezone.localdate())
                if ended is not None:
                    self.stdout.write(
                        f"Year end 2025/26: {len(ended.posted)} entries in P13 and {len(ended.reversals)} accrual "
                        "reversals posted; 2025/26 is closed."
                    )
                seed_corrections(users, funds, today=timezone.localdate())
                mapped = seed_corporate_mapping(users)
                spending = seed_spending(users)
                runs = seed_payment_runs(users, today=timezone.localdate())
                statement = seed_bank_reconciliation(users)
                self.stdout.write(
                    f"Supplier spending: {spending['suppliers']} suppliers, {spending['orders']} orders and "
                    f"contracts, {spending['invoices approved']} invoices approved. Payment runs: "
                    + ", ".join(f"{r.reference} {r.get_status_display().lower()}" for r in runs)
                    + f". {mapped} corporate ledger mappings."
                    + (" Bank statement for October 2026 reconciled and signed off." if statement else "")
                )
                closed = seed_period_closes(users, today=timezone.localdate())
                self.stdout.write(f"Month-end closes: {closed} periods closed; the last month and this one stay open.")
                monitoring = seed_monitoring(users)
                self.stdout.write(
                    f"Budget monitoring: {monitoring['thresholds']} RAG threshold set; commentary on "
                    f"{monitoring['commented']} amber and red lines of October 2026, {monitoring['left']} left for the "
                    "officer.")
                monthly = seed_monthly_packs(users, today=timezone.localdate())
                self.stdout.write("Monthly packs for 2026/27: " + (", ".join(
                    f"pack {p.pk} ({p.as_at:%B %Y}, {'signed off' if hasattr(p, 'sign_off') else 'awaiting sign-off'})"
                    for p in monthly) or "none (no month of 2026/27 has ended)") + ".")
                published = seed_transparency(users)
                self.stdout.write("Published on the transparency page: " + (
                    "; ".join(str(p) for p in published) or "nothing") + ".")
        password = demo_password()
        self.stdout.write(f"Demo logins (password: {password}):")
        for username, first, last, role, _is_admin in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {first} {last} - {role or 'Django admin (back office)'}")

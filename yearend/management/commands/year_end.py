"""python manage.py year_end --year 2025/26 --user USERNAME [--dry-run]

Prints the year end's checklist, each fund's figures and every entry it would post; without --dry-run, posts them
(once). Exits non-zero with the reason when the checklist is not met; a year already through its year end writes
nothing and says when it ran.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.money import format_gbp
from funds.calendar import year_label_parse
from funds.models import FinancialYear
from yearend.services import year_end_plan, year_end_run


def _money(value) -> str:
    return format_gbp(value) if value else "-"


class Command(BaseCommand):
    help = "Run (or, with --dry-run, show) the year end of a financial year."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The financial year to end, e.g. 2025/26.")
        parser.add_argument("--user", required=True, help="Username of the finance director running it.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be posted; write nothing.")

    def handle(self, *args, year, user, dry_run, **options):
        try:
            start = year_label_parse(year)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        fy = FinancialYear.objects.filter(start_year=start).first()
        if fy is None:
            raise CommandError(f"{year} has not been set up; nothing to end.")
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user called '{user}'; give the username of a finance director.")
        if not person.is_active:
            raise CommandError(f"{user}'s account is deactivated; give the username of a finance director in post.")
        plan = year_end_plan(year=fy, by=person)
        if plan.done:
            who = fy.year_end_by.get_full_name() or fy.year_end_by.get_username()
            when = timezone.localtime(fy.year_end_at)
            self.stdout.write(f"{fy.label} went through its year end on {when:%d/%m/%Y %H:%M} (by {who}); "
                              "nothing to post, nothing written.")
            return
        self._print(plan)
        if not plan.ready:
            raise CommandError(plan.refusal())
        if dry_run:
            self.stdout.write(f"Dry run: {len(plan.entries)} entries and "
                              f"{sum(e.kind in ('accrual', 'manual_accrual') for e in plan.entries)} accrual "
                              "reversals would be posted; nothing was written.")
            return
        try:
            with transaction.atomic():
                result = year_end_run(year=fy, by=person)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Posted {len(result.posted)} entries in {fy.label} P13 "
            f"({', '.join(e.reference for e in result.posted[:1])}{' ...' if len(result.posted) > 1 else ''}"
            f"{result.posted[-1].reference if len(result.posted) > 1 else ''}) and {len(result.reversals)} accrual "
            f"reversals; {fy.label} is closed."
        )

    def _print(self, plan):
        out = self.stdout.write
        out(f"Year end {plan.year.label}: checklist")
        for check in plan.checks:
            out(f"  [{'x' if check.ok else ' '}] {check.label}: {check.detail}")
        out("")
        out(f"Per fund ({plan.year.label}, as at {plan.year.end_date:%d/%m/%Y}; 'freed since' is money released or "
            f"clawed back after it, which stays in {plan.year.label}; 'committed next year' is already in "
            f"{plan.next_label}):")
        header = ("Fund", "Rule", "Available 31/03", "Grant accruals", "Other accruals", "Still committed",
                  "Owed to funder", "Carried forward", "Lapsed", "Freed since", "Committed next year")
        rows = [header] + [
            (r.fund.code, r.fund.get_year_end_rule_display().split(" (")[0], _money(r.available),
             _money(r.grant_accrued), _money(r.manual_accrued), _money(r.still_committed), _money(r.to_return),
             _money(r.to_carry), _money(r.to_lapse), _money(r.freed_since), _money(r.committed_next_year))
            for r in plan.funds
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for n, row in enumerate(rows):
            out("  " + "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in
                                 enumerate(zip(row, widths, strict=True))))
            if n == 0:
                out("  " + "  ".join("-" * w for w in widths))
        out("")
        out(f"Entries in {plan.year.label} P13 (year-end adjustments), dated {plan.year.end_date:%d/%m/%Y}:")
        if not plan.entries:
            out("  none")
        for n, entry in enumerate(plan.entries, start=1):
            out(f"  {n}. {entry.description}")
            for leg in entry.legs:
                side = "Dr" if leg.direction == "D" else "   Cr"
                out(f"       {side} {leg.account} {leg.fund.code} {leg.funding_year.label}  {format_gbp(leg.amount)}")
        accruals = [e for e in plan.entries if e.kind in ("accrual", "manual_accrual")]
        if accruals and plan.reversal_day:
            out(f"Then {len(accruals)} accrual reversals (each the mirror of its accrual), dated "
                f"{plan.reversal_day:%d/%m/%Y}, in {plan.year.label}'s funding year.")
        out("")

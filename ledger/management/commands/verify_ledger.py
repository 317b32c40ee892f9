from django.core.management.base import BaseCommand

from ledger.verification import verify


class Command(BaseCommand):
    help = "Recompute the hash chain, balance per entry and per fund, the kept balances and every fund's position."

    def handle(self, *args, **options):
        report = verify()
        if report.problems:
            for problem in report.problems:
                self.stdout.write(problem)
            self.stderr.write(
                f"Ledger verification FAILED: {len(report.problems)} problem(s) in {report.entries} entries."
            )
            raise SystemExit(1)
        self.stdout.write(
            f"Ledger OK: {report.entries} entries, {report.lines} lines, chain intact (head {report.last_hash[:12]}), "
            "every entry balanced in total and per fund, kept balances match, no fund below zero available."
        )

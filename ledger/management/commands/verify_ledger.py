from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ledger.verification import verify


class Command(BaseCommand):
    help = "Recompute the hash chain, balance per entry and per fund, the kept balances and every fund's position."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors", metavar="PATH",
            help="An anchor file (RINGFENCE_ANCHOR_PATH, or the auditor's copy): fail unless the ledger still leads "
            "to every chain head recorded there. Needs RINGFENCE_ANCHOR_KEY.",
        )

    def handle(self, *args, **options):
        anchors = Path(options["anchors"]) if options.get("anchors") else None
        if anchors is not None and not anchors.is_file():
            raise CommandError(f"No anchor file at {anchors}. Give the path of RINGFENCE_ANCHOR_PATH or a copy of it.")
        try:
            report = verify(anchors=anchors)
        except ImproperlyConfigured as error:
            raise CommandError(str(error))
        if report.problems:
            for problem in report.problems:
                self.stdout.write(problem)
            self.stderr.write(
                f"Ledger verification FAILED: {len(report.problems)} problem(s) in {report.entries} entries."
            )
            raise SystemExit(1)
        self.stdout.write(
            f"Ledger OK: {report.entries} entries, {report.lines} lines, chain intact (head {report.last_hash[:12]}), "
            "every entry balanced in total and per fund, kept balances match, no fund below zero available"
            + (f", and it leads to all {report.anchors} anchored heads." if report.anchors is not None else ".")
        )

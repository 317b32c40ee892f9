"""python manage.py export_gl_journal --period 2026-10 --output FILE.csv

Writes the summary journal of a closed calendar month for the corporate ledger (layout in the README), and prints
its row count, control total and SHA-256. Refuses, writing no file, a period that is not YYYY-MM, a month not set
up, an open month and postings with no corporate mapping (rules in ``corporate.journal``)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import argument_date
from core.money import format_gbp
from corporate.journal import gl_journal, gl_journal_csv, gl_period, sha256


class Command(BaseCommand):
    help = "Write the summary journal of a closed month for the corporate ledger, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=argument_date,
                            help="The calendar month, YYYY-MM, e.g. 2026-10.")
        parser.add_argument("--output", required=True, help="The .csv file to write.")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"{output} is a folder; give the name of the .csv file to write.")
        if not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.")
        try:
            period = gl_period(options["period"])
            journal = gl_journal(period=period)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        data = gl_journal_csv(journal)
        output.write_bytes(data)
        self.stdout.write(f"Wrote {output} ({len(data):,} bytes): journal {journal.reference}, {period}")
        self.stdout.write(
            f"{journal.line_count} lines from {journal.postings} postings; control total "
            f"{format_gbp(journal.control_total)} debits = {format_gbp(journal.total_credits)} credits"
        )
        self.stdout.write(f"SHA-256 {sha256(data)}")

"""python manage.py export_spending --month 2026-10 --output FILE.csv

Writes every payment of £500 or more made in a month that has ended (grant and supplier payments, not reversed),
redacted as the published file is (columns and rules in ``transparency.spending``). Refuses, writing no file, a
month that is not YYYY-MM, a month that has not ended, a month in no financial year, a month still open (not
closed), and a missing folder."""

from django.core.management.base import BaseCommand

from core.dates import argument_date
from transparency.management.commands._output import output_path, produce, write
from transparency.spending import spending_csv


class Command(BaseCommand):
    help = "Write the spending over £500 of a month that has ended, as the CSV file published each month."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, type=argument_date,
                            help="The calendar month, YYYY-MM, e.g. 2026-10.")
        parser.add_argument("--output", required=True, help="The .csv file to write.")

    def handle(self, *args, **options):
        output = output_path(options["output"])
        data, rows = produce(lambda: spending_csv(month=options["month"]))
        write(self, output, data, rows, "payments of £500 or more")

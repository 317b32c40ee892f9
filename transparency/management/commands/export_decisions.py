"""python manage.py export_decisions --output FILE.csv

Writes the decision log: every numbered decision; confidential ones with their number, date, "Confidential" and
the reason only (rules in ``transparency.decisions``). Refuses, writing nothing, a missing folder."""

from django.core.management.base import BaseCommand

from transparency.decisions import decisions_csv
from transparency.management.commands._output import output_path, produce, write


class Command(BaseCommand):
    help = "Write the decision log, as the CSV file published."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The .csv file to write.")

    def handle(self, *args, **options):
        output = output_path(options["output"])
        data, rows = produce(decisions_csv)
        write(self, output, data, rows, "decisions")

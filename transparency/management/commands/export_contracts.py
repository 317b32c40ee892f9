"""python manage.py export_contracts --output FILE.csv

Writes the contracts register: every approved order or contract worth more than £10,000 (columns and rules in
``transparency.contracts``), redacted as the published file is. Refuses, writing nothing, a missing folder."""

from django.core.management.base import BaseCommand

from transparency.contracts import contracts_csv
from transparency.management.commands._output import output_path, produce, write


class Command(BaseCommand):
    help = "Write the register of contracts and orders over £10,000, as the CSV file published."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The .csv file to write.")

    def handle(self, *args, **options):
        output = output_path(options["output"])
        data, rows = produce(contracts_csv)
        write(self, output, data, rows, "contracts over £10,000")

"""python manage.py export_360giving --year 2025/26 --output PATH.json: the year's grants in the 360Giving Data
Standard. Grants marked do-not-publish are left out and counted on stderr."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.giving360 import giving360_export


class Command(BaseCommand):
    help = "Write the grants awarded in a financial year as a 360Giving JSON package."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2025/26.")
        parser.add_argument("--output", required=True, help="The .json file to write.")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.is_dir() or not output.parent.exists():
            raise CommandError(f"Give the name of a .json file in an existing folder, not {output}.")
        try:
            export = giving360_export(year=options["year"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        if export.left_out:
            self.stderr.write(f"Left out {export.left_out} grant(s) marked do not publish.")
        if not export.published:
            raise CommandError(f"No grants to publish for {options['year']}: a 360Giving package needs at least one.")
        output.write_text(json.dumps(export.package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {export.published} grant(s) to {output}.")

"""python manage.py export_360giving --year 2025/26 [--as-at 2026-03-31] --output PATH.json: the year's grants in
the 360Giving Data Standard, as at a date (today by default).

As at the date: grants approved on or before it, payments and clawbacks dated on or before it (and not reversed
by then), variations decided on or before it and each grant's status on it (see ``reports.giving360``). Grants
marked do-not-publish, and withdrawn grants on which nothing was paid, are left out and counted on stderr."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import argument_date
from reports.giving360 import giving360_export


class Command(BaseCommand):
    help = "Write the grants awarded in a financial year, as at a date, as a 360Giving JSON package."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2025/26.")
        parser.add_argument(
            "--as-at", dest="as_at", default=None, type=argument_date,
            help="The date the package is as at (2026-03-31 or 31/03/2026; default today): grants approved, "
                 "payments and clawbacks made, variations decided and statuses as they stood on that date.",
        )
        parser.add_argument("--output", required=True, help="The .json file to write.")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.is_dir() or not output.parent.exists():
            raise CommandError(f"Give the name of a .json file in an existing folder, not {output}.")
        try:
            export = giving360_export(year=options["year"], as_at=options["as_at"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        if export.left_out:
            self.stderr.write(f"Left out {export.left_out} grant(s) marked do not publish.")
        if export.withdrawn_unpaid:
            self.stderr.write(f"Left out {export.withdrawn_unpaid} withdrawn grant(s) on which nothing was paid.")
        if not export.published:
            raise CommandError(f"No grants to publish for {options['year']} as at {export.as_at:%d/%m/%Y}: a "
                               "360Giving package needs at least one.")
        output.write_text(json.dumps(export.package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        grants = export.published - export.changes
        detail = f" and {export.changes} change(s) to an award" if export.changes else ""
        withdrawn = f" ({export.withdrawn} withdrawn, showing what was paid)" if export.withdrawn else ""
        self.stdout.write(f"Wrote {grants} grant(s){withdrawn}{detail} as at {export.as_at:%d/%m/%Y} to {output}.")

"""python manage.py export_statement --year 2025/26 [--as-at 2025-12-31] [--known-at 2026-01-05T09:00]
--format xlsx|pdf|csv --output PATH   (for csv, PATH is a folder: one file per statement)"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import argument_date
from reports.exports import FORMATS, pack_build, render_files
from reports.parameters import parameters_parse
from reports.registry import statement_classes


def refusal(error: ValidationError) -> CommandError:
    return CommandError(" ".join(error.messages))


class Command(BaseCommand):
    help = "Write the statements for a financial year, as at a date and as known at a moment, to a file."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2025/26.")
        parser.add_argument("--as-at", type=argument_date,
                            help="Accounting date (2025-12-31); default the year end or today.")
        parser.add_argument("--known-at", type=argument_date,
                            help="Moment (2026-01-05T09:00, UK time); default now.")
        parser.add_argument("--format", required=True, help=f"One of {', '.join(FORMATS)}.")
        parser.add_argument("--output", required=True, help="File to write; for csv, a folder.")
        parser.add_argument("--statement", action="append", help="Only this statement (repeatable): "
                            "fund, quarterly, retained, changes, ...")

    def handle(self, *args, **options):
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format '{options['format']}'; choose one of {', '.join(FORMATS)}.")
        keys = options["statement"]
        known = [cls.key for cls in statement_classes()]
        for key in keys or []:
            if key not in known:
                raise CommandError(f"Unknown statement '{key}'; choose from {', '.join(known)}.")
        try:
            params = parameters_parse(year=options["year"], as_at=options["as_at"], known_at=options["known_at"])
        except ValidationError as error:
            raise refusal(error)
        pack = pack_build(params, keys=keys, issued_by="manage.py export_statement")
        files = render_files(pack, fmt)
        output = Path(options["output"])
        if fmt == "csv":
            if output.exists() and not output.is_dir():
                raise CommandError(f"{output} is a file; for csv give a folder to write one file per statement into.")
            output.mkdir(parents=True, exist_ok=True)
            targets = [(output / name, content) for name, _type, content in files]
        else:
            if output.is_dir():
                raise CommandError(f"{output} is a folder; give the name of the .{fmt} file to write.")
            if not output.parent.exists():
                raise CommandError(f"The folder {output.parent} does not exist.")
            targets = [(output, files[0][2])]
        for path, content in targets:
            path.write_bytes(content)
            self.stdout.write(f"Wrote {path} ({len(content):,} bytes)")
        self.stdout.write(
            f"{params.year.label} as at {params.as_at:%d/%m/%Y}, known at {params.known_at.isoformat()}; "
            f"figures hash {pack.figures_hash}"
        )

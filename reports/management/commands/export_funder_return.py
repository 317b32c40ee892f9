"""python manage.py export_funder_return --fund MOJ-CORE --year 2025/26 --half 1|2 --format xlsx|pdf --output FILE
[--signed-by USERNAME]

Half 1 is H1 (1 April to 30 September), half 2 the full year. Refused, writing nothing: an unknown fund, year, half
or format, a half that has not ended, an output folder that does not exist, a signatory who is not a finance officer
or finance director (or, without --signed-by, no configured signatory and not exactly one finance director)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.funder_returns import FORMATS, funder_return, funder_return_file


class Command(BaseCommand):
    help = "Write a fund's return to its funder for a half-year (H1) or the full year, as Excel or PDF."

    def add_arguments(self, parser):
        parser.add_argument("--fund", required=True, help="Fund code, e.g. MOJ-CORE.")
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2025/26.")
        parser.add_argument("--half", required=True, help="1: H1 (1 April to 30 September); 2: the full year.")
        parser.add_argument("--format", required=True, help=f"One of {', '.join(FORMATS)}.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--signed-by", help="Username of the finance officer or finance director who signs it; "
                                                "default RINGFENCE_FUNDER_RETURN_SIGNATORY, else the finance director.")

    def handle(self, *args, **options):
        fmt = (options["format"] or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format '{options['format']}'; choose one of {', '.join(FORMATS)}.")
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"{output} is a folder; give the name of the .{fmt} file to write.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist; create it or write elsewhere.")
        try:
            ret = funder_return(fund=options["fund"], year=options["year"], half=options["half"],
                                signed_by=options["signed_by"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        _name, _type, content = funder_return_file(ret, fmt)
        output.write_bytes(content)
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes): {ret.fund.code} {ret.period_label}, produced at "
                          f"{ret.produced_at.isoformat()}, signed by {ret.signed_by_name}.")
        self.stdout.write(f"Received {ret.received:,.2f}; spent {ret.spent:,.2f} (of which other spending "
                          f"{ret.other:,.2f}); unspent {ret.unspent:,.2f}; {ret.grants_funded} grants funded; "
                          f"{ret.returns_counted} accepted returns counted.")

"""python manage.py issue_pack --year 2025/26 --user director [--month 2025-12 | --as-at 2025-12-31] [--known-at ...]
[--formats xlsx,pdf,csv] [--note "December FDG"]: issue a pack and store its files."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import argument_date
from reports.packs import pack_issue


class Command(BaseCommand):
    help = "Issue a statement pack for the finance directors' group and store its files with their SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--user", required=True, help="User name of the finance director or officer issuing it.")
        parser.add_argument("--month", type=argument_date,
                            help="The month's pack, as at its last day (refused until it has ended).")
        parser.add_argument("--as-at", type=argument_date)
        parser.add_argument("--known-at", type=argument_date)
        parser.add_argument("--formats", default="xlsx,pdf,csv")
        parser.add_argument("--note", default="")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"There is no user '{options['user']}'.")
        try:
            pack = pack_issue(year=options["year"], by=user, month=options["month"], as_at=options["as_at"],
                              known_at=options["known_at"],
                              formats=[f.strip() for f in options["formats"].split(",") if f.strip()],
                              note=options["note"])
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)])))
        self.stdout.write(f"Issued pack {pack.pk}: {pack.year.label} as at {pack.as_at:%d/%m/%Y}; "
                          f"figures hash {pack.figures_hash}")
        for f in pack.files.all():
            self.stdout.write(f"  {f.filename}  sha256 {f.sha256}")

"""python manage.py import_income PATH [--dry-run] [--user USERNAME]

Imports a .csv or .xlsx file of income in one transaction: every row is recorded, or none is. Exit status 0 when
the file was imported (or, with --dry-run, would be), 1 when it was refused; the report lists every failing row.
"""

import getpass
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.roles import FINANCE_OFFICER, has_role
from income.import_files import MAX_BYTES
from income.importing import income_import


class Command(BaseCommand):
    help = ("Import income (award letters, receipts, proceeds of crime, fixed penalties, course fees) from a .csv or "
            ".xlsx file with the columns fund_code, date, kind, reference, amount, description. All rows or none.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check everything and report; write nothing")
        parser.add_argument(
            "--user",
            help="the finance officer the income is recorded by (default: $RINGFENCE_USER, else your login name)",
        )

    def handle(self, *args, path, dry_run, user, **options):
        username = user or os.environ.get("RINGFENCE_USER") or getpass.getuser()
        person = get_user_model().objects.filter(username=username, is_active=True).first()
        if person is None or not has_role(person, FINANCE_OFFICER):
            raise CommandError(
                f"No active finance officer is called '{username}'. Say who is importing with --user USERNAME "
                "(a Ringfence user with the Finance officer role); the income is recorded in their name."
            )
        file = Path(path)
        try:
            if not file.is_file():
                raise CommandError(f"There is no file at {path}.")
            if file.stat().st_size > MAX_BYTES:
                # Refuse before reading a huge file into memory; read_sheet says the same for uploads.
                raise CommandError(f"Refused: {file.name} is {file.stat().st_size / (1024 * 1024):.1f} MB; the "
                                   "largest file accepted is 10 MB. Split it into smaller files. Nothing was written.")
            data = file.read_bytes()
        except (OSError, ValueError) as error:  # unreadable, a folder's permissions, a NUL in the path
            raise CommandError(f"Cannot read {path!r}: {getattr(error, 'strerror', None) or error}. Nothing was "
                               "written.")
        report = income_import(name=file.name, data=data, by=person, dry_run=dry_run)
        lines = report.lines()
        if not report.ok:
            for line in lines[1:]:
                self.stdout.write(line)
            raise CommandError(lines[0])
        for line in lines:
            self.stdout.write(line)

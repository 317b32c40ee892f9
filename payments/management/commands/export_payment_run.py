"""python manage.py export_payment_run RUN_ID --output FILE.csv [--user USERNAME]

Writes the payment file of an authorised (or paid) run (layout in the README, "Payment runs") and prints its count,
control total and SHA-256. Refused, writing no file, for a run not authorised or where a payee's bank details
changed after authorisation. ``--user`` records who exported it (a finance officer or director)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.money import format_gbp, from_pence
from payments.bank_file import payment_file
from payments.models import PaymentRun


class Command(BaseCommand):
    help = "Export the payment file (CSV) of an authorised payment run."

    def add_arguments(self, parser):
        parser.add_argument("run_id", type=int, help="The run's number, e.g. 12 for PR00012.")
        parser.add_argument("--output", required=True, help="Where to write the CSV file.")
        parser.add_argument("--user", help="Username of the finance officer or director exporting it.")

    def handle(self, *args, run_id, output, user=None, **options):
        run = PaymentRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"There is no payment run {run_id}.")
        person = None
        if user:
            person = get_user_model().objects.filter(username=user, is_active=True).first()
            if person is None:
                raise CommandError(f"No active user called '{user}'.")
        try:
            content = payment_file(run, by=person)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        Path(output).write_bytes(content)
        run.refresh_from_db()
        trailer = content.decode("utf-8").rstrip("\r\n").rsplit("\r\n", 1)[-1].split(",")
        self.stdout.write(f"{run.reference}: {trailer[4]} payments, control total {trailer[3]} pence "
                          f"({format_gbp(from_pence(int(trailer[3])))}), written to {output}")
        self.stdout.write(f"SHA-256 {run.file_sha256}")

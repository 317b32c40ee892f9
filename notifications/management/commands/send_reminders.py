"""python manage.py send_reminders [--today DD/MM/YYYY] [--dry-run]: the daily reminders, run by cron once a day
(README, "Reminders"). Each reminder is recorded and emailed at most once a day, so running it again the same day
sends nothing new."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import date_in_range
from notifications.models import Notification
from notifications.services import reminders_send

FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_today(text: str):
    for fmt in FORMATS:
        try:
            day = datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        try:
            return date_in_range(day)
        except ValidationError as refusal:
            raise CommandError(f"--today: {refusal.messages[0]}") from None
    raise CommandError(f"--today: {text!r} is not a date; give the day as DD/MM/YYYY or YYYY-MM-DD, "
                       "for example 04/12/2026 or 2026-12-04.")


class Command(BaseCommand):
    help = ("Send today's reminders (returns due and overdue, approvals waiting, instalments due, payment runs to "
            "authorise): each person is emailed about each thing at most once a day, and sees it in Notifications.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to remind for, DD/MM/YYYY or YYYY-MM-DD (default: today).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be sent; record and send nothing.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            asked = parse_today(options["today"])
            if asked > today:
                raise CommandError(f"--today: {asked:%d/%m/%Y} is after today ({today:%d/%m/%Y}); reminders are sent "
                                   "for today or, to catch up, an earlier day, never a later one (that day's own "
                                   "run would then send nothing).")
            today = asked
        summary = reminders_send(today=today, dry_run=options["dry_run"])
        sent = "Would email" if summary.dry_run else "Emailed"
        in_app = "Would show (no email)" if summary.dry_run else "In app only (no email)"
        self.stdout.write(f"Reminders for {today:%d/%m/%Y}" + (" (dry run: nothing recorded or sent)"
                                                                  if summary.dry_run else "") + ":")
        headings = ("Reminder", sent, in_app, "Already sent today", "Failed")
        labels = dict(Notification.Kind.choices)
        rows = [(labels[kind], c.sent, c.in_app_only, c.already, c.failed) for kind, c in summary.kinds.items()]
        rows.append(("Total", summary.total("sent"), summary.total("in_app_only"), summary.total("already"),
                     summary.total("failed")))
        width = max(len(str(row[0])) for row in [headings, *rows])
        self.stdout.write(f"  {headings[0]:<{width}}  " + "  ".join(f"{h:>{len(h)}}" for h in headings[1:]))
        for row in rows:
            self.stdout.write(f"  {row[0]:<{width}}  " + "  ".join(f"{v:>{len(h)}}"
                                                                    for v, h in zip(row[1:], headings[1:],
                                                                                    strict=True)))
        for error in summary.errors:
            self.stderr.write(f"Not sent: {error}")
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} email(s) could not be sent; they are tried again by the next "
                               "run today.")

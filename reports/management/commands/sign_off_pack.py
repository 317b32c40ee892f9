"""python manage.py sign_off_pack ID --user director [--statement "..."]: the chief finance officer's sign-off of an
issued pack (refused unless the pack rebuilds exactly; see reports.signoff)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.models import IssuedPack
from reports.signoff import STATEMENT_OF_REVIEW, pack_sign_off


class Command(BaseCommand):
    help = "Sign off an issued pack as the finance director: records the statement of review and the pack's SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("pack", type=int)
        parser.add_argument("--user", required=True, help="User name of the finance director signing it off.")
        parser.add_argument("--statement", default=STATEMENT_OF_REVIEW)

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user '{options['user']}'.")
        pack = IssuedPack.objects.filter(pk=options["pack"]).first()
        if pack is None:
            raise CommandError(f"There is no issued pack {options['pack']}.")
        try:
            done = pack_sign_off(pack=pack, by=user, statement=options["statement"])
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)])))
        self.stdout.write(f"Pack {pack.pk} signed off by {done.signed_by_name}; pack SHA-256 {done.pack_sha256}")

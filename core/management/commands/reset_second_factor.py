"""python manage.py reset_second_factor USERNAME --reason "..."

For the administrator, when someone has lost or replaced the phone their authenticator app was on (and has no
recovery code left): removes their app and recovery codes, so they set up a new app at their next sign-in. The
reset is kept in the audit log (``core.Event`` ``account.second_factor_reset``) with the reason and the operating
system account that ran it, and logged to ``ringfence.security``. Check who is asking before running it: it is the
one way past a person's second factor.
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.two_factor import second_factor_required, second_factor_reset


def operator_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container with an unnamed user id)
        return "unknown"


class Command(BaseCommand):
    help = "Remove a person's authenticator app and recovery codes (a lost phone), recording the reason."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the person's user name, e.g. finance")
        parser.add_argument("--reason", required=True,
                            help='why, for the audit log, e.g. "Phone lost, identity checked by phone 3/12/2026"')

    def handle(self, *args, username, reason, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}: give the user name they sign in with.")
        try:
            removed = second_factor_reset(user=user, reason=reason, operator=operator_name())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        then = ("They will be asked to set up a new app when they next sign in." if second_factor_required() else
                "They sign in with their password alone until they set up a new app from their account page.")
        self.stdout.write(f"Removed {username}'s authenticator app ({removed['apps']}) and "
                          f"{removed['recovery_codes']} unused recovery code(s); recorded as event "
                          f"{removed['event']}. {then}")

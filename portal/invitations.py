"""Inviting a person at a commissioned organisation to the provider portal, and their accepting it.

A finance officer invites a person by email (``invitation_create``): the email carries a single-use link with a
random token that expires after ``settings.RINGFENCE_INVITATION_DAYS`` days; only the token's SHA-256 is stored. The
person opens the link and chooses a user name and password (``invitation_accept``), under the same password rules
as the office (``AUTH_PASSWORD_VALIDATORS``) and, afterwards, the same login page and lock-out. Accepting makes the
user, puts them in the Provider group and ties them to the organisation (``grants.models.ProviderAccount``), all in
one transaction, or writes nothing and says why.
"""

import hashlib
import secrets
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, PROVIDER, require_role
from grants.models import Organisation, ProviderAccount
from portal.models import Invitation

UNKNOWN = ("This invitation link is not recognised. Check that the whole link from the email was used, or ask the "
           "office for a new invitation.")


def invitation_days() -> int:
    return int(getattr(settings, "RINGFENCE_INVITATION_DAYS", 7))


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_link(token: str) -> str:
    site = getattr(settings, "RINGFENCE_SITE_URL", "") or "http://127.0.0.1:8000"
    return f"{site.rstrip('/')}{reverse('portal:invitation_accept', args=[token])}"


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _clean_email(email) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"'{email}' is not an email address; give one like name@charity.org.uk."}
                              if email else {"email": "Give the person's email address, e.g. name@charity.org.uk."})
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, full_name: str, by,
                      now=None) -> tuple[Invitation, str]:
    """Invite ``full_name`` at ``email`` to act for ``organisation`` in the portal; email them the link. Returns the
    invitation and the token (for the email and tests only: no page shows it). An open invitation to the same email
    for the same organisation is withdrawn by the new one."""
    require_role(by, FINANCE_OFFICERS, doing="invite people to the provider portal")
    now = now or timezone.now()
    refusals = Refusals()
    email = refusals.check("email", _clean_email, email)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        refusals.add("full_name", "Give the person's full name, e.g. Amina Patel.")
    elif len(full_name) > 150:
        refusals.add("full_name", "Give a name of at most 150 characters.")
    if email and get_user_model().objects.filter(email__iexact=email, is_active=True).exists():
        refusals.add("email", f"{email} already belongs to an active account; that person signs in with it. Ask "
                              "them to reset their password rather than sending an invitation.")
    refusals.raise_any()
    organisation = lock(Organisation.objects.filter(pk=organisation.pk))[0]
    for old in Invitation.objects.filter(organisation=organisation, email__iexact=email, used_at__isnull=True,
                                         withdrawn_at__isnull=True, expires_at__gt=now):
        old.withdrawn_at, old.withdrawn_by = now, by
        save_with_history(old, by=by, reason="Replaced by a new invitation", clean=False)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation=organisation, email=email, full_name=full_name, token_hash=token_hash(token),
                            created_by=by, created_at=now, expires_at=now + timedelta(days=invitation_days()))
    save_with_history(invitation, by=by, reason="Invitation sent")
    record_event("portal.invitation_sent", by=by, obj=invitation,
                 summary=f"{organisation.name}: {full_name} <{email}> invited to the provider portal")
    link = invitation_link(token)
    body = (f"Dear {full_name},\n\n"
            f"{settings.RINGFENCE['OWNING_BODY']} has invited you to its provider portal, to act for "
            f"{organisation.name}: accept grant offers, send monitoring returns and read messages from the office.\n\n"
            f"Open this link to choose your user name and password:\n{link}\n\n"
            f"The link works once and expires on {_local(invitation.expires_at)}. If you did not expect this email, "
            "ignore it.\n")
    try:  # inside the transaction: an invitation whose email could not be sent is not kept
        send_mail(f"Your invitation to the {settings.RINGFENCE['OWNING_BODY_SHORT']} provider portal", body, None,
                  [email])
    except (OSError, SMTPException) as error:
        raise ValidationError(f"The invitation email to {email} could not be sent ({error}); nothing was saved. "
                              "Try again later, or ask the system administrator to check the email settings.")
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token opens, whatever its state, or ``None``."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("organisation").filter(token_hash=token_hash(token)).first()


def invitation_refusal(invitation: Invitation | None, *, now=None) -> str | None:
    """Why ``invitation`` cannot be accepted now (unknown, withdrawn, used, expired), or ``None``. Reads only."""
    now = now or timezone.now()
    if invitation is None:
        return UNKNOWN
    if invitation.used_at is not None:
        return f"This invitation was used on {_local(invitation.used_at)}; sign in instead."
    if invitation.withdrawn_at is not None:
        return (f"This invitation was withdrawn by the office on {_local(invitation.withdrawn_at)}; ask the office "
                "for a new one if you still need an account.")
    if invitation.expires_at <= now:
        return f"This invitation expired on {_local(invitation.expires_at)}; ask the office for a new one."
    return None


@transaction.atomic
def invitation_accept(*, token: str, username: str, password1: str, password2: str, now=None):
    """Open the provider account an invitation offers: a user named ``username`` with the invitation's email and
    name, in the Provider group, tied to the invitation's organisation. Refuses an unknown, used, withdrawn or expired
    invitation, a user name already taken, passwords that differ or break a password rule (every rule broken is
    named at once); a refusal writes nothing. Returns the user."""
    now = now or timezone.now()
    found = invitation_for_token(token)
    if found is not None:
        found = lock(Invitation.objects.filter(pk=found.pk).select_related("organisation", "created_by"))[0]
    refusal = invitation_refusal(found, now=now)
    if refusal:
        raise ValidationError(refusal)
    invitation = found
    User = get_user_model()
    refusals = Refusals()
    username = (username or "").strip()
    if not username:
        refusals.add("username", "Choose a user name: letters, digits and @ . + - _ only, e.g. apatel.")
    else:
        for validator in User._meta.get_field("username").validators:
            refusals.check("username", validator, username)
        if not refusals.refused("username") and User.objects.filter(username__iexact=username).exists():
            refusals.add("username", f"The user name '{username}' is taken; choose another.")
    first, _, last = invitation.full_name.partition(" ")
    user = User(username=username, email=invitation.email, first_name=first[:150], last_name=last[:150])
    if not password1:
        refusals.add("password1", "Choose a password.")
    elif password1 != password2:
        refusals.add("password2", "The two passwords differ; type the same password in both boxes.")
    else:
        refusals.check("password1", validate_password, password1, user)
    refusals.raise_any()
    user.set_password(password1)
    user.save()
    user.groups.add(Group.objects.get(name=PROVIDER))
    account = ProviderAccount(user=user, organisation=invitation.organisation, created_by=invitation.created_by)
    save_with_history(account, by=user, reason="Invitation accepted")
    invitation.used_at, invitation.user = now, user
    save_with_history(invitation, by=user, reason="Invitation accepted", clean=False)
    record_event("portal.invitation_accepted", by=user, obj=account,
                 summary=f"{invitation.organisation.name}: {invitation.full_name} opened provider account "
                         f"'{username}'")
    return user


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by, now=None) -> Invitation:
    """Withdraw an invitation not yet used, so its link no longer works."""
    require_role(by, FINANCE_OFFICERS, doing="withdraw invitations to the provider portal")
    now = now or timezone.now()
    invitation = lock(Invitation.objects.filter(pk=invitation.pk).select_related("organisation"))[0]
    if invitation.used_at is not None:
        raise ValidationError(f"This invitation was used on {_local(invitation.used_at)}; to stop that person "
                              "signing in, make their account inactive instead.")
    if invitation.withdrawn_at is not None:
        raise ValidationError(f"This invitation was already withdrawn on {_local(invitation.withdrawn_at)}.")
    invitation.withdrawn_at, invitation.withdrawn_by = now, by
    save_with_history(invitation, by=by, reason="Invitation withdrawn", clean=False)
    record_event("portal.invitation_withdrawn", by=by, obj=invitation,
                 summary=f"{invitation.organisation.name}: invitation for {invitation.email} withdrawn")
    return invitation


def open_invitations(organisation: Organisation, *, now=None):
    now = now or timezone.now()
    return (Invitation.objects.filter(organisation=organisation, used_at__isnull=True, withdrawn_at__isnull=True,
                                      expires_at__gt=now).order_by("-created_at"))

"""The provider portal in the demo: a person at each organisation with a running grant is invited by a finance
officer and opens their account through the real invitation (``portal.invitations``), on dates in the demo's past;
from then on that organisation's returns are sent through the portal (``demo.grants``), and the office writes to a
few of them. The first two accounts are ``provider`` and ``provider2`` (two different organisations), with the demo
password."""

from datetime import date

from django.test import override_settings

from demo.people import demo_password
from demo.timeline import at
from grants.models import Grant, Organisation, ProviderAccount
from portal.invitations import invitation_accept, invitation_create
from portal.messaging import portal_message_send
from portal.models import Invitation

# The days the office invites the organisations whose grants are running by then (new ones join later). The portal
# opens after the first quarter's returns came in, so those were entered by the officers; the rest are sent in it.
INVITING_DAYS = [date(2025, 7, 21), date(2025, 11, 17), date(2026, 6, 15), date(2026, 10, 12)]
# Fictional contacts, one per organisation in the order they are invited.
CONTACTS = [
    "Amina Patel", "Gareth Lloyd", "Sofia Nowak", "Daniel Mensah", "Ruth Kaur", "Imran Siddiqui", "Chloe Bennett",
    "Marcus Reid", "Harpreet Gill", "Joanne Whitfield", "Samuel Adeyemi", "Lucy Harrington", "Bilal Hussain",
    "Eleanor Price", "Kwame Asante", "Naomi Clarke", "Owen Griffiths", "Zainab Rahman", "Peter Kowalski",
    "Grace O'Neill",
]


def portal_username(n: int) -> str:
    return "provider" if n == 1 else f"provider{n}"


def portal_logins() -> list[tuple[str, str, str]]:
    """(username, name, organisation) of the demo's provider accounts, in the order they were opened."""
    return [(a.user.username, a.user.get_full_name(), a.organisation.name)
            for a in ProviderAccount.objects.select_related("user", "organisation").order_by("created_at", "pk")]


def _running_without_account():
    running = Grant.objects.filter(status__in=(Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE))
    invited = Invitation.objects.filter(used_at__isnull=True, withdrawn_at__isnull=True).values("organisation")
    return list(Organisation.objects.filter(grants__in=running).exclude(provider_accounts__isnull=False)
                .exclude(pk__in=invited).distinct().order_by("pk"))


def portal_story(users, *, today: date):
    """Invitations sent at 10:00 on each inviting day and accepted that afternoon; messages from the office."""
    officer = users["finance"]
    opened = 0
    for day in INVITING_DAYS:
        if day >= today:
            return
        yield at(day, "10:00")
        sent = []
        for organisation in _running_without_account():
            name = CONTACTS[(opened + len(sent)) % len(CONTACTS)]
            slug = "".join(c for c in organisation.name.lower() if c.isalnum())[:20]
            email = f"{name.split()[0].lower()}@{slug}.example"
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):  # not sent
                sent.append(invitation_create(organisation=organisation, email=email, full_name=name, by=officer)[1])
        yield at(day, "14:30")
        for token in sent:
            opened += 1
            password = demo_password()
            invitation_accept(token=token, username=portal_username(opened), password1=password, password2=password)
        if day == INVITING_DAYS[0] and opened:
            yield at(date(2025, 7, 22), "09:30")
            for account in ProviderAccount.objects.select_related("organisation").order_by("created_at", "pk")[:2]:
                portal_message_send(
                    organisation=account.organisation, by=officer, subject="Welcome to the provider portal",
                    body="Your quarterly monitoring returns can now be sent here, from the day after each quarter "
                         "ends: the Q2 return (July to September) from 1 October 2025.\n\nPriya Sandhu, finance "
                         "officer")
            yield at(date(2025, 10, 1), "09:15")
            first = ProviderAccount.objects.order_by("created_at", "pk").first()
            grant = first.organisation.grants.filter(status=Grant.Status.ACTIVE).order_by("pk").first()
            portal_message_send(organisation=first.organisation, grant=grant, by=officer,
                                subject="Q2 return reminder",
                                body="A reminder that the Q2 return (July to September) can be sent from today. "
                                     "Please include the referral figures by area.")

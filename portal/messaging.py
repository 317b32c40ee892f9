"""Messages from the office to a provider organisation, read in the portal by that organisation's people only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, PROVIDERS, require_role
from grants.models import Grant, Organisation
from grants.providers import provider_organisation
from portal.models import PortalMessage


@transaction.atomic
def portal_message_send(*, organisation: Organisation, subject: str, body: str, by,
                        grant: Grant | None = None, now=None) -> PortalMessage:
    """Send a message from the office to ``organisation``'s provider users (about ``grant``, one of its grants)."""
    require_role(by, FINANCE_OFFICERS, doing="send messages to providers")
    refusals = Refusals()
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        refusals.add("subject", "Give the message a subject, e.g. 'Q2 return reminder'.")
    elif len(subject) > 200:
        refusals.add("subject", "Give a subject of at most 200 characters.")
    if not body:
        refusals.add("body", "Write the message.")
    if grant is not None and grant.organisation_id != organisation.pk:
        refusals.add("grant", f"{grant.reference} is not a grant to {organisation.name}.")
    refusals.raise_any()
    message = PortalMessage(organisation=organisation, grant=grant, subject=subject, body=body, sent_by=by,
                            sent_at=now or timezone.now())
    save_with_history(message, by=by, reason="Message sent")
    record_event("portal.message_sent", by=by, obj=message,
                 summary=f"{organisation.name}: message '{subject}' sent")
    return message


@transaction.atomic
def portal_message_read(*, message: PortalMessage, by, now=None) -> PortalMessage:
    """Mark a message as read by a provider user of its organisation (the first reading is kept)."""
    require_role(by, PROVIDERS, doing="mark messages as read")
    message = lock(PortalMessage.objects.filter(pk=message.pk))[0]
    if provider_organisation(by) is None or provider_organisation(by).pk != message.organisation_id:
        raise PermissionDenied("Only the people of the organisation a message was sent to may mark it as read.")
    if message.read_at is not None:
        return message
    message.read_at, message.read_by = now or timezone.now(), by
    save_with_history(message, by=by, reason="Message read", clean=False)
    return message


def messages_for(organisation: Organisation):
    return PortalMessage.objects.filter(organisation=organisation).select_related("grant", "sent_by")


def unread_count(organisation: Organisation) -> int:
    return PortalMessage.objects.filter(organisation=organisation, read_at__isnull=True).count()


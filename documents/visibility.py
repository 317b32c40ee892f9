"""Who may see a record's documents, and which records take documents at all.

Office roles may see the documents of every record. A provider user sees only records of their own organisation
(the organisation itself, its grants and their monitoring returns, its bank details and services), and of those
only the documents shared with providers or that they uploaded themselves. Every other kind of record (award
letters from funders, supplier invoices, the ledger...) is never theirs to see.
"""

from django.urls import reverse

from core.roles import EVERY_ROLE, has_role
from grants.models import BankDetails, CommissionedService, Grant, MonitoringReturn, Organisation
from grants.providers import provider_organisation
from income.models import AwardLetter
from spending.models import Invoice

#: The records documents may be attached to (by ``app_label.model``), each with its page.
ATTACHABLE = {
    Organisation._meta.label_lower: lambda r: reverse("grants:organisation_detail", args=[r.pk]),
    Grant._meta.label_lower: lambda r: reverse("grants:detail", args=[r.pk]),
    MonitoringReturn._meta.label_lower: lambda r: reverse("grants:return_detail", args=[r.pk]),
    BankDetails._meta.label_lower: lambda r: reverse("grants:organisation_detail", args=[r.organisation_id]),
    CommissionedService._meta.label_lower: lambda r: reverse("grants:organisation_detail", args=[r.organisation_id]),
    AwardLetter._meta.label_lower: lambda r: reverse("income:detail", kwargs={"kind": "award-letters", "pk": r.pk}),
    Invoice._meta.label_lower: lambda r: reverse("spending:invoice_detail", args=[r.pk]),
}
#: The records a provider may add documents to (their own organisation's), and the kinds they may add.
PROVIDER_UPLOADS = {m._meta.label_lower for m in (Organisation, Grant, MonitoringReturn, BankDetails)}
PROVIDER_KINDS = ("evidence", "bank_letter")


def label_of(record) -> str:
    return record._meta.label_lower


def is_attachable(record) -> bool:
    return label_of(record) in ATTACHABLE


def record_url(record) -> str:
    return ATTACHABLE[label_of(record)](record)


def is_office(user) -> bool:
    return has_role(user, *EVERY_ROLE)


def organisation_of(record) -> Organisation | None:
    """The organisation a record belongs to, or ``None`` for records of no organisation (income, spending...)."""
    if isinstance(record, Organisation):
        return record
    if isinstance(record, (Grant, BankDetails, CommissionedService)):
        return record.organisation
    if isinstance(record, MonitoringReturn):
        return record.grant.organisation
    return None


def may_see(user, record) -> bool:
    """May ``user`` see ``record`` (and so the documents on it that are theirs to see)?"""
    if record is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_office(user):
        return True
    mine = provider_organisation(user)
    if mine is None:
        return False
    owner = organisation_of(record)
    return owner is not None and owner.pk == mine.pk


def may_see_attachment(user, attachment) -> bool:
    if not may_see(user, attachment.record):
        return False
    return is_office(user) or attachment.visible_to_provider or attachment.uploaded_by_id == user.pk


def may_attach(user, record) -> bool:
    """Whether the page offers ``user`` the upload form for ``record`` (the service checks again)."""
    if not is_attachable(record) or not may_see(user, record):
        return False
    return is_office(user) or label_of(record) in PROVIDER_UPLOADS

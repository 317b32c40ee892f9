"""Documents attached to records: award letters, grant agreements, offers, evidence, bank letters, invoices.

A file is stored through Django's storage API under a name the server makes (``documents/YYYY/MM/<uuid>``), never
one a person chose; the name they gave is kept for display and for the download's file name only. A file is
withdrawn, never deleted, and every change is in its history.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from simple_history.models import HistoricalRecords

from documents.sniffing import NEVER_SERVED


def attachment_path(instance, filename: str) -> str:
    """Where a file is stored: chosen by the server alone (``filename``, the person's name, is ignored)."""
    now = timezone.now()
    return f"documents/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        AWARD_LETTER = "award_letter", "Award letter"
        GRANT_AGREEMENT = "grant_agreement", "Grant agreement"
        OFFER_LETTER = "offer_letter", "Offer letter"
        EVIDENCE = "evidence", "Evidence"
        BANK_LETTER = "bank_letter", "Bank letter"
        INVOICE = "invoice", "Invoice"
        OTHER = "other", "Other"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    original_name = models.CharField(max_length=200, help_text="The file's name as uploaded (display only).")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64, validators=[RegexValidator(r"^[0-9a-f]{64}\Z",
                                                                        "A SHA-256 is 64 lower-case hex digits.")])
    detected_type = models.CharField(max_length=100, help_text="The content type read from the file's bytes.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    visible_to_provider = models.BooleanField(
        default=False, help_text="Whether people at the record's organisation may see it (their own uploads always).",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawn_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="documents_attachment_record")]
        constraints = [
            models.CheckConstraint(condition=Exact(Length("sha256"), 64), name="documents_sha256_length",
                                   violation_error_message="A SHA-256 is 64 hex digits."),
            models.CheckConstraint(condition=Q(size__gt=0), name="documents_size_positive",
                                   violation_error_message="An empty file is not kept."),
            models.CheckConstraint(
                condition=(Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawn_reason="")
                           | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawn_reason=""))),
                name="documents_withdrawn_with_reason",
                violation_error_message="A withdrawn document needs who withdrew it, when and why.",
            ),
            models.CheckConstraint(condition=~Q(detected_type__in=sorted(NEVER_SERVED)),
                                   name="documents_never_markup",
                                   violation_error_message="HTML, SVG, XML and scripts are never kept."),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_kind_display().lower()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def sha256_short(self) -> str:
        return self.sha256[:12]

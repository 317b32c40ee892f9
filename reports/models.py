"""Issued packs: what was sent to the finance directors' group, kept exactly as sent.

An issued pack records the parameters it was produced for (year, as-at date, known-at moment), who issued it and
when, the hash of its figures, a per-fund summary for comparing the next pack against it, and each file's bytes
with their SHA-256. Rebuilding the pack from its parameters gives the same figures (and, for the same issuer and
moment on the cover, the same bytes): ``reports.packs.pack_verify`` proves it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from funds.models import FinancialYear


class IssuedPack(models.Model):
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    as_at = models.DateField(help_text="Accounting date: entries dated on or before it count.")
    known_at = models.DateTimeField(help_text="Entries posted, and names and budgets recorded, after it do not count.")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    parameters = models.JSONField(help_text="Everything needed to rebuild the pack: year, dates, statements, formats.")
    figures_hash = models.CharField(max_length=64, help_text="SHA-256 of every figure of every statement.")
    summary = models.JSONField(default=dict, help_text="Per-fund totals, for the movement to the next pack.")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(known_at__lte=F("issued_at")), name="reports_pack_known_before_issue"),
        ]

    def __str__(self):
        return f"Pack {self.pk} {self.year.label} as at {self.as_at:%d/%m/%Y}"


class IssuedPackFile(models.Model):
    """One file of an issued pack, stored in the database so it travels with backups of the ledger."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel workbook"
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV (one statement)"

    pack = models.ForeignKey(IssuedPack, on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["pack", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "filename"], name="reports_packfile_unique_name"),
            models.CheckConstraint(condition=Q(format__in=["xlsx", "pdf", "csv"]), name="reports_packfile_format"),
        ]

    def __str__(self):
        return self.filename


class PackSignOff(models.Model):
    """The chief finance officer's record that an issued pack was reviewed: a statement of review, who, when, and
    the pack's SHA-256 (``reports.signoff.pack_digest``: the digest of its files' names and digests) at that moment.

    Written once and never changed. It protects its pack: neither can be deleted while the other exists (the foreign
    key is checked by the database, not only by Django)."""

    pack = models.OneToOneField(IssuedPack, on_delete=models.PROTECT, related_name="sign_off")
    statement = models.TextField(help_text="The statement of review, in the signatory's words.")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by_name = models.CharField(max_length=200, help_text="The signatory's name as it was when they signed.")
    signed_at = models.DateTimeField()
    pack_sha256 = models.CharField(max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(statement=""), name="reports_signoff_statement_given"),
        ]

    def __str__(self):
        return f"Sign-off of pack {self.pack_id}"

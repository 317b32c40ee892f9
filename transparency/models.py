"""Publications: what a finance director has marked published for the public transparency page.

Each publication keeps the file exactly as it was published (its bytes, their SHA-256, size, name and content type),
who published it and when. Publishing the same file again (the same month's spending, the contracts register, the
decision log, or the same year's 360Giving package) adds a new record and marks the earlier one superseded: it is
kept, with its bytes, but no longer served to the public. A withdrawn publication is kept too, with who withdrew it,
when and why. Only records whose status is ``published`` are public, and at most one per ``key`` at a time (a
database constraint). Rules: ``transparency.publications``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from funds.models import FinancialYear


class Publication(models.Model):
    class Kind(models.TextChoices):
        SPENDING = "spending-month", "Spending over £500 (one month)"
        CONTRACTS = "contracts", "Contracts over £10,000"
        DECISIONS = "decisions", "Decision log"
        GIVING360 = "360giving", "Grants in the 360Giving Data Standard (one financial year)"

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    month = models.DateField(null=True, blank=True, help_text="First day of the month (spending files only).")
    year = models.ForeignKey(
        FinancialYear, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The financial year (360Giving packages only).",
    )
    key = models.CharField(
        max_length=40, db_index=True,
        help_text="What is published, e.g. spending-month:2026-10, contracts, 360giving:2025/26: one public copy each.",
    )
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(help_text="Rows (or grants) in the file.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
        help_text="The public copy this one replaced (kept, marked superseded).",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(status="published"), name="transparency_one_public_copy",
                violation_error_message="That file is already published; publishing again supersedes it.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["spending-month", "contracts", "decisions", "360giving"]),
                name="transparency_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="spending-month") & Q(month__isnull=False, year__isnull=True))
                | (Q(kind="360giving") & Q(month__isnull=True, year__isnull=False))
                | (Q(kind__in=["contracts", "decisions"]) & Q(month__isnull=True, year__isnull=True)),
                name="transparency_period_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn")
                | (Q(withdrawn_by__isnull=False, withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="transparency_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()} {self.published_at:%d/%m/%Y})"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.SPENDING and self.month:
            return f"Spending over £500, {self.month:%B %Y}"
        if self.kind == self.Kind.GIVING360 and self.year_id:
            return f"Grants (360Giving), {self.year.label}"
        return self.get_kind_display()

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

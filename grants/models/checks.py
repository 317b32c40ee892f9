"""Due diligence and fraud-risk checks: a short checklist per grant, every item complete before the first payment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.models.awards import Grant


class CheckType(models.Model):
    """One item of the standard checklist (data, created by migration; finance can add or retire items).
    Each new grant gets a copy of every active item."""

    class Kind(models.TextChoices):
        DUE_DILIGENCE = "due_diligence", "Due diligence"
        FRAUD_RISK = "fraud_risk", "Fraud risk"

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    guidance = models.TextField(blank=True, help_text="What evidence satisfies the check.")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return self.label


class GrantCheck(models.Model):
    """One item of a grant's checklist. Its result is recorded with the evidence seen and the date the check was
    done. A satisfactory result completes it (``is_complete``: payments may go); "concerns found" keeps it open,
    with the concern on record, until it is checked again and found satisfactory."""

    class Result(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory"
        CONCERNS = "concerns", "Concerns found"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="checks")
    check_type = models.ForeignKey(CheckType, on_delete=models.PROTECT, related_name="+")
    is_complete = models.BooleanField(default=False)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    checked_on = models.DateField(null=True, blank=True, help_text="The day the check was done.")
    evidence = models.TextField(blank=True, help_text="What was seen, e.g. 'Accounts to 31/03/2025 reviewed'.")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "check_type__order", "check_type__code"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "check_type"], name="grants_check_unique"),
            models.CheckConstraint(
                condition=Q(is_complete=False)
                | (Q(completed_by__isnull=False, completed_at__isnull=False) & ~Q(evidence="")),
                name="grants_check_complete_has_evidence",
                violation_error_message="A completed check needs its evidence, who checked and when.",
            ),
            models.CheckConstraint(
                condition=Q(is_complete=True, result="satisfactory")
                | (Q(is_complete=False) & ~Q(result="satisfactory")),
                name="grants_check_complete_is_satisfactory",
                violation_error_message="A check is complete exactly when its result is satisfactory.",
            ),
            models.CheckConstraint(
                condition=Q(result="", checked_on__isnull=True)
                | (~Q(result="") & Q(checked_on__isnull=False, completed_by__isnull=False) & ~Q(evidence="")),
                name="grants_check_result_has_evidence_and_date",
                violation_error_message="A check's result needs its evidence, the date it was done and who did it.",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference}: {self.check_type.label}"

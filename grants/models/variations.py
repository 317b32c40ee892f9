"""Variations: changes to a grant's amounts, dates or conditions after approval, approved like the grant."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, FinancialYear, Fund, gbp_only
from grants.models.awards import Decision, FundingLine, Grant


class GrantVariation(models.Model):
    """A requested change. ``before`` and ``after`` hold the values as they were and as proposed (JSON, for the
    timeline); the amounts per funding line are in ``lines``. Fields left empty are not being changed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="variations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    reason = models.TextField(help_text="Why the grant should change.")
    new_start_date = models.DateField(null=True, blank=True)
    new_end_date = models.DateField(null=True, blank=True)
    new_conditions = models.TextField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="variations")
    decision_note = models.TextField(blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"], condition=Q(status="requested"), name="grants_variation_one_open",
                violation_error_message="This grant already has a variation awaiting approval.",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="grants_variation_no_self_approval",
                violation_error_message="Nobody decides a variation they requested.",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="grants_variation_decided_has_decider",
            ),
        ]

    def __str__(self):
        return f"Variation {self.pk} of {self.grant.reference}"


class VariationLine(models.Model):
    """The amount a variation proposes for one fund and year (a new funding line when ``funding_line`` is empty)."""

    variation = models.ForeignKey(GrantVariation, on_delete=models.PROTECT, related_name="lines")
    funding_line = models.ForeignKey(FundingLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    amount_before = MoneyField(**MONEY)
    amount_after = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["variation", "year__start_year", "fund__code"]
        constraints = [
            models.UniqueConstraint(fields=["variation", "fund", "year"], name="grants_variationline_unique"),
            models.CheckConstraint(
                condition=Q(amount_before__gte=0, amount_after__gte=0), name="grants_variationline_amounts",
            ),
            gbp_only("amount_before"),
            gbp_only("amount_after"),
        ]

    def __str__(self):
        return f"{self.fund.code} {self.year.label}: {self.amount_before} -> {self.amount_after}"

    @property
    def change(self):
        return self.amount_after.amount - self.amount_before.amount

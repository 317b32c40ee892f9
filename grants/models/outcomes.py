"""Outcomes: measures per fund (data), targets per grant and year, quarterly monitoring returns, annual reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, FinancialYear, Fund, gbp_only
from grants.models.awards import Grant


class OutcomeMeasure(models.Model):
    """Something a fund asks providers to report, e.g. referrals received, or an MoJ 'cope and recover' area."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="outcome_measures")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, default="people", help_text="e.g. people, referrals, sessions, %.")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund__code", "code"]
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="grants_measure_unique")]

    def __str__(self):
        return f"{self.fund.code}: {self.name}"


class OutcomeTarget(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="targets")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="targets")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "year__start_year", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "measure", "year"], name="grants_target_unique"),
            models.CheckConstraint(condition=Q(target__gte=0), name="grants_target_nonneg"),
        ]

    def __str__(self):
        return f"{self.measure.name} {self.year.label}: {self.target}"


class MonitoringReturn(models.Model):
    """A provider's quarterly report, sent through the portal or entered by a finance officer, and accepted or sent
    back with a reason."""

    class Rag(models.TextChoices):
        GREEN = "green", "Green: on track"
        AMBER = "amber", "Amber: some concerns"
        RED = "red", "Red: serious concerns"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, awaiting review"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Sent back to the provider"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="returns")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    quarter = models.PositiveSmallIntegerField()
    received_on = models.DateField()
    spend_reported = MoneyField(**MONEY)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    narrative = models.TextField(blank=True)
    delivery_issues = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_through_portal = models.BooleanField(
        default=False, help_text="Sent by the provider in the portal, rather than entered by a finance officer.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "year__start_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year", "quarter"], name="grants_return_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="grants_return_quarter"),
            models.CheckConstraint(condition=Q(spend_reported__gte=0), name="grants_return_spend"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_note=""), name="grants_return_sent_back_reason",
                violation_error_message="Say why the return is sent back.",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(reviewed_by__isnull=False),
                name="grants_return_reviewed_has_reviewer",
            ),
            gbp_only("spend_reported"),
        ]

    def __str__(self):
        return f"{self.grant.reference} return Q{self.quarter} {self.year.label}"


class ReturnValue(models.Model):
    monitoring_return = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="values")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["monitoring_return", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["monitoring_return", "measure"], name="grants_returnvalue_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="grants_returnvalue_nonneg"),
        ]

    def __str__(self):
        return f"{self.measure.name}: {self.value}"


class AnnualReview(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue"
        AMEND = "amend", "Amend (vary the grant)"
        STOP = "stop", "Stop"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reviews")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "year__start_year"]
        constraints = [models.UniqueConstraint(fields=["grant", "year"], name="grants_review_one_per_year")]

    def __str__(self):
        return f"{self.grant.reference} review {self.year.label}: {self.get_outcome_display()}"

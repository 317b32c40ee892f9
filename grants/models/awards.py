"""Grants, the funding lines they draw on, and the published decisions that approve large ones."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, BudgetLine, FinancialYear, Fund, gbp_only
from grants.models.organisations import CommissionedService, Organisation

DECISION_NUMBER_RE = re.compile(r"^(\d{3})-(\d{4})$")


def validate_decision_number(value: str) -> None:
    match = DECISION_NUMBER_RE.match(value or "")
    if not match or match.group(1) == "000" or not 2000 <= int(match.group(2)) <= 2099:
        raise ValidationError(
            f"'{value}' is not a decision number; write it as three digits, a hyphen and the year, e.g. 042-2025."
        )


class Decision(models.Model):
    """A recorded decision of the commissioner (or the mayor, after 2028), numbered ``NNN-YYYY``."""

    number = models.CharField(max_length=8, unique=True, validators=[validate_decision_number])
    date = models.DateField()
    decision_maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=True, help_text="Published, or confidential (e.g. a refuge's location).")
    confidential_reason = models.TextField(
        blank=True, help_text="Why a confidential decision is not published (shown in the decision log).",
    )
    title = models.CharField(max_length=200, blank=True, help_text="A short title for the decision log.")
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-number"]

    def __str__(self):
        return f"Decision {self.number}"


class ServiceCategory(models.Model):
    """What kind of service a grant or order pays for (data), e.g. ISVA, IDVA, counselling, helpline, refuge,
    restorative justice. Funder returns report spending by these categories."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "service categories"

    def __str__(self):
        return self.name


class Grant(models.Model):
    """A grant to a commissioned service. Its status moves only through ``grants.workflow`` (one transition table)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved (offer made)"
        REJECTED = "rejected", "Rejected"
        RETURNED = "returned", "Returned for changes"
        OFFER_ACCEPTED = "offer_accepted", "Offer accepted"
        ACTIVE = "active", "Active (being paid)"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class AllocationMethod(models.TextChoices):
        COMPETED = "competed", "Competed"
        DIRECT = "direct", "Direct award"
        FORMULA = "formula", "Formula"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    title = models.CharField(max_length=200)
    purpose = models.TextField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grants")
    service = models.ForeignKey(CommissionedService, on_delete=models.PROTECT, related_name="grants")
    senior_responsible_officer = models.CharField(max_length=120)
    allocation_method = models.CharField(max_length=10, choices=AllocationMethod.choices)
    direct_award_reason = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    conditions = models.TextField(blank=True)
    risk_rating = models.CharField(max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    service_category = models.ForeignKey(
        ServiceCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="grants",
        help_text="What kind of service the grant pays for; funder returns report spending by it.",
    )
    do_not_publish = models.BooleanField(default=False)
    do_not_publish_reason = models.TextField(blank=True, help_text="e.g. safety: the service runs a refuge.")
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="Instalments fall due this many days after the end of the quarter they pay for.",
    )
    returns_required = models.BooleanField(
        default=True, help_text="Each instalment waits for the accepted monitoring return of its quarter.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_reason = models.TextField(blank=True, help_text="The reason given for the latest change of status.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who last approved, rejected or returned the grant.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True, help_text="The date the commitment was posted.")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="grants")
    commitment_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    offer_accepted_on = models.DateField(null=True, blank=True)
    offer_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who recorded the acceptance: the provider in the portal, or the finance officer.",
    )
    offer_accepted_at = models.DateTimeField(null=True, blank=True, help_text="When the acceptance was recorded.")
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="grants_grant_dates"),
            models.CheckConstraint(
                condition=~Q(allocation_method="direct") | ~Q(direct_award_reason=""),
                name="grants_grant_direct_reason",
                violation_error_message="A direct award needs the reason it was not competed.",
            ),
            models.CheckConstraint(
                condition=Q(do_not_publish=False) | ~Q(do_not_publish_reason=""), name="grants_grant_dnp_reason",
                violation_error_message="Give the reason this grant must not be published.",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="grants_grant_no_self_approval",
                violation_error_message="Nobody approves a grant they submitted.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "offer_accepted", "active", "closed"])
                | Q(approved_by__isnull=False, approved_on__isnull=False),
                name="grants_grant_approved_has_approver",
            ),
            models.CheckConstraint(condition=Q(payment_terms_days__lte=180), name="grants_grant_terms"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"G{self.pk:05d}" if self.pk else "G(new)"

    @property
    def grant_identifier(self) -> str:
        """The 360Giving grant identifier."""
        return f"{settings.RINGFENCE['PUBLISHER_PREFIX']}-{self.reference}"

    @property
    def is_committed(self) -> bool:
        """Whether the ledger holds (or held) a commitment for this grant."""
        return self.approved_on is not None


class FundingLine(models.Model):
    """How much a grant draws on one fund in one financial year.

    ``original_amount`` is the award as approved and never changes after approval; ``amount`` is the current
    (varied) award. ``released`` is what closing or withdrawing the grant gave back to the fund.
    Outstanding commitment = amount - paid - released (when the grant is committed).
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="funding_lines")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="funding_lines",
        help_text="The fund's budget line for the year this draws on; its commitment and payments count there.",
    )
    original_amount = MoneyField(**MONEY)
    amount = MoneyField(**MONEY)
    released = MoneyField(**MONEY, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "year__start_year", "fund__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "fund", "year"], name="grants_line_unique",
                violation_error_message="This grant already draws on that fund for that year; change its amount.",
            ),
            models.CheckConstraint(
                condition=Q(original_amount__gte=0, amount__gte=0, released__gte=0), name="grants_line_amounts",
            ),
            models.CheckConstraint(condition=Q(released__lte=F("amount")), name="grants_line_released_within"),
            gbp_only("original_amount"),
            gbp_only("amount"),
            gbp_only("released"),
        ]

    def __str__(self):
        return f"{self.fund.code} {self.year.label}"

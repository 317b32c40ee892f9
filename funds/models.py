"""Funds, the financial calendar and budgets. This app knows nothing of postings: see ``ledger``."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

# The largest threshold a fund may have (see funds.controls): a million pounds.
THRESHOLD_MAXIMUM = Decimal("1000000.00")
MONEY = {"max_digits": 14, "decimal_places": 2, "default_currency": "GBP", "currency_choices": [("GBP", "GBP")]}


def gbp_only(field: str) -> models.CheckConstraint:
    """django-money does not enforce currency_choices: the database does."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}_currency": "GBP"}), name=f"%(app_label)s_%(class)s_{field}_gbp"
    )


class FinancialYear(models.Model):
    """1 April to 31 March, labelled ``2025/26``."""

    start_year = models.PositiveSmallIntegerField(unique=True)
    year_end_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The finance director who ran the year end (see yearend.services).",
    )
    year_end_at = models.DateTimeField(null=True, blank=True, help_text="When the year end was posted; set once.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(condition=Q(start_year__gte=2000, start_year__lte=2099), name="funds_year_range")
        ]

    def __str__(self):
        return self.label

    @property
    def is_year_ended(self) -> bool:
        return self.year_end_at is not None

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start_date(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.start_year + 1, 3, 31)


class Period(models.Model):
    """A month of a financial year: P1 is April, P12 is March. Closed periods take no postings.

    P13 is the year's adjustments period (DOMAIN.md 10): dated 31 March, it exists only once the year end has run,
    holds only the year-end entries (``yearend.services``) and is closed in the same transaction that posts them.
    It is never an ordinary month: nothing finds it by date (``MONTHS``)."""

    ADJUSTMENTS = 13
    MONTHS = Q(number__lte=12)

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    is_closed = models.BooleanField(default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="funds_period_unique"),
            models.UniqueConstraint(fields=["start_date"], condition=Q(number__lte=12), name="funds_month_start"),
            models.UniqueConstraint(fields=["end_date"], condition=Q(number__lte=12), name="funds_month_end"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=13), name="funds_period_number"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="funds_period_dates"),
        ]

    def __str__(self):
        if self.is_adjustments:
            return f"{self.year.label} P13 (year-end adjustments)"
        return f"{self.year.label} P{self.number} ({self.start_date:%b %Y})"

    @property
    def is_adjustments(self) -> bool:
        return self.number == self.ADJUSTMENTS

    @property
    def quarter(self) -> int:
        return (self.number - 1) // 3 + 1

    @property
    def name(self) -> str:
        return f"P{self.number}"


class Funder(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government department"
        COMBINED_AUTHORITY = "combined_authority", "Combined authority"
        TREASURY = "treasury", "HM Treasury"
        POLICING_BODY = "policing_body", "The policing body itself"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class Fund(models.Model):
    """A funding stream. Its spending limit is either the confirmed award for the year or the cash received."""

    class LimitBasis(models.TextChoices):
        AWARD = "award", "Confirmed award for the year"
        RECEIPTS = "receipts", "Cash received plus balance brought forward"

    class YearEndRule(models.TextChoices):
        RETURN = "return", "Unspent is returned to the funder"
        CARRY_FORWARD = "carry_forward", "Unspent is carried forward"
        LAPSE = "lapse", "Unspent lapses (where the agreement says so)"

    class IncomeKind(models.TextChoices):
        GRANT = "grant", "Grant from a funder (award letters)"
        POCA = "poca", "Proceeds of crime receipts"
        FPN = "fpn", "Fixed penalty notice income"
        FEES = "fees", "Course fees"
        OTHER = "other", "Other receipts"

    code = models.SlugField(max_length=20, unique=True, help_text="Short unique code, e.g. MOJ-CORE.")
    name = models.CharField(max_length=200)
    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="funds")
    purpose = models.TextField(help_text="The purpose restriction: what this money may pay for.")
    ring_fenced = models.BooleanField(default=True)
    limit_basis = models.CharField(max_length=10, choices=LimitBasis.choices)
    income_kind = models.CharField(max_length=10, choices=IncomeKind.choices, default=IncomeKind.GRANT)
    year_end_rule = models.CharField(max_length=20, choices=YearEndRule.choices)
    retained_share_percent = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=0,
        help_text="For fines: the share of each fixed penalty kept by the fund (0 today; the deal asks for more).",
    )
    grant_approval_threshold = MoneyField(
        **MONEY,
        default=0,
        help_text="Grants drawing more than this on the fund need a published decision to be approved.",
    )
    virement_threshold = MoneyField(
        **MONEY,
        default=0,
        help_text="Virements above this need approval by someone other than the requester.",
    )
    order_approval_threshold = MoneyField(
        **MONEY,
        default=0,
        help_text="Orders and contracts above this (net) need approval by a commissioner or finance director other "
        "than the officer who raised them; at or below it they are committed when raised.",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            gbp_only("grant_approval_threshold"),
            gbp_only("virement_threshold"),
            gbp_only("order_approval_threshold"),
            models.CheckConstraint(condition=Q(order_approval_threshold__gte=0), name="funds_fund_order_threshold"),
            models.CheckConstraint(
                condition=Q(retained_share_percent__gte=0, retained_share_percent__lte=100),
                name="funds_fund_share_range",
            ),
            models.CheckConstraint(
                condition=Q(grant_approval_threshold__gte=0, virement_threshold__gte=0), name="funds_fund_thresholds"
            ),
            # The allowed range of every threshold (funds.controls.THRESHOLD_MAXIMUM): above it a threshold would
            # switch its second-person check off, so no path may store one, the database included.
            models.CheckConstraint(
                condition=Q(grant_approval_threshold__lte=THRESHOLD_MAXIMUM, virement_threshold__lte=THRESHOLD_MAXIMUM,
                            order_approval_threshold__lte=THRESHOLD_MAXIMUM),
                name="funds_fund_thresholds_at_most_maximum",
                violation_error_message=f"A threshold is at most £{THRESHOLD_MAXIMUM:,}.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class ControlChange(models.Model):
    """A proposed change to one of a fund's control settings (its three approval thresholds and its retained share
    of fines). One person proposes it with a reason; it changes the fund only when a different person with the
    deciding role approves it (``funds.controls``). Both steps are kept, with the history of each."""

    class Setting(models.TextChoices):
        GRANT_APPROVAL_THRESHOLD = "grant_approval_threshold", "Grant approval threshold"
        VIREMENT_THRESHOLD = "virement_threshold", "Virement threshold"
        ORDER_APPROVAL_THRESHOLD = "order_approval_threshold", "Order approval threshold"
        RETAINED_SHARE_PERCENT = "retained_share_percent", "Retained share of fixed penalties"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="control_changes")
    setting = models.CharField(max_length=30, choices=Setting.choices)
    value_before = models.DecimalField(max_digits=14, decimal_places=3, help_text="The setting when proposed.")
    value_after = models.DecimalField(max_digits=14, decimal_places=3, help_text="The value proposed.")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(setting__in=["grant_approval_threshold", "virement_threshold", "order_approval_threshold",
                                         "retained_share_percent"]),
                name="funds_control_setting",
            ),
            models.CheckConstraint(condition=Q(value_after__gte=0), name="funds_control_not_negative"),
            models.CheckConstraint(condition=~Q(reason=""), name="funds_control_has_reason"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="funds_control_second_person",
                violation_error_message="A control setting is changed only with a second person's approval.",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True)
                | Q(status__in=["approved", "rejected"], decided_by__isnull=False, decided_at__isnull=False),
                name="funds_control_decided_has_decider",
            ),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_note=""),
                                   name="funds_control_rejected_has_note"),
            models.UniqueConstraint(
                fields=["fund", "setting"], condition=Q(status="proposed"), name="funds_control_one_open",
                violation_error_message="A change to this setting is already awaiting a decision.",
            ),
        ]

    def __str__(self):
        return f"{self.fund.code} {self.get_setting_display().lower()}: change {self.pk or '(new)'}"


class BudgetLine(models.Model):
    """A fund's budget for a year under one heading. The original stays fixed; virements revise it."""

    class Phasing(models.TextChoices):
        MONTHLY = "monthly", "By month"
        QUARTERLY = "quarterly", "By quarter"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="budget_lines")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budget_lines")
    heading = models.CharField(max_length=120)
    original = MoneyField(**MONEY)
    phasing = models.CharField(max_length=10, choices=Phasing.choices, default=Phasing.QUARTERLY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund__code", "heading"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year", "heading"], name="funds_budgetline_unique"),
            models.CheckConstraint(condition=Q(original__gte=0), name="funds_budgetline_original_positive"),
            gbp_only("original"),
        ]

    def __str__(self):
        return f"{self.fund.code} {self.year.label} {self.heading}"


class BudgetPhase(models.Model):
    """How a budget line's original amount is spread: one row per month (1-12) or per quarter (1-4)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="phases")
    slot = models.PositiveSmallIntegerField(help_text="Month number P1-P12, or quarter number Q1-Q4.")
    amount = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["line", "slot"], name="funds_budgetphase_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_budgetphase_positive"),
            models.CheckConstraint(condition=Q(slot__gte=1, slot__lte=12), name="funds_budgetphase_slot"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"{self.line} slot {self.slot}: £{self.amount.amount:,.2f}"


class Forecast(models.Model):
    """A forecast outturn for a budget line. Forecasts are added, never overwritten: the latest one counts."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="forecasts")
    amount = MoneyField(**MONEY)
    made_on = models.DateField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "made_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_forecast_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Forecast for {self.line} on {self.made_on:%d/%m/%Y}: £{self.amount.amount:,.2f}"


class Virement(models.Model):
    """A move of budget between two lines of the same fund and year. Budget only: no cash moves."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    from_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_out")
    to_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_in")
    amount = MoneyField(**MONEY)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_virement_positive"),
            models.CheckConstraint(condition=~Q(from_line=F("to_line")), name="funds_virement_distinct_lines"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_by__isnull=False),
                name="funds_virement_approved_has_decider",
            ),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Virement of £{self.amount.amount:,.2f} from {self.from_line.heading} to {self.to_line.heading}"

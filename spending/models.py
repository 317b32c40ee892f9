"""Supplier spending: suppliers, the orders and contracts that commit a budget line, and the supplier invoices
that turn the commitment into actual spending. Each posts through ``spending.services``; none is edited once posted.

A supplier is an organisation (``grants.Organisation``): one that is also a grant recipient shares the one record
and its one set of verified bank details."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, BudgetLine, gbp_only
from grants.models import Organisation, ServiceCategory
from ledger.models import Reversible


class Supplier(models.Model):
    """An organisation paid for goods and services."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="supplier")
    vat_number = models.CharField(
        max_length=14, blank=True, help_text="UK VAT registration number, e.g. GB123456789 (blank if not registered).",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="Invoices fall due this many days after their date (Public Contracts Regulations: 30).",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(payment_terms_days__lte=120), name="spending_supplier_terms"),
        ]

    def __str__(self):
        return self.organisation.name


class Order(models.Model):
    """An order or contract: commits its net amount against one budget line of a fund and year.

    Raised by a finance officer; above the fund's ``order_approval_threshold`` it waits for approval by a commissioner
    or finance director other than the officer who raised it, and only then is it committed."""

    class Kind(models.TextChoices):
        ORDER = "order", "Purchase order"
        CONTRACT = "contract", "Contract"

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved (committed)"
        REJECTED = "rejected", "Rejected"
        CLOSED = "closed", "Closed"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    title = models.CharField(max_length=200, help_text="What is bought, e.g. 'Sexual violence helpline 2026/27'.")
    start_date = models.DateField()
    end_date = models.DateField()
    amount = MoneyField(**MONEY, help_text="The net amount committed (excluding recoverable VAT).")
    service_category = models.ForeignKey(
        ServiceCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
        help_text="What kind of service the order pays for; funder returns report supplier spending by it.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL, db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who approved or rejected it (the raiser, for an order at or below the threshold).",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    commitment_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    released = MoneyField(**MONEY, default=0, help_text="Commitment given back to the budget line when it closed.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_order_positive"),
            models.CheckConstraint(condition=Q(released__gte=0) & Q(released__lte=F("amount")),
                                   name="spending_order_released_within"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="spending_order_dates"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "closed"]) | Q(commitment_entry__isnull=False),
                name="spending_order_committed_when_approved",
            ),
            models.CheckConstraint(
                condition=Q(status="approved") | Q(status="awaiting_approval") | Q(decided_by__isnull=False),
                name="spending_order_decided_has_decider",
            ),
            gbp_only("amount"),
            gbp_only("released"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"PO{self.pk:05d}" if self.pk else "PO(new)"


class Invoice(Reversible):
    """A supplier's invoice against an order. Recorded by a finance officer, approved for payment by someone else;
    approval posts it: the budget line bears the net (the gross where VAT cannot be recovered), recoverable VAT
    goes to its own account, the supplier is owed the gross, and as much of the order's commitment is released.
    Paid in a payment run (``payments``); a reversed invoice stays, marked reversed, and no longer counts."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved for payment"
        REJECTED = "rejected", "Rejected"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    supplier_reference = models.CharField(max_length=40, help_text="The supplier's own invoice number.")
    invoice_date = models.DateField()
    due_date = models.DateField()
    description = models.CharField(max_length=200)
    net = MoneyField(**MONEY)
    vat = MoneyField(**MONEY, default=0)
    gross = MoneyField(**MONEY)
    vat_recoverable = models.BooleanField(
        default=True, help_text="Policing bodies recover VAT (VAT Act 1994 s.33); untick where this item's is not.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The posting made on approval.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-invoice_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(net__gt=0) & Q(vat__gte=0), name="spending_invoice_amounts"),
            models.CheckConstraint(condition=Q(gross=F("net") + F("vat")), name="spending_invoice_gross",
                                   violation_error_message="The gross is the net plus the VAT."),
            models.CheckConstraint(condition=Q(due_date__gte=F("invoice_date")), name="spending_invoice_due"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("recorded_by")),
                name="spending_invoice_second_person",
                violation_error_message="An invoice is approved by someone other than the officer who recorded it.",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(entry__isnull=False), name="spending_invoice_posted_when_approved",
            ),
            models.UniqueConstraint(
                fields=["supplier", "supplier_reference"], condition=Q(reversal__isnull=True) & ~Q(status="rejected"),
                name="spending_invoice_reference_unique",
                violation_error_message="This supplier's invoice number has already been recorded.",
            ),
            models.CheckConstraint(condition=Q(reversal__isnull=True, reversal_reason="")
                                   | (Q(reversal__isnull=False) & ~Q(reversal_reason="")),
                                   name="spending_invoice_reversal_has_reason"),
            gbp_only("net"),
            gbp_only("vat"),
            gbp_only("gross"),
        ]

    def __str__(self):
        return f"{self.reference} {self.supplier} {self.supplier_reference}"

    @property
    def reference(self) -> str:
        return f"INV{self.pk:05d}" if self.pk else "INV(new)"

    @property
    def budget_amount(self):
        """What the budget line bears: the net, or the gross where the VAT cannot be recovered."""
        return self.net.amount if self.vat_recoverable else self.gross.amount


class SupplierPayment(Reversible):
    """An approved invoice paid (in full, gross) in a payment run: Dr trade creditors / Cr cash."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    bank_details = models.ForeignKey(
        "grants.BankDetails", on_delete=models.PROTECT, related_name="+", help_text="The verified details paid to.",
    )
    amount = MoneyField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=60, blank=True)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["invoice", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_payment_positive"),
            models.UniqueConstraint(fields=["invoice"], condition=Q(reversal__isnull=True),
                                    name="spending_payment_once", violation_error_message="This invoice is paid."),
            models.CheckConstraint(condition=Q(reversal__isnull=True, reversal_reason="")
                                   | (Q(reversal__isnull=False) & ~Q(reversal_reason="")),
                                   name="spending_payment_reversal_has_reason"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Payment of {self.invoice.reference} on {self.paid_on:%d/%m/%Y}"

"""Payment runs: everything payable on a date gathered by one finance officer, authorised by a different person
within their delegated limit, exported as a file for the bank, then paid in one transaction. Payments leave only
in runs (Managing Public Money, GovS 015: the person who prepares a payment does not authorise it)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, gbp_only

# The largest delegated limit anyone may hold (payments.limits): ten million pounds.
LIMIT_MAXIMUM = Decimal("10000000.00")


class DelegatedLimit(models.Model):
    """The largest payment run a person may authorise. Set by a finance director (never their own)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegated_limit")
    amount = MoneyField(**MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    note = models.CharField(max_length=300, blank=True, help_text="e.g. the scheme of delegation paragraph.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-amount", "user__username"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_limit_not_negative"),
            models.CheckConstraint(condition=Q(amount__lte=LIMIT_MAXIMUM), name="payments_limit_at_most_maximum",
                                   violation_error_message=f"A delegated limit is at most £{LIMIT_MAXIMUM:,}."),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"{self.user}: up to £{self.amount.amount:,.2f}"


class LimitChange(models.Model):
    """A proposed change to a person's delegated limit. A finance director or commissioner proposes it with a reason;
    it takes effect only when someone else with one of those roles approves it (``payments.limits``). Nobody
    proposes or approves a change to their own limit."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="limit_changes")
    amount_before = MoneyField(**MONEY, null=True, blank=True, help_text="The limit when proposed (empty: none).")
    amount = MoneyField(**MONEY, help_text="The limit proposed.")
    reason = models.TextField(help_text="e.g. the paragraph of the scheme of delegation.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0, amount__lte=LIMIT_MAXIMUM),
                                   name="payments_limitchange_range"),
            models.CheckConstraint(condition=~Q(reason=""), name="payments_limitchange_has_reason"),
            models.CheckConstraint(condition=~Q(proposed_by=models.F("user")),
                                   name="payments_limitchange_not_own_proposed",
                                   violation_error_message="Nobody proposes their own delegated limit."),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("proposed_by")) & ~Q(decided_by=models.F("user"))),
                name="payments_limitchange_second_person",
                violation_error_message="A delegated limit is approved by someone other than its proposer and holder.",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True)
                | Q(status__in=["approved", "rejected"], decided_by__isnull=False, decided_at__isnull=False),
                name="payments_limitchange_decided_has_decider",
            ),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_note=""),
                                   name="payments_limitchange_rejected_has_note"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="proposed"), name="payments_limitchange_one_open",
                violation_error_message="A change to this limit is already awaiting a decision.",
            ),
            gbp_only("amount"),
            gbp_only("amount_before"),
        ]

    def __str__(self):
        return f"Delegated limit of {self.user}: change {self.pk or '(new)'}"


class PaymentRun(models.Model):
    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared, awaiting authorisation"
        AUTHORISED = "authorised", "Authorised, awaiting payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    pay_on = models.DateField(help_text="The date the money leaves the bank.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARED, db_index=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_total = MoneyField(**MONEY, null=True, blank=True, help_text="The total authorised.")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the payment file exported.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-pay_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authorised_by__isnull=True) | ~Q(authorised_by=models.F("prepared_by")),
                name="payments_run_second_person",
                violation_error_message="A payment run is authorised by someone other than the person who prepared it.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["authorised", "paid"])
                | Q(authorised_by__isnull=False, authorised_at__isnull=False, authorised_total__isnull=False),
                name="payments_run_authorised_has_authoriser",
            ),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_by__isnull=False, paid_at__isnull=False),
                                   name="payments_run_paid_has_payer"),
            gbp_only("authorised_total"),
        ]

    def __str__(self):
        return f"{self.reference} for {self.pay_on:%d/%m/%Y}"

    @property
    def reference(self) -> str:
        return f"PR{self.pk:05d}" if self.pk else "PR(new)"


class PaymentRunItem(models.Model):
    """One payment in a run: a grant instalment, or an approved supplier invoice. The payee's bank details are
    frozen (this record names the verified details) when the run is authorised."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant instalment"
        INVOICE = "invoice", "Supplier invoice"

    class Status(models.TextChoices):
        INCLUDED = "included", "In the run"
        WITHHELD = "withheld", "Taken out of the run"

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    instalment = models.ForeignKey("grants.Instalment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    invoice = models.ForeignKey("spending.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("grants.Organisation", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(**MONEY)
    payment_reference = models.CharField(max_length=18, help_text="What the payee's bank statement shows (18 max).")
    bank_details = models.ForeignKey(
        "grants.BankDetails", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The verified details frozen into the run when it was authorised.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INCLUDED)
    withheld_reason = models.TextField(blank=True)
    live = models.BooleanField(
        default=True, help_text="Holds its instalment or invoice: included in a run not yet paid or cancelled.",
    )
    grant_payment = models.OneToOneField("grants.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="run_item")
    supplier_payment = models.OneToOneField("spending.SupplierPayment", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="run_item")
    history = HistoricalRecords()

    class Meta:
        ordering = ["run", "organisation__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_item_positive"),
            models.CheckConstraint(
                condition=Q(kind="grant", instalment__isnull=False, invoice__isnull=True)
                | Q(kind="invoice", invoice__isnull=False, instalment__isnull=True),
                name="payments_item_one_document",
            ),
            models.UniqueConstraint(fields=["instalment"], condition=Q(live=True), name="payments_item_instalment_once",
                                    violation_error_message="This instalment is already in a run."),
            models.UniqueConstraint(fields=["invoice"], condition=Q(live=True), name="payments_item_invoice_once",
                                    violation_error_message="This invoice is already in a run."),
            models.CheckConstraint(condition=Q(status="included") | ~Q(withheld_reason=""),
                                   name="payments_item_withheld_reason"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"{self.run.reference}: {self.organisation} £{self.amount.amount:,.2f}"

"""The payment schedule, payments made and money clawed back. Payments and clawbacks each carry their posting,
and each may be reversed (it then stays, marked reversed, and stops counting: read only those that stand)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, FinancialYear, gbp_only
from grants.models.awards import FundingLine, Grant
from grants.models.organisations import BankDetails
from ledger.models import Reversible


class Instalment(models.Model):
    """One scheduled payment from a funding line, for one quarter of its financial year (quarterly in arrears
    by default). The instalments of a funding line always add up to its amount."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="instalments")
    funding_line = models.ForeignKey(FundingLine, on_delete=models.PROTECT, related_name="instalments")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    quarter = models.PositiveSmallIntegerField(help_text="Quarter of the financial year it pays for (1-4).")
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField(db_index=True)
    amount = MoneyField(**MONEY)
    requires_return = models.BooleanField(
        default=True, help_text="Paid only once the monitoring return for its quarter has been accepted.",
    )
    in_advance = models.BooleanField(
        default=False,
        help_text="The schedule allows paying it before its quarter ends (GovS 015: advance payment where justified); "
                  "each payment made before then records why.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "due_date", "funding_line__fund__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["funding_line", "quarter"], name="grants_instalment_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="grants_instalment_quarter"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="grants_instalment_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grants_instalment_amount"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"{self.grant.reference} Q{self.quarter} {self.year.label} {self.funding_line.fund.code}"


class Payment(Reversible):
    """Money paid to the recipient against an instalment (partial payments allowed). A reversed payment stays,
    marked reversed (``grants.payments.payment_reverse``), and no longer counts as paid anywhere."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payments")
    funding_line = models.ForeignKey(FundingLine, on_delete=models.PROTECT, related_name="payments")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments")
    bank_details = models.ForeignKey(
        BankDetails, on_delete=models.PROTECT, related_name="payments", help_text="The verified details paid to.",
    )
    amount = MoneyField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=60, blank=True, help_text="The bank's payment reference.")
    advance_reason = models.TextField(
        blank=True, help_text="Why it was paid before its quarter ended (only for instalments paid in advance).",
    )
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grants_payment_positive"),
            models.CheckConstraint(condition=Q(reversal__isnull=True, reversal_reason="")
                                   | (Q(reversal__isnull=False) & ~Q(reversal_reason="")),
                                   name="grants_payment_reversal_has_reason"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Payment {self.pk} to {self.grant.reference} on {self.paid_on:%d/%m/%Y}"


class Clawback(Reversible):
    """Money the recipient returned: it goes back to the fund and year it was paid from. A reversed clawback stays,
    marked reversed (``grants.payments.clawback_reverse``), and no longer counts as returned."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="clawbacks")
    funding_line = models.ForeignKey(FundingLine, on_delete=models.PROTECT, related_name="clawbacks")
    amount = MoneyField(**MONEY)
    received_on = models.DateField()
    reason = models.TextField()
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grants_clawback_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="grants_clawback_reason"),
            models.CheckConstraint(condition=Q(reversal__isnull=True, reversal_reason="")
                                   | (Q(reversal__isnull=False) & ~Q(reversal_reason="")),
                                   name="grants_clawback_reversal_has_reason"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Clawback {self.pk} from {self.grant.reference}"

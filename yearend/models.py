"""What the year end records besides its journal entries: manual accruals waiting for it, and repayments of
unspent grant to funders. The year end itself is marked on the financial year (``FinancialYear.year_end_at``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, FinancialYear, Fund, gbp_only
from ledger.models import JournalEntry, Reversible


class ManualAccrual(models.Model):
    """Spending that belongs to a year but is not yet paid, and that no grant instalment covers (an invoice for
    March's helpline not yet received, say). Recorded with its reason once the year's last month has ended; the
    year end posts it in P13 (Dr other accrued spending / Cr accruals) and reverses it on 1 April."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(**MONEY)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The year end's accrual entry (P13); empty until the year end runs.",
    )
    reversal = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Its automatic reversal at the start of the next year.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "fund__code", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="yearend_accrual_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="yearend_accrual_reason"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Accrual {self.pk} {self.fund.code} {self.year.label}"


class FunderRepayment(Reversible):
    """Unspent grant paid back to the funder after the year end (Dr owed to funder / Cr cash, in the year the
    money was owed for)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+",
                             help_text="The year whose unspent money this repays.")
    reference = models.CharField(max_length=60)
    date = models.DateField()
    amount = MoneyField(**MONEY)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="yearend_repayment_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Repayment {self.reference} to {self.fund.funder} ({self.fund.code} {self.year.label})"

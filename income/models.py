"""Income documents. Each one, once recorded, is posted to the ledger; its ``entry`` is the posting.

A document is never edited or deleted: a mistake is corrected by reversing it (``income.services.*_reverse``),
which leaves it visible, marked reversed. Only documents that stand (``reversal`` empty) count anywhere: their
references are unique among standing documents (a reversed receipt's reference may be recorded again, correctly),
and a fund has one standing fixed penalty return a month."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, FinancialYear, Fund, Period, gbp_only
from ledger.models import JournalEntry, Reversible

STANDING = Q(reversal__isnull=True)


class IncomeDocumentQuerySet(models.QuerySet):
    def standing(self):
        """The documents that count: those not reversed."""
        return self.filter(STANDING)


def standing_reference(prefix: str) -> models.UniqueConstraint:
    """A reference is unique among a kind's standing documents (and, through the services, across kinds)."""
    return models.UniqueConstraint(fields=["reference"], condition=STANDING, name=f"{prefix}_reference_standing")


class IncomeDocument(Reversible):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        max_length=60, db_index=True, help_text="The document's own reference; unique among documents that stand."
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    description = models.CharField(max_length=300, blank=True)

    objects = IncomeDocumentQuerySet.as_manager()

    class Meta:
        abstract = True


class AwardLetter(IncomeDocument):
    """A funder's confirmed allocation for a year: the spending limit of an award-based fund."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    letter_date = models.DateField()
    amount = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-letter_date", "-id"]
        constraints = [
            standing_reference("income_award"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_award_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Award {self.reference} {self.fund.code} {self.year.label}"


class CashReceipt(IncomeDocument):
    """Cash received: against an award letter (settles the receivable) or, for receipts-based funds, income."""

    award_letter = models.ForeignKey(
        AwardLetter, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    date = models.DateField()
    amount = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            standing_reference("income_receipt"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_receipt_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Receipt {self.reference} {self.fund.code}"


class PocaReceipt(IncomeDocument):
    """Proceeds of crime returned under ARIS: the agency's share of a recovered sum, kept on the receipt."""

    case_reference = models.CharField(max_length=60, db_index=True)
    date = models.DateField()
    gross_recovered = MoneyField(**MONEY)
    agency_share_percent = models.DecimalField(max_digits=6, decimal_places=3)
    amount = MoneyField(**MONEY, help_text="gross recovered x agency share, rounded to pence")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "proceeds of crime receipt"
        constraints = [
            standing_reference("income_poca"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, gross_recovered__gte=F("amount")), name="income_poca_amounts"
            ),
            models.CheckConstraint(
                condition=Q(agency_share_percent__gt=0, agency_share_percent__lte=100), name="income_poca_share"
            ),
            gbp_only("amount"),
            gbp_only("gross_recovered"),
        ]

    def __str__(self):
        return f"POCA {self.case_reference} {self.reference}"


class FpnReturn(IncomeDocument):
    """A month's fixed penalty notices: the retained share goes to the fund; the rest is owed to HM Treasury."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    tickets = models.PositiveIntegerField()
    gross_value = MoneyField(**MONEY)
    retained_share_percent = models.DecimalField(max_digits=6, decimal_places=3)
    retained = MoneyField(**MONEY)
    owed_to_treasury = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__start_date", "-id"]
        verbose_name = "fixed penalty return"
        constraints = [
            standing_reference("income_fpn"),
            models.UniqueConstraint(fields=["fund", "period"], condition=STANDING, name="income_fpn_one_per_month"),
            models.CheckConstraint(
                condition=Q(gross_value__gt=0, retained__gte=0, owed_to_treasury__gte=0), name="income_fpn_amounts"
            ),
            models.CheckConstraint(
                condition=Q(retained_share_percent__gte=0, retained_share_percent__lte=100), name="income_fpn_share"
            ),
            gbp_only("gross_value"),
            gbp_only("retained"),
            gbp_only("owed_to_treasury"),
        ]

    def __str__(self):
        return f"FPN {self.fund.code} {self.period}"


class FeeReceipt(IncomeDocument):
    """Speed-awareness course fees: ring-fenced to road safety (RTOA 1988 s.90G)."""

    date = models.DateField()
    courses = models.PositiveIntegerField(default=0)
    amount = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            standing_reference("income_fee"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_fee_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Fees {self.reference} {self.fund.code}"


class TreasuryPayOver(IncomeDocument):
    """Money paid over to HM Treasury from a fixed penalty fund: clears part of what the fund owes it (the Treasury
    share of its fixed penalty returns, account 2000)."""

    date = models.DateField()
    amount = MoneyField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "pay-over to HM Treasury"
        verbose_name_plural = "pay-overs to HM Treasury"
        constraints = [
            standing_reference("income_treasury"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_treasury_positive"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"Pay-over {self.reference} {self.fund.code}"

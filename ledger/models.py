"""The double-entry ledger: accounts, append-only journal entries, and balances kept as postings happen.

Journal entries and lines are immutable once written: database triggers (migration 0002) refuse UPDATE and
DELETE on both tables, from any path, and each entry's SHA-256 hash is chained to the one before it. They carry
no django-simple-history: an append-only row has no history beyond its own creation, which the entry records
(who posted it, when, from which document).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, BudgetLine, FinancialYear, Fund, Period, gbp_only


class Account(models.Model):
    """A ledger account. ``role`` says how the account moves a fund's spending position."""

    class Type(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        RESERVE = "reserve", "Reserves"
        INCOME = "income", "Income"
        EXPENDITURE = "expenditure", "Expenditure"
        MEMO = "memo", "Commitment memorandum"

    class Role(models.TextChoices):
        LIMIT = "limit", "Adds to the spending limit (credit raises it)"
        COMMITTED = "committed", "Outstanding commitments (debit raises them)"
        ACTUAL = "actual", "Actual spending (debit raises it)"
        NONE = "none", "No effect on the spending position"

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=12, choices=Type.choices)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.NONE)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class JournalEntry(models.Model):
    """A balanced, posted journal entry. Never edited or deleted: a mistake is corrected by a reversal."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text="Gap-free within the financial year.")
    date = models.DateField(db_index=True)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    source_type = models.CharField(
        max_length=60, help_text="The kind of document behind the entry, e.g. income.pocareceipt."
    )
    source_id = models.CharField(max_length=40, blank=True)
    source_reference = models.CharField(max_length=120, blank=True, help_text="The document's own reference.")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(db_index=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="ledger_entry_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ledger_entry_number_positive"),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"], name="ledger_entry_source_idx")]

    def __str__(self):
        return f"JE {self.year.label}/{self.number:06d} {self.date:%d/%m/%Y} {self.description}"

    @property
    def reference(self) -> str:
        return f"{self.year.label}/{self.number:06d}"


class Reversible(models.Model):
    """A posted document that can be reversed (``ledger.reversals.document_reverse``): it stays, marked reversed,
    linked to the reversing entry (and that entry to it, by its source), and no longer counts anywhere."""

    reversal = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The entry that reversed this document; empty while it stands.",
    )
    reversal_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


class JournalLine(models.Model):
    class Direction(models.TextChoices):
        DEBIT = "D", "Debit"
        CREDIT = "C", "Credit"

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    funding_year = models.ForeignKey(
        FinancialYear,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The year's allocation this line counts against (usually the entry's own year; a payment in "
        "arrears in April counts against the year whose commitment it settles).",
    )
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The budget line a commitment or spending line counts against (same fund and funding year); "
        "empty on income, cash and balance-sheet lines.",
    )
    direction = models.CharField(max_length=1, choices=Direction.choices)
    amount = MoneyField(**MONEY)

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_line_amount_positive"),
            models.CheckConstraint(condition=Q(direction__in=["D", "C"]), name="ledger_line_direction"),
            gbp_only("amount"),
        ]
        # The database sums a fund's lines since a kept position's last line, on every posting (migration 0009).
        indexes = [models.Index(fields=["fund", "funding_year", "id"], name="ledger_line_fund_year_idx")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.account_id} £{self.amount.amount:,.2f}"


class Balance(models.Model):
    """Totals of journal lines, kept up to date inside every posting transaction (integer pence: exact on every
    database). One row per fund, account, funding year, accounting date and posting date, so a statement "as at"
    any date and "as known at" any day reads these rows instead of rescanning the lines."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    funding_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    posted_on = models.DateField()
    debit_pence = models.BigIntegerField(default=0)
    credit_pence = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["funding_year", "fund", "account", "date", "posted_on"], name="ledger_balance_key"
            ),
            models.CheckConstraint(condition=Q(debit_pence__gte=0, credit_pence__gte=0), name="ledger_balance_nonneg"),
        ]

    def __str__(self):
        return f"Balance fund {self.fund_id} account {self.account_id} {self.date} (posted {self.posted_on})"


class FundPosition(models.Model):
    """A fund's spending position for one year, in pence, kept current by every posting.

    The check constraint is the ring-fence in the database itself: no transaction can leave commitments plus
    actual spending above the spending limit, whatever path it takes.
    """

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    funding_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    limit_pence = models.BigIntegerField(default=0)
    committed_pence = models.BigIntegerField(default=0)
    actual_pence = models.BigIntegerField(default=0)
    through_line = models.BigIntegerField(
        default=0,
        help_text="The id of the last journal line counted in this row. The database refuses any change to the row "
        "that is not exactly the sum of the fund's lines after the old value up to the new one (migration 0009).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "funding_year"], name="ledger_position_unique"),
            models.CheckConstraint(
                condition=Q(limit_pence__gte=F("committed_pence") + F("actual_pence")),
                name="ledger_position_never_below_zero",
            ),
            models.CheckConstraint(
                condition=Q(committed_pence__gte=0, actual_pence__gte=0),
                name="ledger_position_committed_and_actual_not_negative",
            ),
        ]

    def __str__(self):
        return f"Position fund {self.fund_id} year {self.funding_year_id}"


class ChainHead(models.Model):
    """The single row that holds the latest entry's hash. Posting locks it, so entries are numbered and chained
    one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    entries = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ledger_chainhead_singleton")]

    def __str__(self):
        return f"Chain head after {self.entries} entries"


class CorrectingJournal(models.Model):
    """A correction that no document covers (a receipt posted to the wrong fund, say): prepared by a finance officer
    with a reason, and posted only when someone else approves it (``ledger.corrections``). Until then it moves no
    money; once approved, ``entry`` is its posting. Balanced within each fund and funding year, as every entry is."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Awaiting approval"
        APPROVED = "approved", "Approved and posted"
        REJECTED = "rejected", "Rejected"

    date = models.DateField(help_text="The date it posts on, when approved; it must then be in an open period.")
    reason = models.TextField(help_text="Why the correction is needed; it is kept with the journal and its entry.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The posted entry; set when the journal is approved.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["prepared", "approved", "rejected"]), name="ledger_correction_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="prepared")
                | Q(decided_by__isnull=True, decided_at__isnull=True, entry__isnull=True),
                name="ledger_correction_prepared_undecided",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(decided_by__isnull=False, decided_at__isnull=False, entry__isnull=False),
                name="ledger_correction_approved_has_decider_and_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected")
                | (Q(decided_by__isnull=False, decided_at__isnull=False, entry__isnull=True) & ~Q(decision_note="")),
                name="ledger_correction_rejected_has_decider_and_note",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("prepared_by")),
                name="ledger_correction_decider_not_preparer",
            ),
        ]

    def __str__(self):
        return f"Correcting journal {self.pk} {self.date:%d/%m/%Y}"

    @property
    def reference(self) -> str:
        return f"Correcting journal {self.pk}"


class CorrectingJournalLine(models.Model):
    """One line of a correcting journal: written with the journal and never changed."""

    journal = models.ForeignKey(CorrectingJournal, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    funding_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="On a spending line (e.g. staff costs): the budget line it counts against.",
    )
    direction = models.CharField(max_length=1, choices=JournalLine.Direction.choices)
    amount = MoneyField(**MONEY)
    narrative = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["journal_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_correction_line_amount_positive"),
            models.CheckConstraint(condition=Q(direction__in=["D", "C"]), name="ledger_correction_line_direction"),
            gbp_only("amount"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.account_id} £{self.amount.amount:,.2f}"

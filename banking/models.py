"""Bank statements, their lines, and the matches that tie statement lines to cash movements in the ledger.

Ringfence keeps cash per fund on ledger account 1000, but the money sits in ONE bank account: the reconciliation
compares the bank statement with account 1000 summed over every fund. A "cash item" is a journal entry whose net
effect on account 1000 over all its lines is not zero (``banking.cash``).

Statement lines are written once, with their statement, and never changed (no history: an append-only row has
none beyond its creation). A match holds one or more statement lines and/or one or more cash items whose totals
are equal. A line or an entry is in at most one match: ``MatchedLine.line`` and ``MatchedEntry.entry`` are
one-to-one, so the database refuses a second. Undoing a match deletes its items (their history keeps who and
why) and keeps the match itself, marked undone, with a summary of what it held.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, Period, gbp_only
from ledger.models import JournalEntry


class BankStatement(models.Model):
    """The bank's statement for one month (P1-P12): its balances and lines as imported from the bank's CSV file.

    One standing statement per month (a withdrawn one stays, marked withdrawn). A month is reconciled when a
    finance officer or director other than the importer signs it off (``banking.reconciliation``)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    opening_balance = MoneyField(**MONEY, help_text="The bank's balance at the start of the month.")
    closing_balance = MoneyField(**MONEY, help_text="The bank's balance at the end of the month.")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who signed the month's reconciliation off; its matches are frozen from then on.",
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period__start_date", "id"]
        constraints = [
            gbp_only("opening_balance"),
            gbp_only("closing_balance"),
            models.UniqueConstraint(
                fields=["period"], condition=Q(withdrawn_at__isnull=True), name="banking_one_statement_per_month"
            ),
            models.CheckConstraint(
                condition=Q(reconciled_by__isnull=True, reconciled_at__isnull=True)
                | Q(reconciled_by__isnull=False, reconciled_at__isnull=False),
                name="banking_statement_reconciled_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(reconciled_by__isnull=True) | ~Q(reconciled_by=F("imported_by")),
                name="banking_statement_signed_off_by_another",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_by__isnull=True, withdrawn_at__isnull=True)
                | (Q(withdrawn_by__isnull=False, withdrawn_at__isnull=False) & ~Q(withdrawn_reason="")),
                name="banking_statement_withdrawn_by_at_and_why",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(reconciled_at__isnull=True),
                name="banking_statement_reconciled_not_withdrawn",
            ),
        ]

    def __str__(self):
        return f"Bank statement {self.month_name}"

    @property
    def month_name(self) -> str:
        return f"{self.period.start_date:%B %Y}"

    @property
    def is_reconciled(self) -> bool:
        return self.reconciled_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class BankStatementLine(models.Model):
    """One line of a statement: + money in, - money out. Written with its statement, never changed."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveIntegerField(help_text="The line's row in the imported file (the header is row 1).")
    date = models.DateField()
    amount = MoneyField(**MONEY, help_text="Signed: positive is money in, negative money out.")
    reference = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["statement_id", "number"]
        constraints = [
            gbp_only("amount"),
            models.UniqueConstraint(fields=["statement", "number"], name="banking_line_number_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="banking_line_amount_not_zero"),
        ]

    def __str__(self):
        return f"Row {self.number} {self.date:%d/%m/%Y} {self.reference} £{self.amount.amount:,.2f}"


class Match(models.Model):
    """Statement lines and cash items that are the same money, confirmed by a person. Their totals are equal
    (``banking.matching.match_confirm``). Belongs to the statement on which it was confirmed: that month's
    reconciliation and every later one count it."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="matches")
    amount = MoneyField(**MONEY, help_text="The total of each side.")
    rule = models.CharField(max_length=60, blank=True, help_text="The suggestion confirmed, or empty if by hand.")
    summary = models.CharField(max_length=500, help_text="What the match holds, kept readable after an undo.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement_id", "id"]
        verbose_name_plural = "matches"
        constraints = [
            gbp_only("amount"),
            models.CheckConstraint(
                condition=Q(undone_by__isnull=True, undone_at__isnull=True, undo_reason="")
                | (Q(undone_by__isnull=False, undone_at__isnull=False) & ~Q(undo_reason="")),
                name="banking_match_undone_by_at_and_why",
            ),
        ]

    def __str__(self):
        return f"Match {self.pk}: {self.summary}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class MatchedLine(models.Model):
    """A statement line in a standing match: one-to-one, so no line is in two matches."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="matched_lines")
    line = models.OneToOneField(BankStatementLine, on_delete=models.PROTECT, related_name="matched")
    history = HistoricalRecords()

    class Meta:
        ordering = ["match_id", "line_id"]

    def __str__(self):
        return f"Match {self.match_id}: line {self.line_id}"


class MatchedEntry(models.Model):
    """A cash item (journal entry) in a standing match: one-to-one, so no entry is in two matches."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="matched_entries")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["match_id", "entry_id"]
        verbose_name_plural = "matched entries"

    def __str__(self):
        return f"Match {self.match_id}: entry {self.entry_id}"

"""Budget monitoring: RAG thresholds (data) and the budget holder's commentary per budget line per month.

Both are read "as known at" a moment, so a monitoring statement rebuilt later shows what was known when it was
first produced: thresholds from their history (``RagThreshold.history.as_of``), commentary from its append-only
versions (the latest recorded by the moment).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from funds.models import MONEY, BudgetLine, Fund, Period, gbp_only

PERCENT = {"max_digits": 5, "decimal_places": 2}
COMMENTARY_MAX = 2000


class RagThreshold(models.Model):
    """When a budget line's variance turns amber or red: a percentage and an amount, both of which must be reached.

    One row per fund at most (its own thresholds) and one global row at most (``fund`` empty: every fund without
    its own); the database refuses a second. Changed in place by ``monitoring.services.rag_threshold_set``, with
    who, when and why in its history, which is what statements read as known at their moment."""

    fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty: the global thresholds, for every fund without its own.",
    )
    amber_percent = models.DecimalField("amber %", **PERCENT)
    amber_amount = MoneyField("amber £", **MONEY)
    red_percent = models.DecimalField("red %", **PERCENT)
    red_amount = MoneyField("red £", **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    reason = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = [F("fund__code").asc(nulls_first=True)]
        verbose_name = "RAG threshold"
        constraints = [
            # One expression index covers both rules: NULL (the global row) counts as fund 0, and no fund has id 0.
            models.UniqueConstraint(
                Coalesce("fund", Value(0)), name="monitoring_threshold_one_per_fund",
                violation_error_message="There are already thresholds for this fund (or global ones, when no fund "
                                        "is named): change them rather than adding a second set.",
            ),
            models.CheckConstraint(
                condition=Q(amber_percent__gte=0, amber_amount__gte=0), name="monitoring_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(red_percent__gte=F("amber_percent"), red_amount__gte=F("amber_amount")),
                name="monitoring_threshold_red_not_below_amber",
            ),
            gbp_only("amber_amount"),
            gbp_only("red_amount"),
        ]

    def __str__(self):
        return f"RAG thresholds for {self.fund.code if self.fund_id else 'all funds'}"


class BudgetCommentary(models.Model):
    """The budget holder's explanation of a budget line's figures for one month. Versions are added, never changed:
    the latest recorded by a moment is the one a statement known at that moment shows."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=COMMENTARY_MAX)
    reason = models.TextField(blank=True, help_text="Why it was written after the month was closed, when it was.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(
        max_length=150, help_text="The author's name when it was written, as statements print it (a rebuilt "
                                  "statement shows the same name even if the account is renamed).")
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["period__start_date", "line_id", "recorded_at", "id"]
        verbose_name = "budget commentary"
        verbose_name_plural = "budget commentary"
        indexes = [models.Index(fields=["period", "line", "recorded_at"], name="monitoring_commentary_month")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="monitoring_commentary_not_empty"),
        ]

    def __str__(self):
        return f"Commentary on {self.line} for {self.period.start_date:%B %Y}"

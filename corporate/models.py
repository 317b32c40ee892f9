"""The mapping from Ringfence's chart (ledger account, fund) to the corporate finance system's chart (cost centre,
subjective code), kept as data and changed only through ``corporate.mapping``."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from funds.models import Fund
from ledger.models import Account

CODE_MAX_LENGTH = 20
CODE_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")


def corporate_code_check(value: str, *, what: str, example: str) -> None:
    """A corporate code is 1-20 letters, digits and inner hyphens: it goes into a CSV cell as it stands, so no
    commas, quotes, spaces or line breaks."""
    if not value:
        raise ValidationError(f"Enter the {what}, for example {example}.")
    if len(value) > CODE_MAX_LENGTH:
        raise ValidationError(
            f"'{value[:40]}' is {len(value)} characters long; a {what} has at most {CODE_MAX_LENGTH}, "
            f"for example {example}."
        )
    if not CODE_PATTERN.fullmatch(value):
        raise ValidationError(
            f"'{value[:40]}' is not a {what}: use only letters, digits and hyphens inside the code "
            f"(no spaces, commas or line breaks), for example {example}."
        )


def cost_centre_check(value: str) -> None:
    corporate_code_check(value, what="cost centre", example="PCC410")


def subjective_check(value: str) -> None:
    corporate_code_check(value, what="subjective code", example="52100")


class GLMapping(models.Model):
    """Where postings on a ledger account land in the corporate ledger. A mapping either names a fund (it applies
    to that fund's postings only) or none (it applies to every fund without a mapping of its own). At most one of
    each per account: the database refuses a second."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty: every fund without a mapping of its own for this account.",
    )
    cost_centre = models.CharField(
        max_length=CODE_MAX_LENGTH, validators=[cost_centre_check],
        error_messages={"blank": "Enter the cost centre, for example PCC410."},
    )
    subjective = models.CharField(
        "subjective code", max_length=CODE_MAX_LENGTH, validators=[subjective_check],
        error_messages={"blank": "Enter the subjective code, for example 52100."},
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["account__code", "fund__code"]
        verbose_name = "corporate ledger mapping"
        constraints = [
            # Two partial constraints, because NULL never equals NULL in a plain unique constraint (on SQLite and
            # PostgreSQL alike): one mapping per account and fund, and one all-funds mapping per account.
            models.UniqueConstraint(
                fields=["account", "fund"], condition=Q(fund__isnull=False), name="corporate_mapping_per_fund",
                violation_error_message="This account already has a mapping for that fund; change it instead.",
            ),
            models.UniqueConstraint(
                fields=["account"], condition=Q(fund__isnull=True), name="corporate_mapping_all_funds",
                violation_error_message="This account already has a mapping for all funds; change it instead.",
            ),
            models.CheckConstraint(
                condition=~Q(cost_centre="") & ~Q(subjective=""), name="corporate_mapping_codes_present"
            ),
            # The journal file writes the codes as they stand: the database keeps out what would break a CSV row.
            models.CheckConstraint(
                condition=~Q(cost_centre__contains=",") & ~Q(subjective__contains=",")
                & ~Q(cost_centre__contains="\n") & ~Q(subjective__contains="\n")
                & ~Q(cost_centre__contains='"') & ~Q(subjective__contains='"'),
                name="corporate_mapping_codes_csv_safe",
            ),
        ]

    def __str__(self):
        return f"{self.account.code} {self.fund.code if self.fund_id else 'all funds'} -> {self.target}"

    @property
    def target(self) -> str:
        return f"{self.cost_centre}/{self.subjective}"

    @property
    def fund_label(self) -> str:
        return self.fund.code if self.fund_id else "All funds"

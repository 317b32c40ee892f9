"""Reading the ledger. Positions come from the maintained rows, never from a rescan of journal lines."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from core.money import from_pence, to_pence
from funds.models import FinancialYear, Fund
from ledger import accounts as acc
from ledger.models import Account, Balance, FundPosition, JournalLine

# The accounts whose role is actual spending (``ledger.accounts.CHART``).
ACTUAL_CODES = tuple(code for code, _, _, role in acc.CHART if role == "actual")


@dataclass(frozen=True)
class FundPositionRow:
    fund: Fund
    limit: Decimal
    committed: Decimal
    actual: Decimal

    @property
    def available(self) -> Decimal:
        return self.limit - self.committed - self.actual


def fund_positions(*, year: FinancialYear, funds=None) -> list[FundPositionRow]:
    """Spending limit, committed, actual and available for every fund in a year: two queries, whatever the data."""
    fund_list = list((funds if funds is not None else Fund.objects.filter(is_active=True)).select_related("funder"))
    positions = {
        p.fund_id: p for p in FundPosition.objects.filter(funding_year=year, fund_id__in=[f.pk for f in fund_list])
    }
    rows = []
    for fund in fund_list:
        p = positions.get(fund.pk)
        rows.append(
            FundPositionRow(
                fund=fund,
                limit=from_pence(p.limit_pence if p else 0),
                committed=from_pence(p.committed_pence if p else 0),
                actual=from_pence(p.actual_pence if p else 0),
            )
        )
    return rows


def fund_available(*, fund: Fund, year: FinancialYear) -> Decimal:
    p = FundPosition.objects.filter(fund=fund, funding_year=year).first()
    return from_pence((p.limit_pence - p.committed_pence - p.actual_pence) if p else 0)


def fund_journal_lines(*, fund: Fund, year: FinancialYear) -> QuerySet:
    """A fund's journal lines for one funding year, newest first, with their entry and account."""
    return (
        JournalLine.objects.filter(fund=fund, funding_year=year)
        .select_related("entry__year", "account")
        .order_by("-entry__date", "-entry_id", "id")
    )


def account_totals(
    *, year: FinancialYear, as_at: Date | None = None, known_at: datetime | None = None
) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    """Debit and credit totals per (fund id, account code) for a funding year, counting only entries dated on or
    before ``as_at`` and posted no later than ``known_at``. Two queries on the maintained balances; only the lines
    posted on the day of ``known_at`` itself are read from the journal, so the result is exact to the moment."""
    accounts = {a.pk: a.code for a in Account.objects.all()}
    balances = Balance.objects.filter(funding_year=year)
    lines = JournalLine.objects.filter(funding_year=year)
    if as_at is not None:
        balances = balances.filter(date__lte=as_at)
        lines = lines.filter(entry__date__lte=as_at)
    totals = defaultdict(lambda: [0, 0])
    if known_at is not None:
        day = timezone.localdate(known_at)
        balances = balances.filter(posted_on__lt=day)
        day_start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        for fund_id, account_id, direction, amount in lines.filter(
            entry__posted_at__gte=day_start, entry__posted_at__lte=known_at
        ).values_list("fund_id", "account_id", "direction", "amount"):
            totals[(fund_id, accounts[account_id])][0 if direction == "D" else 1] += to_pence(amount)
    for row in balances.values("fund_id", "account_id").annotate(d=Sum("debit_pence"), c=Sum("credit_pence")):
        key = (row["fund_id"], accounts[row["account_id"]])
        totals[key][0] += int(row["d"] or 0)
        totals[key][1] += int(row["c"] or 0)
    return {key: (from_pence(d), from_pence(c)) for key, (d, c) in totals.items()}


@dataclass(frozen=True)
class LineSpending:
    """Committed and actual spending on one budget line (``None``: lines of the fund that name no budget line)."""

    budget_line_id: int | None
    committed: Decimal
    actual: Decimal


def budget_line_spending(*, fund_ids=None, year: FinancialYear, as_at: Date | None = None,
                         known_at: datetime | None = None) -> dict:
    """Committed and actual spending per budget line of ``year``, keyed ``(fund id, budget line id or None)``, read
    from the journal lines that name it, as the fund position reads them: committed is what the commitments
    account holds less what grant accruals moved out of it; actual is every spending account plus those accruals.
    So the lines of a fund, with its ``None`` row, add up to the fund's committed and actual. One query.

    ``as_at`` counts only entries dated on or before that day; ``known_at`` only those posted by that moment."""
    lines = JournalLine.objects.filter(
        funding_year=year, account__code__in=[acc.COMMITMENTS, acc.GRANT_ACCRUALS, *ACTUAL_CODES]
    )
    if fund_ids is not None:
        lines = lines.filter(fund_id__in=list(fund_ids))
    if as_at is not None:
        lines = lines.filter(entry__date__lte=as_at)
    if known_at is not None:
        lines = lines.filter(entry__posted_at__lte=known_at)
    totals = defaultdict(lambda: [0, 0])
    rows = lines.values("fund_id", "budget_line_id", "account__code", "direction").annotate(total=Sum("amount"))
    for row in rows:
        pence = to_pence(row["total"]) * (1 if row["direction"] == JournalLine.Direction.DEBIT else -1)
        key = (row["fund_id"], row["budget_line_id"])
        code = row["account__code"]
        if code == acc.COMMITMENTS:
            totals[key][0] += pence
        elif code == acc.GRANT_ACCRUALS:
            totals[key][0] -= pence
            totals[key][1] += pence
        else:
            totals[key][1] += pence
    return {key: LineSpending(key[1], from_pence(c), from_pence(a)) for key, (c, a) in totals.items()}

"""Reads about income that pages and services share."""

from decimal import Decimal

from django.db.models import Sum

from core.money import from_pence
from funds.models import Fund
from ledger import accounts as acc
from ledger.models import Balance


def treasury_owed(fund: Fund) -> Decimal:
    """What ``fund`` owes HM Treasury now: credits less debits on the Treasury creditor account (2000) over every
    funding year, that is the Treasury share of its fixed penalty returns less what has been paid over (reversals
    of either included). Read from the kept balances, in exact pence."""
    totals = Balance.objects.filter(fund=fund, account__code=acc.TREASURY_CREDITOR).aggregate(
        credits=Sum("credit_pence"), debits=Sum("debit_pence")
    )
    return from_pence((totals["credits"] or 0) - (totals["debits"] or 0))


def treasury_owed_by_fund() -> list[tuple[Fund, Decimal]]:
    """(fund, what it owes HM Treasury) for every fixed penalty fund, by code, in two queries."""
    owed = {
        row["fund"]: row["credits"] - row["debits"]
        for row in Balance.objects.filter(account__code=acc.TREASURY_CREDITOR)
        .values("fund")
        .annotate(credits=Sum("credit_pence"), debits=Sum("debit_pence"))
    }
    funds = Fund.objects.filter(income_kind=Fund.IncomeKind.FPN).order_by("code")
    return [(fund, from_pence(owed.get(fund.pk, 0))) for fund in funds]

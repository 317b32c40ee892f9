"""Per-fund figures from the ledger's maintained balances (``ledger.selectors.account_totals``).

The ledger records money per fund, not per budget line, so these figures belong to a fund as a whole. Each is read
for one funding year, from entries dated on or before the as-at date (the year end's entries, in the adjustments
period P13, are dated the year's last day; the accruals' reversals are dated the next year's first day but still
belong to the closing funding year).

- Brought forward: the balance brought into the year from the year before (credits less debits on the balances
  brought forward reserve); part of the spending limit.
- Income awarded: credits less debits on the income accounts that raise the spending limit (award letters for
  award-based funds; proceeds of crime, retained fines and fees for receipt-based funds; transfers between funds).
- Income received: income awarded less what funders still owe on award letters (the awards receivable balance).
- Committed: the grant commitments memorandum account (debits less credits), less the grant instalments accrued
  as spending at the year end (delivered but not yet paid).
- Accrued: spending accrued at the year end and not yet reversed (grant instalments delivered but unpaid, and
  other accruals).
- Actual: spending paid or accrued: grant expenditure plus the accruals.
- Transferred out: unspent money moved out of the year's spending power at the year end (debits less credits on
  the year-end transfers account): returned to the funder, carried forward, or lapsed.
- Owed to funder: unspent grant to be repaid to the funder (the funder creditor, credits less debits).
- Carried forward: unspent money put into an earmarked reserve for next year.
- Lapsed: unspent money that lapsed to general reserves.
- Owed to HM Treasury: HM Treasury's share of fines not yet paid over: a creditor, read by ``treasury_creditor``
  over every funding year (a pay-over made in April settles March's share, whichever year either is posted in).
- Available: brought forward plus income awarded, less transferred out, committed and actual: the figure the
  ring-fence protects, equal to the ledger's kept fund position (``ledger.selectors.fund_positions``).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef

from core.money import ZERO, from_pence, to_pence
from funds.models import FinancialYear
from income.models import FpnReturn
from ledger import accounts as acc
from ledger.models import JournalLine
from ledger.selectors import account_totals

#: Income accounts that raise the spending limit: every limit account but the balance brought forward (shown on its
#: own) and the year-end transfers out (shown as what they became: owed to funder, carried forward or lapsed).
INCOME_ACCOUNTS = frozenset(
    code for code, _name, _type, role in acc.CHART
    if role == "limit" and code not in (acc.RESERVES_BROUGHT_FORWARD, acc.YEAR_END_TRANSFERS)
)

#: (figure, account, sign): sign +1 reads debits less credits, -1 credits less debits.
_READINGS = {
    acc.RESERVES_BROUGHT_FORWARD: (("brought_forward", -1),),
    acc.AWARDS_RECEIVABLE: (("receivable", 1),),
    acc.COMMITMENTS: (("committed", 1),),
    acc.GRANT_EXPENDITURE: (("actual", 1),),
    acc.SUPPLIER_EXPENDITURE: (("actual", 1),),
    acc.GRANT_ACCRUALS: (("committed", -1), ("accrued", 1), ("actual", 1)),
    acc.OTHER_ACCRUALS: (("accrued", 1), ("actual", 1)),
    acc.FUNDER_CREDITOR: (("owed_to_funder", -1),),  # repayments (debits) are read again below
    acc.RESERVE_CARRIED_FORWARD: (("carried_forward", -1),),
    acc.LAPSED: (("lapsed", -1),),
    acc.YEAR_END_TRANSFERS: (("transferred_out", 1),),
    **{code: (("awarded", -1),) for code in INCOME_ACCOUNTS},
}


@dataclass
class FundFigures:
    brought_forward: Decimal = ZERO
    awarded: Decimal = ZERO
    receivable: Decimal = ZERO
    committed: Decimal = ZERO
    accrued: Decimal = ZERO
    actual: Decimal = ZERO
    transferred_out: Decimal = ZERO
    owed_to_funder: Decimal = ZERO
    repaid_to_funder: Decimal = ZERO
    carried_forward: Decimal = ZERO
    lapsed: Decimal = ZERO
    owed_to_treasury: Decimal = ZERO  # set from ``treasury_creditor`` by the statement that shows it

    @property
    def received(self) -> Decimal:
        return self.awarded - self.receivable

    @property
    def available(self) -> Decimal:
        return self.brought_forward + self.awarded - self.transferred_out - self.committed - self.actual


def fund_figures(*, year: FinancialYear, as_at: date, known_at: datetime) -> dict[int, FundFigures]:
    """Figures per fund id (funds with no postings are absent: read them as zero)."""
    figures = defaultdict(FundFigures)
    for (fund_id, code), (debit, credit) in account_totals(year=year, as_at=as_at, known_at=known_at).items():
        row = figures[fund_id]
        for name, sign in _READINGS.get(code, ()):
            setattr(row, name, getattr(row, name) + (debit - credit) * sign)
        if code == acc.FUNDER_CREDITOR:
            row.repaid_to_funder += debit
    return dict(figures)


@dataclass(frozen=True)
class TreasuryCreditor:
    paid: Decimal  # paid over to HM Treasury in the year, up to the as-at date
    owed: Decimal  # still owed on the as-at date


def treasury_creditor(*, year: FinancialYear, as_at: date, known_at: datetime) -> dict[int, TreasuryCreditor]:
    """Per fund id with any posting on the HM Treasury creditor (account 2000) dated by ``as_at`` and posted by
    ``known_at``: what it still owes HM Treasury then (credits less debits, over every funding year, like
    ``income.selectors.treasury_owed``) and what it paid over in ``year`` up to ``as_at`` (debits less credits on
    entries other than fixed penalty returns and their reversals: pay-overs, less pay-overs reversed). One query on
    the few journal lines of that one account."""
    returns = FpnReturn.objects.values("entry_id")
    lines = (
        JournalLine.objects.filter(account__code=acc.TREASURY_CREDITOR, entry__date__lte=as_at,
                                   entry__posted_at__lte=known_at)
        .annotate(from_return=Exists(returns.filter(entry_id=OuterRef("entry_id")))
                  | Exists(returns.filter(entry_id=OuterRef("entry__reverses_id"))))
        .values_list("fund_id", "direction", "amount", "entry__date", "from_return")
    )
    paid, owed = defaultdict(int), defaultdict(int)
    for fund_id, direction, amount, day, from_return in lines:
        pence = to_pence(amount) * (1 if direction == JournalLine.Direction.CREDIT else -1)
        owed[fund_id] += pence
        if not from_return and day >= year.start_date:
            paid[fund_id] -= pence
    return {fund_id: TreasuryCreditor(paid=from_pence(paid[fund_id]), owed=from_pence(owed[fund_id]))
            for fund_id in owed}

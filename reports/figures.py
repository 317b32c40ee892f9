"""Per-fund figures from the ledger's maintained balances (``ledger.selectors.account_totals``).

The ledger records money per fund, not per budget line, so these figures belong to a fund as a whole.

- Income awarded: credits less debits on the accounts that raise the spending limit (award letters for award-based
  funds; proceeds of crime, retained fines and fees for receipt-based funds; balances brought forward; transfers).
- Income received: income awarded less what funders still owe on award letters (the awards receivable balance).
- Committed: the grant commitments memorandum account (debits less credits).
- Actual: grant expenditure (debits less credits).
- Available: income awarded less committed less actual, the figure the ring-fence protects.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.money import ZERO
from funds.models import FinancialYear
from ledger import accounts as acc
from ledger.selectors import account_totals

LIMIT_ACCOUNTS = frozenset(code for code, _name, _type, role in acc.CHART if role == "limit")


@dataclass
class FundFigures:
    awarded: Decimal = ZERO
    receivable: Decimal = ZERO
    committed: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def received(self) -> Decimal:
        return self.awarded - self.receivable

    @property
    def available(self) -> Decimal:
        return self.awarded - self.committed - self.actual


def fund_figures(*, year: FinancialYear, as_at: date, known_at: datetime) -> dict[int, FundFigures]:
    """Figures per fund id (funds with no postings are absent: read them as zero)."""
    figures = defaultdict(FundFigures)
    for (fund_id, code), (debit, credit) in account_totals(year=year, as_at=as_at, known_at=known_at).items():
        row = figures[fund_id]
        if code in LIMIT_ACCOUNTS:
            row.awarded += credit - debit
        elif code == acc.AWARDS_RECEIVABLE:
            row.receivable += debit - credit
        elif code == acc.COMMITMENTS:
            row.committed += debit - credit
        elif code == acc.GRANT_EXPENDITURE:
            row.actual += debit - credit
    return dict(figures)

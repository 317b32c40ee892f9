"""Small helpers shared by the statements."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from funds.selectors import VARIANCE_CONVENTION

HUNDRED = Decimal(100)

#: Column titles of every variance, carrying the sign convention into every format's header row (CSV has no notes).
VARIANCE_TITLE = "Variance £ (positive = underspend)"
VARIANCE_PCT_TITLE = "Variance % (of budget)"
VARIANCE_NOTE = VARIANCE_CONVENTION


@dataclass(frozen=True)
class VarianceColumns:
    """Where a statement shows a variance (computed by ``funds.selectors.variance``) and what it is the difference
    of, so the Excel renderer writes it as a live formula of the same sign: amount = budget - outturn, percent =
    amount / budget. Statements list theirs in a ``variances`` attribute."""

    amount: str
    percent: str
    budget: str
    outturn: str


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to two decimal places; None where ``whole`` is zero."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fund_label(fund) -> str:
    return f"{fund.code} {fund.name}"

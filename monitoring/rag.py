"""RAG status of a budget line from its variances and the thresholds held as data.

A variance is Red when it reaches both the red amount and the red percentage (in either direction: an underspend
is as much a signal as an overspend), Amber when it reaches both amber ones, else Green. A line is judged on its
variance to profile and on its forecast variance and takes the worse. A variance against a budget of nothing has
no percentage (``funds.selectors.variance`` gives None): any such variance other than zero meets every percentage.

Thresholds: the fund's own, else the global ones, else ``DEFAULT`` (stated in the statement's description), each
as known at a moment (from the thresholds' history).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.money import format_gbp
from funds.selectors import Variance
from monitoring.models import RagThreshold

GREEN, AMBER, RED = "Green", "Amber", "Red"
_RANK = {GREEN: 0, AMBER: 1, RED: 2}


@dataclass(frozen=True)
class Thresholds:
    amber_percent: Decimal
    amber_amount: Decimal
    red_percent: Decimal
    red_amount: Decimal
    source: str = "default"  # "default", "global" or a fund's code

    def describe(self) -> str:
        return (f"amber {self.amber_percent:.2f}% and {format_gbp(self.amber_amount)}, "
                f"red {self.red_percent:.2f}% and {format_gbp(self.red_amount)}")


#: Used when no threshold has been set at all (no global row, no fund's own).
DEFAULT = Thresholds(amber_percent=Decimal("5.00"), amber_amount=Decimal("5000.00"),
                     red_percent=Decimal("10.00"), red_amount=Decimal("10000.00"))


def _reaches(gap: Variance, percent: Decimal, amount: Decimal) -> bool:
    if not gap.amount:
        return False
    pct_met = gap.percent is None or abs(gap.percent) >= percent
    return pct_met and abs(gap.amount) >= amount


def rag_level(gap: Variance | None, thresholds: Thresholds) -> str:
    """Red, Amber or Green for one variance (None: no variance to judge, Green)."""
    if gap is None:
        return GREEN
    if _reaches(gap, thresholds.red_percent, thresholds.red_amount):
        return RED
    if _reaches(gap, thresholds.amber_percent, thresholds.amber_amount):
        return AMBER
    return GREEN


def worse(*levels: str) -> str:
    return max(levels, key=_RANK.__getitem__)


def line_rag(*, to_profile: Variance, forecast: Variance | None, thresholds: Thresholds) -> str:
    """The line's RAG: the worse of its variance to profile and its forecast variance."""
    return worse(rag_level(to_profile, thresholds), rag_level(forecast, thresholds))


class ThresholdBook:
    """Every threshold as known at a moment (one query), answering "which thresholds apply to this fund?"."""

    def __init__(self, known_at: datetime, fund_codes: dict[int, str] | None = None):
        self.by_fund: dict[int | None, Thresholds] = {}
        codes = fund_codes or {}
        for row in RagThreshold.history.as_of(known_at):
            source = "global" if row.fund_id is None else codes.get(row.fund_id, str(row.fund_id))
            self.by_fund[row.fund_id] = self.from_row(row, source)
        self.fallback = self.by_fund.get(None, DEFAULT)

    @staticmethod
    def from_row(row, source: str = "") -> Thresholds:
        """Thresholds from a ``RagThreshold`` row (live or historical)."""
        return Thresholds(amber_percent=row.amber_percent, amber_amount=row.amber_amount.amount,
                          red_percent=row.red_percent, red_amount=row.red_amount.amount, source=source)

    def for_fund(self, fund_id: int | None) -> Thresholds:
        return self.by_fund.get(fund_id, self.fallback)

    def describe(self) -> str:
        """The thresholds in force, in one sentence for a statement's description."""
        first = (f"Global thresholds: {self.fallback.describe()}" if None in self.by_fund
                 else f"No global thresholds set, so the default: {DEFAULT.describe()}")
        own = sorted((t.source, t) for fund_id, t in self.by_fund.items() if fund_id is not None)
        return first + "".join(f"; {code}'s own: {t.describe()}" for code, t in own) + "."

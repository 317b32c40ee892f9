"""Small helpers shared by the statements."""

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to two decimal places; None where ``whole`` is zero."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fund_label(fund) -> str:
    return f"{fund.code} {fund.name}"

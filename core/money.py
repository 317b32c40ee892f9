"""The one money helper. Every amount in Ringfence passes through here.

Rules: amounts are ``Decimal`` built from strings (never floats), quantized to whole pence with
``ROUND_HALF_UP`` (the rounding a finance officer does by hand), in pounds sterling only.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from djmoney.money import Money

CURRENCY = "GBP"
PENNY = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0.00")
# Largest amount accepted anywhere: a hundred million pounds less a penny (fits NUMERIC(14, 2) with room to sum).
MAX_AMOUNT = Decimal("99999999.99")


def quantize(value) -> Decimal:
    """Round a Decimal (or int, str, Money) to pence. Floats are refused: they are not exact."""
    if isinstance(value, Money):
        if str(value.currency) != CURRENCY:
            raise ValidationError(f"Only pounds sterling (GBP) are accepted, not {value.currency}.")
        value = value.amount
    if isinstance(value, float):
        raise TypeError("Money must never be a float; build it from a string, e.g. Decimal('12.50').")
    if isinstance(value, (int, str)):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"Cannot treat {type(value).__name__} as money.")
    return value.quantize(PENNY, rounding=ROUNDING)


def to_pence(value) -> int:
    """Whole pence as an int: the unit of the ledger's maintained balances (exact on every database)."""
    return int(quantize(value) * 100)


def from_pence(pence: int | None) -> Decimal:
    return (Decimal(int(pence or 0)) / 100).quantize(PENNY, rounding=ROUNDING)


def gbp(value) -> Money:
    return Money(quantize(value), CURRENCY)


def parse_amount(raw, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Parse what a person typed or a file held into an exact, positive amount in pence.

    Refuses, with a message saying what would be right: empty input, non-numbers, floats, other currencies,
    more than two decimal places, zero or negative amounts, and absurdly large amounts.
    """
    if isinstance(raw, Money):
        if str(raw.currency) != CURRENCY:
            raise ValidationError({field: f"Only pounds sterling (GBP) are accepted, not {raw.currency}."})
        raw = raw.amount
    if isinstance(raw, float):
        raise ValidationError({field: "Amounts must be exact: give them as text such as 1250.00, not as a float."})
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if text.startswith("£"):
            text = text[1:].strip()
        upper = text.upper()
        for code in ("GBP",):
            if upper.endswith(code):
                text = text[: -len(code)].strip()
        foreign_code = re.fullmatch(r"[-\d.\s]+\s*[A-Za-z]{3}|[A-Za-z]{3}\s*[-\d.\s]+", text)
        if any(sym in text for sym in ("$", "€", "¥")) or foreign_code:
            raise ValidationError({field: f"Only pounds sterling (GBP) are accepted; '{raw}' is not in pounds."})
        if not text:
            raise ValidationError({field: "Enter an amount in pounds, for example 1250.00."})
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError({field: f"'{raw}' is not an amount; enter pounds and pence, for example 1250.00."})
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    elif raw is None:
        raise ValidationError({field: "Enter an amount in pounds, for example 1250.00."})
    else:
        raise ValidationError({field: f"Cannot read {raw!r} as an amount."})
    if not value.is_finite():
        raise ValidationError({field: "Enter a finite amount, for example 1250.00."})
    if value != value.quantize(PENNY) and value.as_tuple().exponent < -2:
        raise ValidationError({field: f"£{value} has more than two decimal places; amounts are in whole pence."})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: f"The amount must be more than £0.00; £{value} was given."})
    if value > MAX_AMOUNT:
        raise ValidationError({field: f"£{value} is more than the largest amount accepted (£{MAX_AMOUNT:,})."})
    return quantize(value)


def format_gbp(value) -> str:
    """£1,234.56 and -£1,234.56: the British way, always two decimals."""
    if value is None:
        return ""
    amount = quantize(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"

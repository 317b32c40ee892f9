"""The one money helper. Every amount in Ringfence passes through here.

Rules: amounts are ``Decimal`` built from strings (never floats), quantized to whole pence with
``ROUND_HALF_UP`` (the rounding a finance officer does by hand), in pounds sterling only.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core.exceptions import ValidationError
from djmoney.money import Money

CURRENCY = "GBP"
PENNY = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0.00")
# Largest amount accepted anywhere: a hundred million pounds less a penny (fits NUMERIC(14, 2) with room to sum).
MAX_AMOUNT = Decimal("99999999.99")
# Largest figure (a count, a share) accepted when the caller names no smaller one: keeps every figure well inside
# Decimal's 28 digits and the database's columns, so nothing downstream can overflow.
MAX_FIGURE = Decimal("999999999")
# No amount or figure written the accepted way is longer than this; longer text is refused before it is read.
MAX_TEXT = 40


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


# The one grammar for an amount typed by a person or read from a file: an optional pound sign, ASCII digits with
# optional commas between groups of exactly three, optional pence (one or two digits), an optional trailing GBP,
# spaces around it. Nothing else: no exponents, underscores, signs, other digits or other separators.
AMOUNT_GRAMMAR = re.compile(
    r"\s*(?:£\s*)?(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?)\s*(?:GBP)?\s*", re.ASCII
)
EXAMPLE = "for example 1250.00 or £1,250.00"


def quoted(text: str) -> str:
    """What a person typed, quoted in a refusal: whole when short, its start and length when long."""
    text = text.strip()
    return f"'{text}'" if len(text) <= MAX_TEXT else f"'{text[:20]}...' ({len(text):,} characters)"


def _places(value: Decimal) -> int:
    """Decimal places that carry a digit other than 0 (12.50 has 1, 12.345 has 3), read from the digits themselves
    so that no rounding context is involved, whatever the size of the number."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing_zeros)


def _why_not_an_amount(raw: str, text: str) -> str:
    """The one sentence that says what is wrong with ``raw`` and what would be right."""
    shown = quoted(raw)
    bare = text.replace("£", "").replace(",", "").strip()
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
        return f"{shown} uses digits other than 0-9; type the amount with the digits 0-9, {EXAMPLE}."
    if text.startswith("-") or text.startswith("(") or text.endswith("-"):
        return f"The amount must be more than £0.00; {shown} was given (a mistake is corrected by a reversal)."
    if text.startswith("+"):
        return f"{shown} has a sign; write the amount without '+', {EXAMPLE}."
    if "_" in text:
        return f"{shown} has an underscore; separate thousands with commas, {EXAMPLE}."
    if re.fullmatch(r"[0-9.,]+[eE][-+]?[0-9]+", bare.replace(" ", "")):
        return f"{shown} is written with an exponent; write every digit, for example 1000000.00 for a million."
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", bare):
        return f"£{bare} has more than two decimal places; amounts are in whole pence."
    if re.fullmatch(r"[0-9][0-9,]*(?:\.[0-9]*)?", text.replace("£", "").strip()) and "," in text:
        return f"{shown} has commas in the wrong places; commas separate groups of three digits, {EXAMPLE}."
    if re.fullmatch(r"[0-9]*\.|\.[0-9]+", bare):
        return f"{shown} is not a whole amount; write pounds and pence with digits on both sides, for example 0.50."
    return f"{shown} is not an amount; enter pounds and pence, {EXAMPLE}."


def parse_amount(raw, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Parse what a person typed or a file held into an exact, positive amount in pence.

    Text must match ``AMOUNT_GRAMMAR``; a ``Decimal`` or ``int`` from code is taken as it is. Refuses, with a
    message saying what would be right: empty input, anything outside the grammar (exponents, underscores, signs,
    misplaced separators, non-ASCII digits), floats, other currencies, more than two decimal places, zero (unless
    ``allow_zero``), negative amounts, amounts over ``MAX_AMOUNT``, NaN and infinities, and text longer than any
    amount (``MAX_TEXT``). Never raises anything but ``ValidationError`` on ``field``: no value, however large,
    small or odd, reaches Decimal arithmetic before it is known to fit.
    """
    typed = None  # the person's text, shown in a refusal rather than a number re-formatted from it
    if isinstance(raw, Money):
        if str(raw.currency) != CURRENCY:
            raise ValidationError({field: f"Only pounds sterling (GBP) are accepted, not {raw.currency}."})
        raw = raw.amount
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValidationError({field: "Amounts must be exact: give them as text such as 1250.00, not as a float."})
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise ValidationError({field: f"Enter an amount in pounds, {EXAMPLE}."})
        if len(text) > MAX_TEXT:
            raise ValidationError({field: f"{quoted(text)} is too long to be an amount; the largest amount accepted "
                                          f"is £{MAX_AMOUNT:,}, {EXAMPLE}."})
        foreign_code = re.fullmatch(r"[-+\d.,\s]+[A-Za-z]{3}|[A-Za-z]{3}\s*[-+\d.,\s]+", text)
        if any(sym in text for sym in ("$", "€", "¥")) or (foreign_code and not text.upper().endswith("GBP")):
            raise ValidationError({field: f"Only pounds sterling (GBP) are accepted; '{text}' is not in pounds."})
        match = AMOUNT_GRAMMAR.fullmatch(raw)
        if match is None:
            raise ValidationError({field: _why_not_an_amount(raw, text)})
        value = Decimal(match.group("number").replace(",", ""))
        typed = text
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    elif raw is None:
        raise ValidationError({field: f"Enter an amount in pounds, {EXAMPLE}."})
    else:
        raise ValidationError({field: f"Cannot read {type(raw).__name__} as an amount; {EXAMPLE}."})
    if not value.is_finite():
        raise ValidationError({field: f"Enter a finite amount, {EXAMPLE}."})
    given = format_gbp_exact(value) if _writable(value) else None
    if value < 0 or (value == 0 and not allow_zero):
        floor = "£0.00 or more" if allow_zero else "more than £0.00"
        raise ValidationError({field: f"The amount must be {floor}; {given or 'a negative amount'} was given."})
    if value > MAX_AMOUNT:
        shown = quoted(typed) if typed is not None else (given or "The amount given")
        raise ValidationError({field: f"{shown} is more than the largest amount accepted (£{MAX_AMOUNT:,})."})
    if _places(value) > 2:
        raise ValidationError(
            {field: f"{given or 'The amount given'} has more than two decimal places; amounts are in whole pence."}
        )
    return quantize(value) if value else ZERO


def _writable(value: Decimal) -> bool:
    """Whether an amount can be written out in a sentence: finite, under a million million pounds and no finer than
    a millionth of a penny (a refusal describes any other rather than print hundreds of digits)."""
    return value.is_finite() and (not value or -8 <= value.adjusted() <= 12) and value.as_tuple().exponent >= -20


def format_gbp_exact(value: Decimal) -> str:
    """An amount as given, for a refusal: never rounded (so a message does not show the wrong figure), never in
    exponent form, with a sign when negative. For amounts ``_writable`` says can be written out."""
    sign = "-" if value < 0 else ""
    with localcontext(prec=60):  # more than every digit a writable amount has: formatting must not round
        digits = f"{abs(value):,.2f}" if value.as_tuple().exponent >= -2 else f"{abs(value):,f}"
    return f"{sign}£{digits}"


def format_gbp(value) -> str:
    """£1,234.56 and -£1,234.56: the British way, always two decimals."""
    if value is None:
        return ""
    amount = quantize(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


# Figures that are not money (a share in %, a count of people or tickets) follow the same discipline: ASCII digits,
# optional commas between groups of three, an optional decimal part of at most ``places`` digits.
_FIGURE = re.compile(r"\s*(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<places>[0-9]+))?)\s*%?\s*", re.ASCII)


def parse_figure(raw, *, field: str, places: int = 0, maximum: Decimal | int | None = None,
                 example: str = "120", kind: str | None = None) -> Decimal:
    """A non-negative figure typed by a person or read from a file: ``places`` decimals at most (0 = whole number),
    at most ``maximum`` (``MAX_FIGURE`` when none is given). Refuses floats, exponents, signs, underscores,
    non-ASCII digits, NaN, infinities and text longer than any figure with a message showing the right form
    (``example``); never raises anything but ``ValidationError`` on ``field``."""
    kind = kind or ("a whole number" if places == 0 else
                    f"a number with at most {places} decimal place{'s' * (places > 1)}")
    ceiling = Decimal(MAX_FIGURE if maximum is None else maximum)
    shown = None  # the person's text, quoted in a refusal
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValidationError({field: f"Give {kind} as text, for example {example}."})
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = "" if raw is None else str(raw)
        if not text.strip():
            raise ValidationError({field: f"Enter {kind}, for example {example}."})
        shown = quoted(text)
        if len(text.strip()) > MAX_TEXT:
            raise ValidationError({field: f"{shown} is too long to be {kind}; the largest accepted is "
                                          f"{ceiling}, for example {example}."})
        match = _FIGURE.fullmatch(text)
        if match is None:
            raise ValidationError({field: f"{shown} is not {kind}; write it with the digits 0-9, "
                                          f"for example {example}."})
        value = Decimal(match.group("number").replace(",", ""))
    if not value.is_finite() or value < 0:
        raise ValidationError({field: f"Enter {kind}, 0 or more, for example {example}."})
    if shown is None:
        shown = f"'{value:f}'" if _writable(value) else "The figure given"
    if value > ceiling:
        raise ValidationError({field: f"{shown} is more than the largest accepted ({ceiling}); "
                                      f"for example {example}."})
    if _places(value) > places:
        raise ValidationError({field: f"{shown} has too many decimal places: give {kind}, for example {example}."})
    return value.copy_abs() if value == 0 else value

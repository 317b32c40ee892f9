from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from djmoney.money import Money

from core.money import format_gbp, from_pence, parse_amount, quantize, to_pence


def test_quantize_rounds_half_up_to_pence():
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("2.345")) == Decimal("2.35")
    assert quantize("10") == Decimal("10.00")


def test_quantize_refuses_floats():
    with pytest.raises(TypeError, match="never be a float"):
        quantize(0.1)


def test_parse_amount_accepts_pounds_and_commas():
    assert parse_amount("£1,234.50") == Decimal("1234.50")
    assert parse_amount("1234.5 GBP") == Decimal("1234.50")
    assert parse_amount("12.500") == Decimal("12.50")


@pytest.mark.parametrize(
    "raw, message",
    [
        ("0", "more than £0.00"),
        ("-5.00", "more than £0.00"),
        ("12.345", "more than two decimal places"),
        ("abc", "is not an amount"),
        ("", "Enter an amount"),
        ("$12.00", "Only pounds sterling"),
        ("12.00 USD", "Only pounds sterling"),
        ("EUR 12.00", "Only pounds sterling"),
        ("ten pounds", "is not an amount"),
        ("NaN", "finite"),
        ("100000000.00", "largest amount"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_reason(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_amount(raw)


def test_parse_amount_refuses_other_currencies_as_money():
    with pytest.raises(ValidationError, match="Only pounds sterling"):
        parse_amount(Money("10.00", "EUR"))


def test_parse_amount_refuses_float():
    with pytest.raises(ValidationError, match="exact"):
        parse_amount(12.5)


def test_pence_round_trip_is_exact():
    assert to_pence("1234.56") == 123456
    assert from_pence(123456) == Decimal("1234.56")
    assert from_pence(-1) == Decimal("-0.01")


def test_format_gbp_is_british():
    assert format_gbp(Decimal("1234.5")) == "£1,234.50"
    assert format_gbp(Decimal("-0.5")) == "-£0.50"

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from djmoney.money import Money

from core.money import format_gbp, from_pence, parse_amount, parse_figure, quantize, to_pence


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
    assert parse_amount("  £ 1,000,000 ") == Decimal("1000000.00")
    assert parse_amount("0.5") == Decimal("0.50")


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
        ("NaN", "is not an amount"),
        ("100000000.00", "largest amount"),
        ("12.500", "more than two decimal places"),
        # What the demo once accepted: none of these is how a person writes pounds and pence.
        ("1e6", "exponent; write every digit"),
        ("1.5e2", "exponent; write every digit"),
        ("0.001e3", "exponent; write every digit"),
        ("1E+26", "exponent; write every digit"),
        ("1_000", "underscore"),
        ("+20", "has a sign"),
        ("£1,00,000", "commas in the wrong places"),
        ("1,2345.00", "commas in the wrong places"),
        ("12,34", "commas in the wrong places"),
        ("١٢٣", "digits other than 0-9"),
        ("１２３", "digits other than 0-9"),
        ("12.", "digits on both sides"),
        (".50", "digits on both sides"),
        ("(5.00)", "must be more than £0.00"),
        ("1 000", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("0x10", "is not an amount"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_reason(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_amount(raw)


def test_every_refusal_shows_the_right_form():
    """Whatever was wrong, the message shows an amount written the right way (or says exactly what to change)."""
    for raw in ("1e6", "1_000", "+20", "£1,00,000", "١٢٣", "ten pounds"):
        with pytest.raises(ValidationError) as refused:
            parse_amount(raw)
        message = refused.value.message_dict["amount"][0]
        assert "1250.00" in message or "1000000.00" in message, message


def test_allow_zero_accepts_nothing_less_than_zero():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ValidationError, match="£0.00 or more"):
        parse_amount(Decimal("-1"), allow_zero=True)


def test_huge_decimals_from_code_are_refused_not_crashed():
    with pytest.raises(ValidationError, match="largest amount"):
        parse_amount(Decimal("1e26"))


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


@pytest.mark.parametrize("raw, places, expected", [("18.75", 3, "18.75"), ("1,200", 0, "1200"), (" 7 ", 0, "7"),
                                                   ("12.5%", 3, "12.5"), (0, 0, "0")])
def test_parse_figure_reads_plain_figures(raw, places, expected):
    assert parse_figure(raw, field="share", places=places) == Decimal(expected)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("²", "write it with the digits 0-9"),
        ("١٢", "write it with the digits 0-9"),
        ("1e3", "write it with the digits 0-9"),
        ("-1", "write it with the digits 0-9"),
        ("3.5", "too many decimal places"),
        (2.5, "as text"),
        ("", "Enter a whole number"),
        ("100001", r"more than the largest accepted \(100000\)"),
    ],
)
def test_parse_figure_refuses_what_is_not_a_plain_figure(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_figure(raw, field="tickets", places=0, maximum=100000)


# Every odd input is a refusal on the field, never an exception from Decimal arithmetic (issue 14).
@pytest.mark.parametrize(
    "raw, message",
    [
        ("1e26", "'1e26' is written with an exponent; write every digit, for example 1000000.00 for a million."),
        ("-1e26", "The amount must be more than £0.00; '-1e26' was given (a mistake is corrected by a reversal)."),
        ("1e-9", "'1e-9' is written with an exponent"),
        ("sNaN", "'sNaN' is not an amount; enter pounds and pence, for example 1250.00 or £1,250.00."),
        ("-0", "The amount must be more than £0.00; '-0' was given"),
        ("1,000,000.005", "£1000000.005 has more than two decimal places; amounts are in whole pence."),
        ("99999999999999.99", "'99999999999999.99' is more than the largest amount accepted (£99,999,999.99)."),
        ("999999999999999.99", "'999999999999999.99' is more than the largest amount accepted (£99,999,999.99)."),
        ("100000000", "'100000000' is more than the largest amount accepted (£99,999,999.99)."),
        ("１２", "'１２' uses digits other than 0-9; type the amount with the digits 0-9"),
        ("²", "'²' uses digits other than 0-9"),
        # 30 digits: shown as typed, not as the 28-digit rounding of it a Decimal context would print
        ("1" * 30, f"'{'1' * 30}' is more than the largest amount accepted (£99,999,999.99)."),
        ("1" * 30 + ".5", f"'{'1' * 30}.5' is more than the largest amount accepted"),
        ("9" * 5000, "'99999999999999999999...' (5,000 characters) is too long to be an amount; the largest amount "
                     "accepted is £99,999,999.99, for example 1250.00 or £1,250.00."),
        (Decimal("1e26"), "The amount given is more than the largest amount accepted (£99,999,999.99)."),
        (Decimal("-1e26"), "The amount must be more than £0.00; a negative amount was given."),
        (Decimal("1e-9"), "The amount given has more than two decimal places; amounts are in whole pence."),
        (Decimal("12.345"), "£12.345 has more than two decimal places"),
        (Decimal("sNaN"), "Enter a finite amount, for example 1250.00 or £1,250.00."),
        (Decimal("-Infinity"), "Enter a finite amount"),
        pytest.param(10**5000, "The amount given is more than the largest amount accepted", id="a 5001-digit int"),
        (None, "Enter an amount in pounds, for example 1250.00 or £1,250.00."),
        ("   ", "Enter an amount in pounds"),
        ([], "Cannot read list as an amount; for example 1250.00 or £1,250.00."),
    ],
)
def test_odd_amounts_are_refused_with_what_is_allowed(raw, message):
    with pytest.raises(ValidationError) as refused:
        parse_amount(raw)
    assert refused.value.message_dict["amount"][0].startswith(message)


def test_a_negative_zero_is_zero_where_zero_is_allowed():
    for raw in (Decimal("-0"), Decimal("-0.00"), "0", Decimal("0E+5")):
        value = parse_amount(raw, allow_zero=True)
        assert value == 0 and not value.is_signed() and value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "raw, places, maximum, message",
    [
        # Once a crash: a whole-number check of a figure with more digits than Decimal's context holds
        ("1" * 30 + ".5", 0, 10_000_000, f"'{'1' * 30}.5' is more than the largest accepted (10000000)"),
        ("1" * 30 + ".5555", 3, None, f"'{'1' * 30}.5555' is more than the largest accepted (999999999)"),
        ("1" * 30, 0, None, f"'{'1' * 30}' is more than the largest accepted (999999999); for example 120."),
        ("9" * 5000, 0, None, "'99999999999999999999...' (5,000 characters) is too long to be a whole number; the "
                              "largest accepted is 999999999, for example 120."),
        (Decimal("1e26"), 0, None, "The figure given is more than the largest accepted (999999999)"),
        (Decimal("1e-30"), 3, None, "The figure given has too many decimal places"),
        (Decimal("sNaN"), 0, None, "Enter a whole number, 0 or more, for example 120."),
        ("NaN", 3, None, "'NaN' is not a number with at most 3 decimal places; write it with the digits 0-9"),
        ("Infinity", 0, None, "'Infinity' is not a whole number"),
        ("１２", 0, None, "'１２' is not a whole number; write it with the digits 0-9, for example 120."),
        ("12.5", 0, None, "'12.5' has too many decimal places: give a whole number, for example 120."),
        (None, 0, None, "Enter a whole number, for example 120."),
    ],
)
def test_odd_figures_are_refused_with_what_is_allowed(raw, places, maximum, message):
    with pytest.raises(ValidationError) as refused:
        parse_figure(raw, field="tickets", places=places, maximum=maximum)
    assert refused.value.message_dict["tickets"][0].startswith(message)


def test_a_figure_of_zero_places_with_trailing_zeros_is_whole():
    assert parse_figure("1380.00", field="tickets") == Decimal("1380")
    assert parse_figure("0.00", field="tickets") == 0

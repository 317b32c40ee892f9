"""Properties of the one money helper, over many generated amounts (hypothesis; deterministic: derandomize)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.money import AMOUNT_GRAMMAR, MAX_AMOUNT, PENNY, format_gbp, from_pence, parse_amount, quantize, to_pence

PROPERTIES = hypothesis_settings(max_examples=300, deadline=None, derandomize=True, database=None,
                                 suppress_health_check=[HealthCheck.too_slow])

MAX_PENCE = int(MAX_AMOUNT * 100)
pence = st.integers(min_value=1, max_value=MAX_PENCE)
any_pence = st.integers(min_value=-MAX_PENCE, max_value=MAX_PENCE)
amounts = pence.map(lambda p: Decimal(p).scaleb(-2))  # exact pounds and pence, 0.01 .. 99,999,999.99
# Decimals with up to six places, to exercise rounding.
fine = st.decimals(min_value=Decimal("-99999999.999999"), max_value=Decimal("99999999.999999"), places=6,
                   allow_nan=False, allow_infinity=False)


@PROPERTIES
@given(amounts)
def test_parse_amount_returns_exactly_the_amount_written(amount):
    for text in (str(amount), f"{amount:.2f}", f"£{amount:,.2f}", f"{amount:.2f} GBP", f"  {amount:,.2f}  "):
        parsed = parse_amount(text)
        assert parsed == amount and type(parsed) is Decimal and parsed.as_tuple().exponent == -2


@PROPERTIES
@given(amounts)
def test_the_british_format_reads_back_to_the_same_amount(amount):
    assert parse_amount(format_gbp(amount)) == amount


@PROPERTIES
@given(any_pence)
def test_pence_round_trip_is_exact(p):
    amount = from_pence(p)
    assert type(amount) is Decimal and amount.as_tuple().exponent == -2
    assert to_pence(amount) == p


@PROPERTIES
@given(fine)
def test_to_pence_and_back_is_quantize(value):
    assert from_pence(to_pence(value)) == quantize(value)
    assert type(to_pence(value)) is int


@PROPERTIES
@given(st.integers(min_value=0, max_value=MAX_PENCE), st.integers(min_value=0, max_value=9999))
def test_quantize_rounds_half_up_to_the_penny(p, sub):
    """An amount of p pence and a fraction sub/10000 of a penny rounds up exactly when the fraction is half or
    more, and negative amounts mirror positive ones (half rounds away from zero)."""
    value = (Decimal(p) + Decimal(sub).scaleb(-4)).scaleb(-2)
    expected = Decimal(p + (1 if sub >= 5000 else 0)).scaleb(-2)
    assert quantize(value) == expected
    assert quantize(-value) == -expected


@PROPERTIES
@given(fine)
def test_quantize_is_idempotent_and_within_half_a_penny(value):
    once = quantize(value)
    assert quantize(once) == once
    assert abs(once - value) <= PENNY / 2
    assert once == value.quantize(PENNY, rounding=ROUND_HALF_UP)


@PROPERTIES
@given(st.lists(amounts, min_size=1, max_size=50))
def test_sums_in_pence_never_drift(values):
    """Adding many amounts gives the same total in pounds and in pence: no binary fraction creeps in."""
    assert from_pence(sum(to_pence(v) for v in values)) == quantize(sum(values, Decimal("0")))


@PROPERTIES
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_never_money(value):
    with pytest.raises(TypeError, match="never be a float"):
        quantize(value)
    with pytest.raises(ValidationError, match="exact"):
        parse_amount(value)


@PROPERTIES
@given(amounts, st.integers(min_value=1, max_value=9))
def test_more_than_two_decimal_places_is_refused_never_rounded(amount, digit):
    text = f"{amount:.2f}{digit}"  # a third decimal place that is not zero
    with pytest.raises(ValidationError, match="more than two decimal places"):
        parse_amount(text)


@PROPERTIES
@given(st.integers(min_value=-MAX_PENCE, max_value=0))
def test_zero_and_negative_amounts_are_refused(p):
    with pytest.raises(ValidationError, match="must be more than £0.00"):
        parse_amount(str(Decimal(p).scaleb(-2)))


@PROPERTIES
@given(st.integers(min_value=MAX_PENCE + 1, max_value=10 * MAX_PENCE))
def test_amounts_above_the_largest_are_refused(p):
    with pytest.raises(ValidationError, match="more than the largest amount accepted"):
        parse_amount(str(Decimal(p).scaleb(-2)))


@PROPERTIES
@given(st.text(max_size=20))
def test_any_text_is_either_an_exact_amount_or_a_clear_refusal(text):
    try:
        value = parse_amount(text)
    except ValidationError as refusal:
        assert refusal.message_dict["amount"][0]  # a message for the person, never a crash
    else:
        assert type(value) is Decimal and Decimal("0.01") <= value <= MAX_AMOUNT
        assert value == value.quantize(PENNY)


@PROPERTIES
@given(st.from_regex(AMOUNT_GRAMMAR, fullmatch=True) | st.text(alphabet="0123456789,.£ GBe+-_١", max_size=16))
def test_every_accepted_string_round_trips_through_the_formatter(text):
    """Whatever the grammar accepts, the British format of it reads back to exactly the same amount; whatever it
    refuses is refused with a message (hypothesis also writes strings the grammar does not accept)."""
    try:
        value = parse_amount(text)
    except ValidationError as refusal:
        assert refusal.message_dict["amount"][0]
        assert not (AMOUNT_GRAMMAR.fullmatch(text) and Decimal("0") < Decimal(
            AMOUNT_GRAMMAR.fullmatch(text).group("number").replace(",", "")) <= MAX_AMOUNT)
    else:
        assert AMOUNT_GRAMMAR.fullmatch(text), f"{text!r} was accepted outside the grammar"
        assert parse_amount(format_gbp(value)) == value
        assert value == Decimal(AMOUNT_GRAMMAR.fullmatch(text).group("number").replace(",", ""))

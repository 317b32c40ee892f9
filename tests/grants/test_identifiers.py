import pytest
from django.core.exceptions import ValidationError

from grants.identifiers import (
    normalise_account_number,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
    normalise_sort_code,
    organisation_identifier,
)


@pytest.mark.parametrize("raw, clean", [("1187654", "1187654"), (" 218 186 ", "218186"), ("", "")])
def test_charity_numbers_are_kept_as_text(raw, clean):
    assert normalise_charity_number(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "12345678", "SC012345", "11876X4"])
def test_bad_charity_numbers_are_refused_saying_what_is_right(raw):
    with pytest.raises(ValidationError, match="has 6 or 7 digits, for example 1123456"):
        normalise_charity_number(raw)


@pytest.mark.parametrize("raw, clean", [("01234567", "01234567"), ("sc123456", "SC123456"), ("09 876 543", "09876543")])
def test_company_numbers_keep_their_leading_zeros(raw, clean):
    assert normalise_company_number(raw) == clean


def test_a_company_number_that_lost_its_leading_zero_is_refused_with_a_hint():
    with pytest.raises(ValidationError, match="Did you mean 01234567"):
        normalise_company_number("1234567")


@pytest.mark.parametrize("raw", ["123456789", "S1234567", "ABC12345", "12-34567"])
def test_bad_company_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="8 characters, either 8 digits such as 01234567"):
        normalise_company_number(raw)


def test_identifier_is_derived_from_charity_then_company_then_name(settings):
    assert organisation_identifier(charity_number="1187654", company_number="09876543") == "GB-CHC-1187654"
    assert organisation_identifier(charity_number="", company_number="09876543") == "GB-COH-09876543"
    assert organisation_identifier(charity_number="", company_number="", name="Lozells Mums' Network") == \
        "360G-wmopcc-ORG-lozells-mums-network"


@pytest.mark.parametrize("given, message", [
    ("GB-CHC-1111111", "does not match the charity number '1187654'; it should be GB-CHC-1187654"),
    ("GB-COH-01234567", "does not match the company number '09876543'"),
    ("GB-CHC-12", "not a charity identifier"),
    ("GB-LAE-BIR", "not an organisation identifier; use GB-CHC-"),
    ("360G-", "not a 360Giving identifier"),
])
def test_a_given_identifier_must_agree_with_the_numbers(given, message):
    with pytest.raises(ValidationError, match=message):
        organisation_identifier(charity_number="1187654", company_number="09876543", given=given)


def test_postcodes_sort_codes_and_account_numbers_are_normalised():
    assert normalise_postcode("wv10 6de") == "WV10 6DE"
    assert normalise_postcode("B11BB") == "B1 1BB"
    assert normalise_sort_code("204577") == "20-45-77"
    assert normalise_sort_code("20 45 77") == "20-45-77"
    assert normalise_account_number("3192 6819") == "31926819"


@pytest.mark.parametrize("fn, raw, message", [
    (normalise_postcode, "Birmingham", "not a UK postcode"),
    (normalise_sort_code, "20-45-7", "six digits, written like 20-00-00"),
    (normalise_account_number, "1234567", "exactly 8 digits"),
    (normalise_account_number, "123456789", "exactly 8 digits"),
])
def test_bad_postcodes_and_bank_numbers_are_refused(fn, raw, message):
    with pytest.raises(ValidationError, match=message):
        fn(raw)

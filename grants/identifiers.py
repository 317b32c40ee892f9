"""Checking and normalising what identifies a recipient: charity and company numbers, the organisation
identifier (360Giving ``org-id``), postcodes and bank details.

Every number is kept as text, so leading zeros survive (``01234567`` is a company, ``1234567`` is not).
Each check raises ``ValidationError`` with a message that says what a right value looks like. The model fields
use the same functions as validators, so the admin refuses what the services refuse.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify

CHARITY_RE = re.compile(r"^\d{6,7}$")
COMPANY_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
SORT_CODE_RE = re.compile(r"^\d{2}-\d{2}-\d{2}$")
ACCOUNT_NUMBER_RE = re.compile(r"^\d{8}$")
INTERNAL_ID_RE = re.compile(r"^360G-[A-Za-z0-9]+(-[A-Za-z0-9]+)+$")

CHARITY_PREFIX = "GB-CHC-"
COMPANY_PREFIX = "GB-COH-"


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_charity_number(raw: str) -> str:
    """A charity registered in England and Wales has a 6 or 7 digit number, kept as typed (e.g. ``1123456``)."""
    value = _squash(raw)
    if value and not CHARITY_RE.match(value):
        raise ValidationError(
            f"'{raw}' is not a charity number: a charity registered in England and Wales has 6 or 7 digits, "
            "for example 1123456."
        )
    return value


def normalise_company_number(raw: str) -> str:
    """A Companies House number has 8 characters: 8 digits (leading zeros kept, e.g. ``01234567``) or two
    letters and 6 digits (``SC123456``)."""
    value = _squash(raw)
    if not value:
        return value
    if COMPANY_RE.match(value):
        return value
    hint = ""
    if value.isdigit() and len(value) < 8:
        hint = f" Did you mean {value.zfill(8)}? Companies House keeps the leading zeros."
    raise ValidationError(
        f"'{raw}' is not a company number: it has 8 characters, either 8 digits such as 01234567 or two letters "
        f"and 6 digits such as SC123456.{hint}"
    )


def validate_charity_number(value: str) -> None:
    if value and normalise_charity_number(value) != value:
        raise ValidationError(f"Write the charity number without spaces, e.g. {normalise_charity_number(value)}.")


def validate_company_number(value: str) -> None:
    if value and normalise_company_number(value) != value:
        raise ValidationError(
            f"Write the company number in capitals without spaces, e.g. {normalise_company_number(value)}."
        )


def normalise_postcode(raw: str) -> str:
    value = _squash(raw)
    match = POSTCODE_RE.match(value)
    if not match:
        raise ValidationError(f"'{raw}' is not a UK postcode; write it like B1 1BB or WV10 6DE.")
    return f"{match.group(1)} {match.group(2)}"


def validate_postcode(value: str) -> None:
    if normalise_postcode(value) != value:
        raise ValidationError(f"Write the postcode in capitals with one space, e.g. {normalise_postcode(value)}.")


def normalise_sort_code(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw or "")
    if not re.fullmatch(r"\d{6}", digits):
        raise ValidationError(f"'{raw}' is not a sort code; a sort code is six digits, written like 20-00-00.")
    return f"{digits[0:2]}-{digits[2:4]}-{digits[4:6]}"


def validate_sort_code(value: str) -> None:
    if not SORT_CODE_RE.match(value or ""):
        raise ValidationError(f"'{value}' is not a sort code; write it like 20-00-00.")


def normalise_account_number(raw: str) -> str:
    digits = re.sub(r"\s", "", raw or "")
    if not ACCOUNT_NUMBER_RE.match(digits):
        raise ValidationError(
            f"'{raw}' is not an account number; UK account numbers have exactly 8 digits, e.g. 31926819 "
            "(ask the bank how to write a shorter or longer one as 8)."
        )
    return digits


def validate_account_number(value: str) -> None:
    if not ACCOUNT_NUMBER_RE.match(value or ""):
        raise ValidationError(f"'{value}' is not an account number; UK account numbers have exactly 8 digits.")


def normalise_area_code(raw: str) -> str:
    """An ONS area code (``E08000025``: a letter for the nation and 8 digits), in capitals, or blank."""
    value = (raw or "").strip().upper()
    if value and not (len(value) == 9 and value[0] in "EWSN" and value[1:].isdigit()):
        raise ValidationError(f"'{value}' is not an ONS area code; write it like E08000025.")
    return value


def internal_identifier(name: str) -> str:
    """``360G-<publisher prefix>-ORG-<name>`` for a recipient on neither register (e.g. a community group)."""
    prefix = settings.RINGFENCE["PUBLISHER_PREFIX"]
    slug = slugify(name)[:60].strip("-") or "organisation"
    return f"{prefix}-ORG-{slug}"


def organisation_identifier(*, charity_number: str, company_number: str, given: str = "", name: str = "") -> str:
    """The organisation identifier: the one given, checked against the numbers, or one derived from them
    (charity number first, then company number, else an internal ``360G-`` identifier from the name)."""
    given = (given or "").strip()
    if not given:
        if charity_number:
            return f"{CHARITY_PREFIX}{charity_number}"
        if company_number:
            return f"{COMPANY_PREFIX}{company_number}"
        return internal_identifier(name)
    check_identifier(given, charity_number=charity_number, company_number=company_number)
    return given


def check_identifier(identifier: str, *, charity_number: str, company_number: str) -> None:
    """Refuse an identifier of an unknown form, or one that contradicts the charity or company number."""
    if identifier.startswith(CHARITY_PREFIX):
        number = identifier[len(CHARITY_PREFIX):]
        if not CHARITY_RE.match(number):
            raise ValidationError(
                {"identifier": f"'{identifier}' is not a charity identifier; write it like GB-CHC-1123456."}
            )
        if number != charity_number:
            raise ValidationError(
                {"identifier": f"'{identifier}' does not match the charity number "
                               f"'{charity_number or '(none given)'}'; it should be GB-CHC-{charity_number or number}"
                               f"{'' if charity_number else ' with that charity number entered'}."}
            )
    elif identifier.startswith(COMPANY_PREFIX):
        number = identifier[len(COMPANY_PREFIX):]
        if not COMPANY_RE.match(number):
            raise ValidationError(
                {"identifier": f"'{identifier}' is not a company identifier; write it like GB-COH-01234567."}
            )
        if number != company_number:
            raise ValidationError(
                {"identifier": f"'{identifier}' does not match the company number "
                               f"'{company_number or '(none given)'}'; it should be GB-COH-{company_number or number}"
                               f"{'' if company_number else ' with that company number entered'}."}
            )
    elif identifier.startswith("360G-"):
        if not INTERNAL_ID_RE.match(identifier):
            raise ValidationError(
                {"identifier": f"'{identifier}' is not a 360Giving identifier; write it like 360G-wmopcc-ORG-name "
                               "(letters, digits and hyphens)."}
            )
    else:
        raise ValidationError(
            {"identifier": f"'{identifier}' is not an organisation identifier; use GB-CHC-<charity number>, "
                           "GB-COH-<company number> or 360G-<publisher prefix>-<internal id>."}
        )

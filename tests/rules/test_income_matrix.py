"""Income rules x paths: each rule of ``income.kinds`` (the one definition per kind of income) is tried through every
path that records income (the service, the web form, a .csv import, the Django admin) and must be refused there
with the same message, leaving the whole database unchanged. A guard fails the suite when a kind of income or a
path that records income has no row here.

Today is pinned to Friday 20/03/2026, late in 2025/26: MOJ-CORE has award letters for 2025/26 (03/04/2025) and
2026/27 (10/03/2026, the latest); MOJ-DASV has one for 2024/25 only.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, reverse

from funds.models import FinancialYear, Fund, Period
from funds.services import fund_create
from income import import_urls, importing, kinds, services, urls, views
from income.models import AwardLetter, CashReceipt
from tests.income.importing_files import HEADER, csv_bytes
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in

TODAY = date(2026, 3, 20)
PATHS = ("service", "web", "import")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(kinds, "income_today", lambda: TODAY)


@pytest.fixture
def world(officer, year, core_fund, dasv_fund, poca_fund, fpn_fund, home_office):
    fees = fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)
    years = {y.start_year: y for y in FinancialYear.objects.all()}
    services.award_letter_record(fund=core_fund, year=years[2025], reference="MOJ-AWD-2526",
                                 letter_date=date(2025, 4, 3), amount="500000.00", by=officer)
    services.award_letter_record(fund=core_fund, year=years[2026], reference="MOJ-AWD-2627",
                                 letter_date=date(2026, 3, 10), amount="520000.00", by=officer)
    services.award_letter_record(fund=dasv_fund, year=years[2024], reference="DASV-AWD-2425",
                                 letter_date=date(2024, 4, 3), amount="200000.00", by=officer)
    return {"MOJ-CORE": core_fund, "MOJ-DASV": dasv_fund, "POCA": poca_fund, "FPN": fpn_fund, "ROAD-FEES": fees,
            "years": years}


# ---- One attempt, described once, tried on every path ----------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    kind: str  # income.kinds code
    fund: str  # fund code
    day: date
    amount: str = "1000.00"
    letter: str = ""  # award letter reference a receipt names
    year: int = 2025  # the year an award letter is for
    reference: str = "MX-0001"
    inactive: bool = False  # the fund is closed to new income first


@dataclass(frozen=True)
class Case:
    rule: str
    attempt: Attempt
    message: str
    paths: tuple[str, ...] = field(default=PATHS)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.attempt.kind}-{self.attempt.fund}"


FUTURE = date(2026, 3, 21)
NOT_ENDED = "{month} has not ended yet, so its fixed penalty return cannot be recorded before {first}, the day after " \
            "the month ends."
FUTURE_MESSAGE = "21/03/2026 is after today (20/03/2026): income is recorded once it has arrived, so give a date no " \
                 "later than 20/03/2026."
CORE_TAKES = "MOJ-CORE takes only award letters and cash receipts, not {what}."

CASES = [
    # Which funds take each kind: a generic receipt never goes to POCA, FPN or fee funds (they have their own pages).
    Case("wrong fund kind", Attempt("award", "POCA", date(2026, 3, 2)),
         "POCA takes only proceeds of crime receipts, not award letters. Record this as a proceeds of crime receipt "
         "instead."),
    Case("wrong fund kind", Attempt("receipt", "POCA", date(2026, 3, 2)),
         "POCA takes only proceeds of crime receipts, not cash receipts. Record this as a proceeds of crime receipt "
         "instead."),
    Case("wrong fund kind", Attempt("receipt", "FPN", date(2026, 3, 2)),
         "FPN takes only fixed penalty returns, not cash receipts. Record this as a fixed penalty return instead."),
    Case("wrong fund kind", Attempt("receipt", "ROAD-FEES", date(2026, 3, 2)),
         "ROAD-FEES takes only course fee receipts, not cash receipts. Record this as a course fee receipt instead."),
    Case("wrong fund kind", Attempt("poca", "MOJ-CORE", date(2026, 3, 2)),
         CORE_TAKES.format(what="proceeds of crime receipts")),
    Case("wrong fund kind", Attempt("fpn", "MOJ-CORE", date(2026, 2, 1)),
         CORE_TAKES.format(what="fixed penalty returns")),
    Case("wrong fund kind", Attempt("fee", "MOJ-CORE", date(2026, 3, 2)),
         CORE_TAKES.format(what="course fee receipts")),
    # Active funds only.
    *[
        Case("inactive fund", Attempt(kind, code, day, inactive=True),
             f"{code} is no longer active, so it takes no new income. Record the {kinds.INCOME_KINDS[kind].name} on "
             "an active fund.")
        for kind, code, day in [
            ("award", "MOJ-CORE", date(2026, 3, 2)), ("receipt", "MOJ-CORE", date(2026, 3, 2)),
            ("poca", "POCA", date(2026, 3, 2)), ("fpn", "FPN", date(2026, 2, 1)),
            ("fee", "ROAD-FEES", date(2026, 3, 2)),
        ]
    ],
    # No income dated after today; a fixed penalty month only once it has ended.
    Case("future date", Attempt("award", "MOJ-CORE", FUTURE), FUTURE_MESSAGE),
    Case("future date", Attempt("receipt", "MOJ-CORE", FUTURE), FUTURE_MESSAGE),
    Case("future date", Attempt("poca", "POCA", FUTURE), FUTURE_MESSAGE),
    Case("future date", Attempt("fee", "ROAD-FEES", FUTURE), FUTURE_MESSAGE),
    Case("future date", Attempt("fpn", "FPN", date(2026, 4, 1)),
         NOT_ENDED.format(month="April 2026", first="01/05/2026")),
    Case("fpn month not ended", Attempt("fpn", "FPN", date(2026, 3, 1)),
         NOT_ENDED.format(month="March 2026", first="01/04/2026")),
    # A receipt settles the letter of its own year, or a named letter of the same fund.
    Case("receipt letter of its year", Attempt("receipt", "MOJ-DASV", date(2026, 3, 2)),
         "MOJ-DASV has no award letter for 2025/26, the financial year of 02/03/2026; it has letters for 2024/25. "
         "Record its 2025/26 award letter first, or name the letter this receipt settles."),
    Case("receipt letter of another fund", Attempt("receipt", "MOJ-DASV", date(2026, 3, 2), letter="MOJ-AWD-2526"),
         "Award letter MOJ-AWD-2526 is for MOJ-CORE, not MOJ-DASV: name one of MOJ-DASV's award letters, or leave it "
         "blank to settle MOJ-DASV's letter for the financial year of the receipt's date."),
]


def _prepare(world, attempt: Attempt) -> None:
    """What a case needs before the attempt (outside the unchanged-database check): its fund closed to income."""
    if attempt.inactive:
        Fund.objects.filter(pk=world[attempt.fund].pk).update(is_active=False)
        world[attempt.fund].refresh_from_db()


def _letter(attempt: Attempt):
    return AwardLetter.objects.get(reference=attempt.letter) if attempt.letter else None


def try_service(world, officer, client, attempt: Attempt) -> list[str]:
    common = {"fund": world[attempt.fund], "reference": attempt.reference, "by": officer}
    calls = {
        "award": lambda: services.award_letter_record(year=world["years"][attempt.year], letter_date=attempt.day,
                                                      amount=attempt.amount, **common),
        "receipt": lambda: services.receipt_record(date=attempt.day, amount=attempt.amount,
                                                   award_letter=_letter(attempt), **common),
        "poca": lambda: services.poca_receipt_record(case_reference="T20260042", date=attempt.day,
                                                     gross_recovered=attempt.amount, agency_share_percent="18.75",
                                                     **common),
        "fpn": lambda: services.fpn_return_record(month_start=attempt.day, tickets=10, gross_value=attempt.amount,
                                                  **common),
        "fee": lambda: services.fee_receipt_record(date=attempt.day, amount=attempt.amount, courses=12, **common),
    }
    with pytest.raises(ValidationError) as refusal:
        calls[attempt.kind]()
    return refusal.value.messages


WEB_SLUG = {definition.code: slug for slug, kind in views.KINDS.items() for definition in [kind.income]}


def web_form(world, attempt: Attempt) -> dict:
    day = f"{attempt.day:%d/%m/%Y}"
    data = {"fund": world[attempt.fund].pk, "reference": attempt.reference, "description": ""}
    if attempt.kind == "award":
        data |= {"year": world["years"][attempt.year].pk, "letter_date": day, "amount": attempt.amount}
    elif attempt.kind == "receipt":
        letter = _letter(attempt)
        data |= {"award_letter": letter.pk if letter else "", "date": day, "amount": attempt.amount}
    elif attempt.kind == "poca":
        data |= {"case_reference": "T20260042", "date": day, "gross_recovered": attempt.amount,
                 "agency_share_percent": "18.75"}
    elif attempt.kind == "fpn":
        data |= {"period": Period.objects.get(start_date=attempt.day.replace(day=1)).pk, "tickets": "10",
                 "gross_value": attempt.amount}
    else:
        data |= {"date": day, "amount": attempt.amount, "courses": "12"}
    return data


def try_web(world, officer, client, attempt: Attempt) -> list[str]:
    data = web_form(world, attempt)
    response = client.post(f"/income/{WEB_SLUG[attempt.kind]}/new/", data)
    assert response.status_code == 200, "a refused form is shown again, not redirected"
    messages = [str(m) for errors in response.context["form"].errors.values() for m in errors]
    text = page_text(response)
    assert all(m in text for m in messages), "each refusal is on the page"
    return messages


def import_row(attempt: Attempt) -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row |= {"fund_code": attempt.fund, "date": f"{attempt.day:%d/%m/%Y}", "kind": attempt.kind,
            "reference": attempt.reference, "amount": attempt.amount, "award_reference": attempt.letter}
    if attempt.kind == "award":
        row["year"] = f"{attempt.year}/{(attempt.year + 1) % 100:02d}"
    extra = {"poca": {"share": "18.75", "case_reference": "T20260042"}, "fpn": {"tickets": "10"},
             "fee": {"courses": "12"}}
    row |= extra.get(attempt.kind, {})
    return row


def try_import(world, officer, client, attempt: Attempt) -> list[str]:
    row = import_row(attempt)
    header = list(row)
    report = importing.income_import(name="matrix.csv", data=csv_bytes([list(row.values())], header), by=officer)
    assert not report.ok and not report.written
    assert all(p.row == 2 for p in report.problems)
    return [p.message for p in report.problems]


TRY = {"service": try_service, "web": try_web, "import": try_import}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_income_rule_refuses_on_every_path_with_the_same_message(world, officer, unchanged_database, case,
                                                                       path):
    _prepare(world, case.attempt)
    client = signed_in(officer)
    with unchanged_database():
        messages = TRY[path](world, officer, client, case.attempt)
    assert messages == [case.message]


@pytest.mark.parametrize("kind", list(kinds.INCOME_KINDS))
def test_the_admin_refuses_to_add_or_change_income(world, admin_user, unchanged_database, kind):
    model = kinds.INCOME_KINDS[kind].model
    client = signed_in(admin_user)
    add = reverse(f"admin:income_{model._meta.model_name}_add")
    with unchanged_database():
        assert client.get(add).status_code == 403
        assert client.post(add, {"reference": "MX-ADMIN", "fund": world["MOJ-CORE"].pk}).status_code == 403
    document = model.objects.first()
    if document is not None:
        change = reverse(f"admin:income_{model._meta.model_name}_change", args=[document.pk])
        with unchanged_database():
            response = client.post(change, {"reference": "CHANGED"})
            assert response.status_code == 403


# ---- The positive side of the letter rule, and its confirmation on every path --------------------------------


def test_a_receipt_settles_the_letter_of_its_own_year_through_the_service(world, officer):
    receipt = services.receipt_record(fund=world["MOJ-CORE"], reference="BACS-0315", date=date(2026, 3, 15),
                                      amount="1000.00", by=officer)
    assert receipt.award_letter.reference == "MOJ-AWD-2526"  # not the later 2026/27 letter
    assert services.income_confirmation(receipt) == (
        f"Receipt BACS-0315 MOJ-CORE recorded and posted as journal entry {receipt.entry.reference}. It settles award "
        "letter MOJ-AWD-2526 for 2025/26.")


def test_a_receipt_settles_the_letter_of_its_own_year_through_the_web_form(world, officer):
    client = signed_in(officer)
    response = client.post("/income/receipts/new/", {"fund": world["MOJ-CORE"].pk, "award_letter": "",
                                                     "reference": "BACS-0315", "date": "15/03/2026",
                                                     "amount": "1000.00"}, follow=True)
    receipt = CashReceipt.objects.get()
    assert receipt.award_letter.reference == "MOJ-AWD-2526"
    assert (f"Receipt BACS-0315 MOJ-CORE recorded and posted as journal entry {receipt.entry.reference}. It settles "
            "award letter MOJ-AWD-2526 for 2025/26.") in page_text(response)


def test_a_receipt_settles_the_letter_of_its_own_year_through_an_import(world, officer):
    row = import_row(Attempt("receipt", "MOJ-CORE", date(2026, 3, 15), reference="BACS-0315"))
    report = importing.income_import(name="march.csv", data=csv_bytes([list(row.values())], list(row)), by=officer)
    assert report.lines()[1] == ("Row 2: cash receipt BACS-0315, MOJ-CORE, 15/03/2026, £1,000.00, settles award "
                                 "letter MOJ-AWD-2526 for 2025/26 - recorded")
    assert CashReceipt.objects.get().award_letter.reference == "MOJ-AWD-2526"


@pytest.mark.parametrize("path", PATHS)
def test_a_named_letter_of_the_same_fund_is_settled_whatever_its_year(world, officer, path):
    attempt = Attempt("receipt", "MOJ-CORE", date(2026, 3, 15), letter="MOJ-AWD-2627", reference="BACS-ADV")
    if path == "service":
        services.receipt_record(fund=world["MOJ-CORE"], reference=attempt.reference, date=attempt.day,
                                amount=attempt.amount, award_letter=_letter(attempt), by=officer)
    elif path == "web":
        assert signed_in(officer).post("/income/receipts/new/", web_form(world, attempt)).status_code == 302
    else:
        row = import_row(attempt)
        assert importing.income_import(name="a.csv", data=csv_bytes([list(row.values())], list(row)), by=officer).ok
    assert CashReceipt.objects.get().award_letter.reference == "MOJ-AWD-2627"


# ---- The guard: every kind of income and every path that records income has rows above ------------------------


def _covered(path: str) -> set[str]:
    return {case.attempt.kind for case in CASES if path in case.paths}


def test_every_kind_of_income_has_a_row_on_every_path():
    every = set(kinds.INCOME_KINDS)
    for path in PATHS:
        assert _covered(path) == every, f"kinds of income with no {path} row in the matrix"
    for rule in ("wrong fund kind", "inactive fund", "future date"):
        assert {c.attempt.kind for c in CASES if c.rule == rule} == every, f"'{rule}' is not tried for every kind"
    assert set(importing.KINDS) == every, "an import kind that is not a kind of income (or the reverse)"
    assert {kind.income.code for kind in views.KINDS.values()} == every, "a web page for an unknown kind"


def _income_urls(world) -> list[tuple[str, str]]:
    """(url name, url) for every URL pattern of the income app, each kind of page expanded."""
    found = []
    for pattern, prefix in [(p, "income:") for p in urls.urlpatterns] + [(p, "") for p in import_urls.urlpatterns]:
        assert isinstance(pattern, URLPattern)
        name = prefix + pattern.name
        params = set(pattern.pattern.converters)
        for slug in (views.KINDS if "kind" in params else [None]):
            kwargs = {"kind": slug} if slug else {}
            if "pk" in params:
                kwargs["pk"] = 1
            found.append((f"{name}:{slug}" if slug else name, reverse(name, kwargs=kwargs)))
    return found


MATRIX_POST_PATHS = {f"income:create:{slug}" for slug in WEB_SLUG.values()} | {"income_import"}
# Reversing a document records no income: its rules (and its refusals writing nothing) are tested in
# tests/income/test_reversals.py and tests/web/test_income_reversal_views.py.
REVERSAL_PATHS = {f"income:reverse:{slug}" for slug in views.KINDS}


def test_every_income_page_that_accepts_a_post_is_in_the_matrix(world, officer):
    """A page of the income app that takes a POST records income, so it must be one of the matrix's paths: the
    web form of a kind (``income:create``) or the import; or it reverses a document. Every other page refuses a
    POST (405)."""
    client = signed_in(officer)
    accepting = {name for name, url in _income_urls(world) if client.post(url, {}).status_code != 405}
    assert accepting == MATRIX_POST_PATHS | REVERSAL_PATHS
    assert set(WEB_SLUG) == set(kinds.INCOME_KINDS)

"""Shared fixtures: fixed, readable data. One person per role, two financial years, and a few funds."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER
from funds.calendar import year_open
from funds.models import Fund, Funder
from funds.services import fund_create, funder_create


def make_user(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password="correct-horse-battery-9", first_name=username.title(), **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db):
    return make_user("olivia", FINANCE_OFFICER)


@pytest.fixture
def officer2(db):
    return make_user("oscar", FINANCE_OFFICER)


@pytest.fixture
def commissioner(db):
    return make_user("carla", COMMISSIONER)


@pytest.fixture
def commissioner2(db):
    return make_user("cyril", COMMISSIONER)


@pytest.fixture
def director(db):
    return make_user("diana", FINANCE_DIRECTOR)


@pytest.fixture
def admin_user(db):
    return make_user("adam", None, is_staff=True, is_superuser=True)


@pytest.fixture
def year(db):
    """2025/26, with 2024/25 and 2026/27 beside it."""
    year_open(start_year=2024)
    year_open(start_year=2026)
    return year_open(start_year=2025)


@pytest.fixture
def moj(db, officer):
    return funder_create(name="Ministry of Justice", short_name="MoJ", kind=Funder.Kind.GOVERNMENT, by=officer)


@pytest.fixture
def home_office(db, officer):
    return funder_create(name="Home Office", short_name="HO", kind=Funder.Kind.GOVERNMENT, by=officer)


@pytest.fixture
def core_fund(db, officer, moj, year) -> Fund:
    """Award-based, ring-fenced; grants over £100,000 need a decision."""
    return fund_create(
        code="MOJ-CORE",
        name="Victims' services core grant",
        funder=moj,
        purpose="Victims cope and recover",
        limit_basis="award",
        year_end_rule="return",
        grant_approval_threshold="100000.00",
        virement_threshold="25000.00",
        by=officer,
    )


@pytest.fixture
def dasv_fund(db, officer, moj, year) -> Fund:
    return fund_create(
        code="MOJ-DASV",
        name="DA and SV grant",
        funder=moj,
        purpose="DA/SV support",
        limit_basis="award",
        year_end_rule="return",
        grant_approval_threshold="100000.00",
        by=officer,
    )


@pytest.fixture
def poca_fund(db, officer, home_office, year) -> Fund:
    return fund_create(
        code="POCA",
        name="Proceeds of crime fund",
        funder=home_office,
        purpose="Community safety",
        limit_basis="receipts",
        income_kind="poca",
        year_end_rule="carry_forward",
        by=officer,
    )


@pytest.fixture
def fpn_fund(db, officer, home_office, year) -> Fund:
    return fund_create(
        code="FPN",
        name="Retained fixed penalties",
        funder=home_office,
        purpose="Road safety",
        limit_basis="receipts",
        income_kind="fpn",
        year_end_rule="carry_forward",
        retained_share_percent="25",
        by=officer,
    )


@pytest.fixture
def funded_core(core_fund, year, officer):
    """MOJ-CORE with a £500,000.00 award for 2025/26, letter dated 3 April 2025."""
    from income.services import award_letter_record

    award_letter_record(
        fund=core_fund,
        year=year,
        reference="MOJ-AWD-2526",
        letter_date=date(2025, 4, 3),
        amount="500000.00",
        by=officer,
    )
    return core_fund


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Django's real hasher takes a deliberate fraction of a second per password, for every user a fixture makes.
    Tests check behaviour, not hash strength, so they use a fast one (production settings are untouched)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def anchor_file(tmp_path, settings):
    """Each test anchors the ledger's chain head (ledger.anchors) in a file of its own, and keeps uploads waiting
    for the worker (jobs) in a folder of its own."""
    settings.RINGFENCE_ANCHOR_PATH = str(tmp_path / "anchors.jsonl")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "anchors.jsonl"


@pytest.fixture(autouse=True, scope="session")
def flush_past_the_truncate_guard():
    """On PostgreSQL the ledger's tables refuse TRUNCATE (ledger migration 0009), which is how Django empties the
    database after a transactional test. The test database's owner lifts the guard for that one flush, as only an
    owner can (the application's production role cannot: README, "Deployment: the database roles")."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements:
            return statements
        guarded = [t for t in tables if t.startswith("ledger_") or t == "reports_packsignoff"]
        return ([f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in guarded] + statements
                + [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in guarded])

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


# "Writes nothing" checked on the whole database, for every test folder (defined with the rule x path matrix).
from tests.rules.conftest import unchanged_database  # noqa: E402, F401

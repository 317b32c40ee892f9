"""Production's deployment on PostgreSQL: the application connects as a role that does not own the tables, so it
posts through the guards but cannot get round them (grant_app_role; README, "Deployment: the database roles").

CI creates the role ``ringfence_app`` and makes the test user a member of it (.ci/run), so the test can act as it
with SET ROLE on the test database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import fund_available

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and ownership are PostgreSQL's")
ROLE = "ringfence_app"


@pytest.fixture
def as_app_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s", [ROLE, ROLE])
        row = cursor.fetchone()
    if not row or not row[0]:
        pytest.fail(f"The role {ROLE} is missing or the test user is not a member of it: run the SQL in .ci/run.")
    call_command("grant_app_role", ROLE, stdout=open("/dev/null", "w"))
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.parametrize("statement, refusal", [
    ("ALTER TABLE ledger_journalline DISABLE TRIGGER USER", "must be owner"),
    ("ALTER TABLE ledger_fundposition DISABLE TRIGGER ledger_position_from_lines", "must be owner"),
    ("DROP TRIGGER ledger_position_from_lines ON ledger_fundposition", "must be owner"),
    ("ALTER TABLE ledger_fundposition DROP CONSTRAINT ledger_position_never_below_zero", "must be owner"),
    ("TRUNCATE ledger_journalline CASCADE", "permission denied"),
    ("TRUNCATE funds_fund CASCADE", "permission denied"),
    ("UPDATE ledger_journalline SET amount = 1", "permission denied"),
    ("DELETE FROM ledger_journalentry", "permission denied"),
    ("UPDATE ledger_fundposition SET limit_pence = limit_pence + 100000000", "kept by posting"),
    ("SET session_replication_role = replica", "permission denied"),
])
def test_the_application_role_cannot_get_round_the_guards(funded_core, as_app_role, statement, refusal):
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_the_application_role_posts_through_the_guards(funded_core, officer, year, as_app_role):
    entry_post(date=date(2025, 6, 1), description="Commitment", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, Decimal("1000.00")),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, Decimal("1000.00"))])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == ROLE
    assert fund_available(fund=funded_core, year=year) == Decimal("499000.00")

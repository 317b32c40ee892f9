from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from ledger import accounts as acc
from ledger.models import Balance
from ledger.posting import CREDIT, DEBIT, Leg, entry_post


def run_verify():
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_ledger", stdout=out, stderr=StringIO())
        return 0, out.getvalue()
    except SystemExit as exit_:
        return exit_.code, out.getvalue()


def post_some(fund, officer):
    for amount in ("100.00", "250.50"):
        entry_post(
            date=date(2025, 6, 1),
            description="Commitment",
            by=officer,
            legs=[
                Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount)),
                Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount)),
            ],
        )


def test_sound_ledger_exits_zero_with_one_line_summary(funded_core, officer):
    post_some(funded_core, officer)
    code, out = run_verify()
    assert code == 0
    assert out.strip().count("\n") == 0
    assert out.startswith("Ledger OK: 3 entries, 6 lines, chain intact")


def _without_triggers(sql):
    """Tamper as an attacker with DDL rights would: drop the guard, change a row (rolled back after the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush pending FK checks so the table can be altered
            cursor.execute("ALTER TABLE ledger_journalline DISABLE TRIGGER ledger_line_append_only")
            cursor.execute(sql)
            cursor.execute("ALTER TABLE ledger_journalline ENABLE TRIGGER ledger_line_append_only")
        else:
            cursor.execute("DROP TRIGGER ledger_line_no_update")
            cursor.execute(sql)


def test_altered_line_is_reported_by_entry(funded_core, officer):
    post_some(funded_core, officer)
    _without_triggers(
        "UPDATE ledger_journalline SET amount = 999.99 WHERE id = (SELECT MAX(id) FROM ledger_journalline)"
    )
    code, out = run_verify()
    assert code == 1
    assert "entry 2025/26/000003" in out and "altered after posting" in out
    assert "does not balance" in out


def test_drifted_balance_row_is_reported(funded_core, officer):
    post_some(funded_core, officer)
    Balance.objects.filter(account__code=acc.COMMITMENTS).update(debit_pence=99999)  # the database lets it grow
    code, out = run_verify()
    assert code == 1
    assert "balance MOJ-CORE 8000 2025/26 2025-06-01: kept (99999, 0) pence but the lines add up to (35050, 0)" in out


@pytest.mark.django_db
def test_empty_ledger_is_ok():
    code, out = run_verify()
    assert code == 0 and "0 entries" in out

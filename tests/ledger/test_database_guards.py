"""Below the application: what the database itself refuses, whatever statement reaches it (ledger migration 0009).

Each test performs one of the bypasses an adversarial test found, as a database user would, and shows it refused.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from ledger import accounts as acc
from ledger.models import Balance, ChainHead, FundPosition, JournalEntry, JournalLine
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import fund_available
from ledger.verification import verify

SQLITE = connection.vendor == "sqlite"
POSTGRES = connection.vendor == "postgresql"


def sql(statement, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def snapshot():
    return (
        list(JournalEntry.objects.values_list("id", "hash")),
        list(JournalLine.objects.values_list("id", "entry_id", "amount", "direction")),
        list(FundPosition.objects.values_list("fund_id", "limit_pence", "committed_pence", "actual_pence")),
        list(Balance.objects.values_list("id", "debit_pence", "credit_pence")),
        list(ChainHead.objects.values_list("last_hash", "entries")),
    )


def commit(fund, amount, by):
    return entry_post(date=date(2025, 6, 1), description="Commitment", by=by, legs=[
        Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount)), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount))])


def test_raising_a_kept_position_by_a_million_is_refused_so_the_ring_fence_holds(funded_core, officer, year):
    before = snapshot()
    with pytest.raises(DatabaseError, match="kept by posting"):
        sql("UPDATE ledger_fundposition SET limit_pence = limit_pence + 100000000")
    with pytest.raises(DatabaseError, match="kept by posting"):  # even claiming a later line
        sql("UPDATE ledger_fundposition SET limit_pence = limit_pence + 100000000, through_line = through_line + 5")
    with pytest.raises(DatabaseError, match="kept by posting"):
        sql("DELETE FROM ledger_fundposition")
    assert snapshot() == before
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")


def test_a_position_row_inserted_for_a_fund_is_refused_unless_the_lines_say_so(funded_core, dasv_fund, year):
    with pytest.raises(DatabaseError, match="kept by posting"):
        sql("INSERT INTO ledger_fundposition (fund_id, funding_year_id, limit_pence, committed_pence, actual_pence, "
            "through_line) VALUES (%s, %s, 100000000, 0, 0, 0)", [dasv_fund.pk, year.pk])


def test_a_line_cannot_be_added_to_a_posted_entry(funded_core, officer):
    entry = commit(funded_core, "100.00", officer)
    line = entry.lines.first()
    before = snapshot()
    with pytest.raises(DatabaseError, match="no line can be added to a posted entry"):
        sql("INSERT INTO ledger_journalline (entry_id, account_id, fund_id, funding_year_id, direction, amount, "
            "amount_currency) VALUES (%s, %s, %s, %s, 'D', 5, 'GBP')",
            [entry.pk, line.account_id, line.fund_id, line.funding_year_id])
    assert snapshot() == before


def _raw_entry(entry, new_id, lines):
    """Write an entry copied from ``entry`` with id ``new_id`` and the given (direction, amount) lines, lines first."""
    line = entry.lines.first()
    for direction, amount in lines:
        sql("INSERT INTO ledger_journalline (entry_id, account_id, fund_id, funding_year_id, direction, amount, "
            "amount_currency) VALUES (%s, %s, %s, %s, %s, %s, 'GBP')",
            [new_id, line.account_id, line.fund_id, line.funding_year_id, direction, amount])
    sql("INSERT INTO ledger_journalentry (id, year_id, number, date, period_id, description, source_type, source_id, "
        "source_reference, posted_by_id, posted_at, previous_hash, hash) "
        "SELECT %s, year_id, number + 100, date, period_id, 'forged', 'manual', '', '', posted_by_id, posted_at, "
        "hash, %s FROM ledger_journalentry WHERE id = %s", [new_id, "e" * 64, entry.pk])
    if POSTGRES:
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL checks the entry at commit: as if committing now


@pytest.mark.parametrize("lines", [[("D", "50.00")], [("D", "50.00"), ("C", "49.99")], []],
                         ids=["one-sided", "unbalanced", "no-lines"])
def test_an_unbalanced_or_one_sided_entry_is_refused_by_the_database(funded_core, officer, lines):
    entry = commit(funded_core, "100.00", officer)
    before = snapshot()
    with pytest.raises(DatabaseError, match="at least two lines"), transaction.atomic():
        _raw_entry(entry, entry.pk + 50, lines)
    assert snapshot() == before


def test_a_balanced_entry_written_lines_first_is_accepted_by_the_database(funded_core, officer):
    """The guard is exact, not a blanket refusal: the shape posting writes is accepted below the ORM too."""
    entry = commit(funded_core, "100.00", officer)
    with transaction.atomic():
        _raw_entry(entry, entry.pk + 50, [("D", "50.00"), ("C", "50.00")])
        assert JournalEntry.objects.filter(pk=entry.pk + 50).exists()
        transaction.set_rollback(True)


@pytest.mark.skipif(not SQLITE, reason="REPLACE is SQLite's; PostgreSQL has no such statement")
@pytest.mark.parametrize("statement", [
    "REPLACE INTO ledger_journalline SELECT id, direction, 9999, amount_currency, account_id, entry_id, fund_id, "
    "funding_year_id, budget_line_id FROM ledger_journalline WHERE id = (SELECT MAX(id) FROM ledger_journalline)",
    "INSERT OR REPLACE INTO ledger_journalentry SELECT id, number, date, 'tampered', source_type, source_id, "
    "posted_at, previous_hash, hash, period_id, posted_by_id, reverses_id, year_id, source_reference "
    "FROM ledger_journalentry WHERE id = (SELECT MAX(id) FROM ledger_journalentry)",
    "INSERT OR REPLACE INTO ledger_balance (id, fund_id, account_id, funding_year_id, date, posted_on, debit_pence, "
    "credit_pence) SELECT id, fund_id, account_id, funding_year_id, date, posted_on, 0, 0 FROM ledger_balance",
    "INSERT OR REPLACE INTO ledger_fundposition (id, fund_id, funding_year_id, limit_pence, committed_pence, "
    "actual_pence, through_line) SELECT id, fund_id, funding_year_id, limit_pence + 100000000, committed_pence, "
    "actual_pence, through_line FROM ledger_fundposition",
    "INSERT OR REPLACE INTO ledger_chainhead (id, last_hash, entries) VALUES (1, 'x', 0)",
], ids=["line", "entry", "balance", "position", "chain-head"])
def test_sqlite_replace_cannot_write_over_posted_rows(funded_core, officer, statement):
    commit(funded_core, "100.00", officer)
    before = snapshot()
    with pytest.raises(DatabaseError, match="append-only|kept by posting|created once|no line can be added"):
        sql(statement)
    assert snapshot() == before


def test_the_chain_head_can_only_point_at_the_newest_entry(funded_core, officer):
    commit(funded_core, "100.00", officer)
    before = snapshot()
    with pytest.raises(DatabaseError, match="newest entry"):
        sql("UPDATE ledger_chainhead SET last_hash = %s", ["f" * 64])
    with pytest.raises(DatabaseError, match="newest entry|cannot be deleted"):
        sql("DELETE FROM ledger_chainhead")
    assert snapshot() == before


def test_kept_balances_never_shrink_or_disappear(funded_core, officer):
    before = snapshot()
    with pytest.raises(DatabaseError, match="kept by posting"):
        sql("UPDATE ledger_balance SET credit_pence = 0")
    with pytest.raises(DatabaseError, match="kept by posting"):
        sql("DELETE FROM ledger_balance")
    assert snapshot() == before


@pytest.mark.skipif(not POSTGRES, reason="TRUNCATE is PostgreSQL's (SQLite has DELETE, refused above)")
@pytest.mark.parametrize("statement", [
    "TRUNCATE ledger_journalline", "TRUNCATE ledger_journalentry CASCADE", "TRUNCATE funds_fund CASCADE",
    "TRUNCATE ledger_fundposition", "TRUNCATE ledger_balance", "TRUNCATE reports_packsignoff",
])
def test_postgres_truncate_is_refused_even_cascading_from_another_table(funded_core, statement):
    before = snapshot()
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's postings were checked: as if committed
    with pytest.raises(DatabaseError, match="cannot be truncated"):
        sql(statement)
    assert snapshot() == before


# --- verify_ledger finds kept rows that are missing or extra (the guards dropped, as an owner could) ------------


def _without_guards(statement):
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE ledger_fundposition DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE ledger_balance DISABLE TRIGGER USER")
            cursor.execute(statement)
            cursor.execute("ALTER TABLE ledger_fundposition ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE ledger_balance ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER ledger_position_no_delete")
            cursor.execute("DROP TRIGGER ledger_balance_no_delete")
            cursor.execute(statement)


def test_verify_reports_a_deleted_position_row(funded_core):
    _without_guards("DELETE FROM ledger_fundposition")
    problems = verify().problems
    assert problems == [
        "position MOJ-CORE 2025/26: no kept row, but the lines say [50000000, 0, 0] (limit, committed, actual pence): "
        "the row is missing"
    ]


def test_verify_reports_a_missing_balance_row(funded_core):
    _without_guards("DELETE FROM ledger_balance WHERE id = (SELECT MIN(id) FROM ledger_balance)")
    problems = verify().problems
    assert len(problems) == 1 and "no kept row" in problems[0] and "the row is missing" in problems[0]

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from funds.calendar import periods_close_up_to
from funds.models import Period
from ledger import accounts as acc
from ledger.models import Balance, FundPosition, JournalEntry, JournalLine
from ledger.posting import CREDIT, DEBIT, EntryDraft, Leg, entries_post, entry_post, entry_reverse
from ledger.selectors import fund_available, fund_positions


def commit(fund, amount, by, day=date(2025, 6, 1), funding_year=None):
    return entry_post(
        date=day,
        description="Commit for a grant",
        by=by,
        legs=[
            Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount), funding_year),
            Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount), funding_year),
        ],
    )


def counts():
    return JournalEntry.objects.count(), JournalLine.objects.count(), Balance.objects.count()


def test_award_letter_sets_spending_limit(funded_core, year):
    (row,) = [r for r in fund_positions(year=year) if r.fund == funded_core]
    assert (row.limit, row.committed, row.actual, row.available) == (
        Decimal("500000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("500000.00"),
    )


def test_entries_are_numbered_without_gaps_per_year_and_count_against_their_funding_year(funded_core, officer, year):
    first = commit(funded_core, "100.00", officer)
    second = commit(funded_core, "200.00", officer)
    # Dated April 2026 but drawing on the 2025/26 allocation: numbered in 2026/27, counted against 2025/26.
    april_next_year = commit(funded_core, "1.00", officer, day=date(2026, 4, 2), funding_year=year)
    assert (first.number, second.number) == (2, 3)  # 1 is the award letter
    assert april_next_year.number == 1 and april_next_year.year.label == "2026/27"
    assert fund_available(fund=funded_core, year=year) == Decimal("499699.00")


def test_hash_chain_links_each_entry_to_the_previous(funded_core, officer):
    first = JournalEntry.objects.get()
    second = commit(funded_core, "10.00", officer)
    assert second.previous_hash == first.hash
    assert len(second.hash) == 64 and second.hash != first.hash


def test_unbalanced_entry_is_refused_and_writes_nothing(funded_core, officer):
    before = counts()
    with pytest.raises(ValidationError, match="does not balance: debits and credits differ by £0.01"):
        entry_post(
            date=date(2025, 6, 1),
            description="Bad",
            by=officer,
            legs=[
                Leg(acc.COMMITMENTS, funded_core, DEBIT, Decimal("10.00")),
                Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, Decimal("9.99")),
            ],
        )
    assert counts() == before


def test_entry_must_balance_within_each_fund(funded_core, poca_fund, officer):
    with pytest.raises(ValidationError, match="within fund MOJ-CORE 2025/26"):
        entry_post(
            date=date(2025, 6, 1),
            description="Cross-fund",
            by=officer,
            legs=[
                Leg(acc.CASH, funded_core, DEBIT, Decimal("10.00")),
                Leg(acc.OTHER_INCOME, poca_fund, CREDIT, Decimal("10.00")),
            ],
        )


def test_transfer_through_inter_fund_account_balances(funded_core, poca_fund, officer):
    entry = entry_post(
        date=date(2025, 6, 1),
        description="Transfer",
        by=officer,
        legs=[
            Leg(acc.TRANSFERS, funded_core, DEBIT, Decimal("10.00")),
            Leg(acc.INTER_FUND, funded_core, CREDIT, Decimal("10.00")),
            Leg(acc.INTER_FUND, poca_fund, DEBIT, Decimal("10.00")),
            Leg(acc.TRANSFERS, poca_fund, CREDIT, Decimal("10.00")),
        ],
    )
    assert entry.lines.count() == 4


@pytest.mark.parametrize(
    "amount, message",
    [("0.00", "more than £0.00"), ("-1.00", "more than £0.00"), ("1.001", "more than two decimal places")],
)
def test_bad_amounts_are_refused(funded_core, officer, amount, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        commit(funded_core, amount, officer)
    assert counts() == before


def test_date_outside_every_year_is_refused(funded_core, officer):
    with pytest.raises(
        ValidationError, match="01/01/2031 is not in any financial year. Financial years set up: 2024/25 to 2026/27"
    ):
        commit(funded_core, "10.00", officer, day=date(2031, 1, 1))


def test_closed_period_is_refused(funded_core, officer):
    periods_close_up_to(period=Period.objects.get(year__start_year=2025, number=3), by=officer)
    before = counts()
    with pytest.raises(ValidationError, match="2025/26 P3 .* is closed"):
        commit(funded_core, "10.00", officer, day=date(2025, 6, 15))
    assert counts() == before


def test_overspend_is_refused_naming_what_is_available(funded_core, officer, year):
    commit(funded_core, "499000.00", officer)
    with pytest.raises(ValidationError, match=r"£1,000.00 is available and this needs £1,000.01"):
        commit(funded_core, "1000.01", officer)
    assert fund_available(fund=funded_core, year=year) == Decimal("1000.00")
    commit(funded_core, "1000.00", officer)
    assert fund_available(fund=funded_core, year=year) == Decimal("0.00")


def test_database_refuses_a_position_below_zero_whatever_the_path(funded_core, year):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundPosition.objects.filter(fund=funded_core, funding_year=year).update(committed_pence=50_000_001)


@pytest.mark.parametrize("table", ["ledger_journalentry", "ledger_journalline"])
def test_raw_sql_cannot_update_or_delete_posted_rows(funded_core, table):
    column = "description" if table == "ledger_journalentry" else "direction"
    value = "'tampered'" if table == "ledger_journalentry" else "'C'"
    for sql in (f"UPDATE {table} SET {column} = {value}", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert JournalEntry.objects.count() == 1 and JournalLine.objects.count() == 2


def test_queryset_update_and_delete_are_refused(funded_core):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalLine.objects.update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalLine.objects.all().delete()


def test_database_refuses_an_entry_into_a_closed_period_even_below_the_orm(funded_core, officer):
    entry = JournalEntry.objects.get()
    period = Period.objects.get(year__start_year=2025, number=1)
    Period.objects.filter(pk=period.pk).update(is_closed=True)
    with pytest.raises(DatabaseError, match="open period"), transaction.atomic():
        for line in entry.lines.all():  # balanced lines first, as posting writes them, so only the period is wrong
            JournalLine.objects.create(entry_id=99, account=line.account, fund=line.fund,
                                       funding_year=line.funding_year, direction=line.direction, amount=line.amount)
        JournalEntry.objects.create(
            id=99,
            year=entry.year,
            number=99,
            date=date(2025, 4, 5),
            period=period,
            description="x",
            source_type="manual",
            posted_by=officer,
            posted_at=entry.posted_at,
            previous_hash=entry.hash,
            hash="f" * 64,
        )


def test_reversal_mirrors_the_entry_and_restores_the_position(funded_core, officer, year):
    original = commit(funded_core, "2500.00", officer)
    assert fund_available(fund=funded_core, year=year) == Decimal("497500.00")
    reversal = entry_reverse(entry=original, date=date(2025, 7, 1), by=officer, reason="Keyed against wrong grant")
    assert reversal.reverses == original
    assert [(ln.account.code, ln.direction, ln.amount.amount) for ln in reversal.lines.all()] == [
        (acc.COMMITMENTS, CREDIT, Decimal("2500.00")),
        (acc.COMMITMENT_CONTROL, DEBIT, Decimal("2500.00")),
    ]
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")
    with pytest.raises(ValidationError, match="already been reversed"):
        entry_reverse(entry=original, date=date(2025, 7, 1), by=officer, reason="again")


def test_reversing_income_that_is_already_committed_is_refused(funded_core, officer):
    from income.models import AwardLetter
    from income.services import award_letter_reverse

    commit(funded_core, "400000.00", officer)
    with pytest.raises(ValidationError, match="£100,000.00 is available"):
        award_letter_reverse(award_letter=AwardLetter.objects.get(), on=date(2025, 7, 1), by=officer,
                             reason="Wrong amount")


def test_fund_position_reads_a_constant_number_of_queries(
    funded_core, dasv_fund, poca_fund, officer, year, django_assert_num_queries
):
    for _ in range(5):
        commit(funded_core, "10.00", officer)
    with django_assert_num_queries(2):
        rows = fund_positions(year=year)
    assert len(rows) == 3


def test_payment_larger_than_the_commitment_is_refused(funded_core, officer, year):
    """Without this rule a payment could release more commitment than exists, leaving 'available' unchanged while
    actual spending passed the spending limit."""
    commit(funded_core, "1000.00", officer)
    before = counts()
    with pytest.raises(ValidationError, match=r"£1,000.00 committed for 2025/26; this entry would release £600,000.00"):
        entry_post(
            date=date(2025, 6, 2),
            description="Payment",
            by=officer,
            legs=[
                Leg(acc.GRANT_EXPENDITURE, funded_core, DEBIT, Decimal("600000.00")),
                Leg(acc.CASH, funded_core, CREDIT, Decimal("600000.00")),
                Leg(acc.COMMITMENT_CONTROL, funded_core, DEBIT, Decimal("600000.00")),
                Leg(acc.COMMITMENTS, funded_core, CREDIT, Decimal("600000.00")),
            ],
        )
    assert counts() == before
    assert fund_available(fund=funded_core, year=year) == Decimal("499000.00")


def test_clawback_of_more_than_was_paid_is_refused(funded_core, officer):
    with pytest.raises(
        ValidationError, match=r"£0.00 of actual spending for 2025/26; this entry would take back £5.00"
    ):
        entry_post(
            date=date(2025, 6, 2),
            description="Clawback",
            by=officer,
            legs=[
                Leg(acc.CASH, funded_core, DEBIT, Decimal("5.00")),
                Leg(acc.GRANT_EXPENDITURE, funded_core, CREDIT, Decimal("5.00")),
            ],
        )


def test_database_refuses_negative_commitments_whatever_the_path(funded_core, year):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundPosition.objects.filter(fund=funded_core, funding_year=year).update(committed_pence=-1)


# --- A batch of entries (a payment run's payments) ------------------------------------------------------------


def _spend(fund, amount, reference):
    return EntryDraft(description=f"Payment {reference}", source_reference=reference,
                      legs=[Leg(acc.GRANT_EXPENDITURE, fund, DEBIT, amount), Leg(acc.CASH, fund, CREDIT, amount)])


def test_a_batch_is_numbered_chained_and_counted_like_single_entries(funded_core, officer, year):
    first = entry_post(date=date(2025, 6, 1), description="Before the batch", by=officer,
                       legs=[Leg(acc.CASH, funded_core, DEBIT, "10.00"), Leg(acc.OTHER_INCOME, funded_core, CREDIT,
                                                                             "10.00")])
    batch = entries_post(date=date(2025, 6, 2), by=officer, drafts=[
        _spend(funded_core, "100.01", "PR00001 A"), _spend(funded_core, "200.02", "PR00001 B"),
        _spend(funded_core, "300.03", "PR00001 C")])
    assert [e.number for e in batch] == [first.number + 1, first.number + 2, first.number + 3]
    assert [e.previous_hash for e in batch] == [first.hash, batch[0].hash, batch[1].hash]
    assert [e.source_reference for e in batch] == ["PR00001 A", "PR00001 B", "PR00001 C"]
    (position,) = fund_positions(year=year, funds=funded_core.__class__.objects.filter(pk=funded_core.pk))
    assert position.actual == Decimal("600.06")
    from django.core.management import call_command

    call_command("verify_ledger", verbosity=0)


def test_a_batch_that_would_overspend_is_refused_whole_naming_the_entry(funded_core, officer, year):
    available = fund_available(fund=funded_core, year=year)
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        entries_post(date=date(2025, 6, 2), by=officer, drafts=[
            _spend(funded_core, "100.00", "PR00002 A"), _spend(funded_core, available, "PR00002 B")])
    assert refusal.value.messages[0].startswith(
        f"PR00002 B: Not enough money available in MOJ-CORE (Victims' services core grant) for 2025/26: "
        f"£{available - 100:,.2f} is available and this needs £{available:,.2f}, £100.00 more than that.")
    assert counts() == before


# --- posting_batch: many entries, one transaction, locks taken once --------------------------------------------


def test_a_posting_batch_checks_each_entry_and_writes_the_kept_rows_once(
    funded_core, officer, year, django_assert_max_num_queries
):
    from ledger.posting import posting_batch
    from ledger.verification import verify

    # Locks and reads once; each date's period once; per entry a savepoint, its release and the writes (two
    # statements on SQLite, one on PostgreSQL), and, since these commitments are dated before today, one read of
    # what is dated after them (the ring fence at every date); the kept rows at the end: never the eleven of a
    # posting alone.
    with django_assert_max_num_queries(10 + 5 * 51 + 2):
        with posting_batch():
            entries = [commit(funded_core, "1000.00", officer, day=date(2025, 6, day % 2 + 1)) for day in range(50)]
            # Inside the batch the kept position has not moved yet; the batch's own checks use its running total.
            with pytest.raises(ValidationError, match=r"£450,000.00 is available and this needs £450,000.01"):
                commit(funded_core, "450000.01", officer)
    assert [e.number for e in entries] == list(range(2, 52))
    assert fund_available(fund=funded_core, year=year) == Decimal("450000.00")
    assert verify().problems == []


def test_a_refusal_that_leaves_a_posting_batch_undoes_every_entry_in_it(funded_core, officer, year):
    from ledger.posting import posting_batch

    before = counts()
    with pytest.raises(ValidationError, match="Not enough money available"):
        with posting_batch():
            commit(funded_core, "300000.00", officer)
            commit(funded_core, "300000.00", officer)  # 200,000 left: refused, and the first goes with it
    assert counts() == before
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")

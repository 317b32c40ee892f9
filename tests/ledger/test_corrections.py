"""Correcting journals (ledger.corrections): prepared by a finance officer, approved by someone else, and only then
posted; balanced within each fund; refused, writing nothing, whenever a rule is broken."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Event
from funds.models import FinancialYear, Fund, Period
from funds.services import fund_create
from income.services import receipt_record
from ledger import accounts as acc
from ledger.corrections import (
    CorrectionLine,
    correcting_journal_approve,
    correcting_journal_effects,
    correcting_journal_prepare,
    correcting_journal_reject,
)
from ledger.models import CorrectingJournal, JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import fund_positions
from tests.ledger.test_verify_ledger import run_verify

JUNE = date(2025, 6, 20)
REASON = "Receipt PPA-0042 was recorded on PROPERTY; the money belongs to COMMUNITY."


def _receipts_fund(code, name, funder, officer):
    return fund_create(
        code=code, name=name, funder=funder, purpose="Community grants", limit_basis="receipts",
        income_kind="other", year_end_rule="carry_forward", by=officer,
    )


@pytest.fixture
def property_fund(home_office, officer, year) -> Fund:
    return _receipts_fund("PROPERTY", "Police (Property) Act receipts", home_office, officer)


@pytest.fixture
def community_fund(home_office, officer, year) -> Fund:
    return _receipts_fund("COMMUNITY", "Community safety fund", home_office, officer)


@pytest.fixture
def misposted(property_fund, community_fund, officer):
    """£1,200.00 received on 10 June 2025 and recorded on PROPERTY; it belongs to COMMUNITY."""
    return receipt_record(
        fund=property_fund, reference="PPA-0042", date=date(2025, 6, 10), amount="1200.00", by=officer,
        today=date(2025, 6, 30),
    )


def move_lines(wrong, right, amount="1200.00"):
    """The receipt taken off the wrong fund and put on the right one: each fund balances on its own."""
    return [
        {"account": acc.OTHER_INCOME, "fund": wrong, "direction": DEBIT, "amount": amount},
        {"account": acc.CASH, "fund": wrong, "direction": CREDIT, "amount": amount},
        {"account": acc.CASH, "fund": right, "direction": DEBIT, "amount": amount},
        {"account": acc.OTHER_INCOME, "fund": right, "direction": CREDIT, "amount": amount},
    ]


@pytest.fixture
def prepared(misposted, property_fund, community_fund, officer):
    return correcting_journal_prepare(
        date=JUNE, reason=REASON, lines=move_lines(property_fund, community_fund), by=officer
    )


def available(fund, year):
    (row,) = fund_positions(year=year, funds=Fund.objects.filter(pk=fund.pk))
    return row.available


# ---- Prepared, then approved by someone else: posted, balanced, money moved --------------------------------------


def test_preparing_posts_nothing(misposted, property_fund, community_fund, officer, year):
    entries = JournalEntry.objects.count()
    journal = correcting_journal_prepare(
        date=JUNE, reason=REASON, lines=move_lines(property_fund, community_fund), by=officer
    )
    assert journal.status == CorrectingJournal.Status.PREPARED
    assert journal.entry is None
    assert JournalEntry.objects.count() == entries
    assert journal.lines.count() == 4
    assert available(property_fund, year) == Decimal("1200.00")
    assert Event.objects.filter(kind="correcting_journal.prepared", object_id=str(journal.pk)).exists()
    assert journal.history.count() == 1


def test_approval_by_another_officer_posts_a_balanced_entry_moving_the_receipt(
    prepared, property_fund, community_fund, officer2, year
):
    journal = correcting_journal_approve(journal=prepared, by=officer2, note="Checked against the bank statement")

    assert journal.status == CorrectingJournal.Status.APPROVED
    assert journal.decided_by == officer2
    entry = journal.entry
    assert entry.description == f"Correcting journal {journal.pk}: {REASON}"
    assert entry.date == JUNE
    assert (entry.source_type, entry.source_id) == ("ledger.correctingjournal", str(journal.pk))
    lines = list(entry.lines.select_related("account", "fund"))
    assert [(line.account.code, line.fund.code, line.direction, line.amount.amount) for line in lines] == [
        (acc.OTHER_INCOME, "PROPERTY", DEBIT, Decimal("1200.00")),
        (acc.CASH, "PROPERTY", CREDIT, Decimal("1200.00")),
        (acc.CASH, "COMMUNITY", DEBIT, Decimal("1200.00")),
        (acc.OTHER_INCOME, "COMMUNITY", CREDIT, Decimal("1200.00")),
    ]
    assert available(property_fund, year) == Decimal("0.00")
    assert available(community_fund, year) == Decimal("1200.00")
    assert Event.objects.filter(kind="correcting_journal.approved", object_id=str(journal.pk)).exists()
    assert journal.history.count() == 2


def test_a_finance_director_may_approve(prepared, director):
    assert correcting_journal_approve(journal=prepared, by=director).entry is not None


def test_verify_ledger_passes_after_approval(prepared, officer2):
    correcting_journal_approve(journal=prepared, by=officer2)
    code, out = run_verify()
    assert code == 0, out


def test_effects_show_what_each_fund_will_have_available(prepared, property_fund, community_fund):
    rows = {row.fund.code: row for row in correcting_journal_effects(prepared)}
    assert (rows["PROPERTY"].available_now, rows["PROPERTY"].available_after) == (Decimal("1200.00"), Decimal("0.00"))
    assert (rows["COMMUNITY"].available_now, rows["COMMUNITY"].available_after) == (Decimal("0.00"),
                                                                                   Decimal("1200.00"))
    assert rows["PROPERTY"].debits == rows["PROPERTY"].credits == Decimal("1200.00")


def test_a_closed_fund_may_still_be_corrected(misposted, property_fund, community_fund, officer, officer2):
    Fund.objects.filter(pk=property_fund.pk).update(is_active=False)
    journal = correcting_journal_prepare(
        date=JUNE, reason=REASON, lines=move_lines(Fund.objects.get(pk=property_fund.pk), community_fund), by=officer
    )
    assert correcting_journal_approve(journal=journal, by=officer2).entry is not None


# ---- Approval refused ----------------------------------------------------------------------------------------


def test_the_preparer_may_not_approve(prepared, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_approve(journal=prepared, by=officer)
    assert refused.value.messages == [
        "A correcting journal is approved by someone other than the person who prepared it: Olivia prepared this "
        "one. Ask another finance officer or a finance director."
    ]


def test_approval_that_would_take_a_fund_below_zero_is_refused_with_the_shortfall(
    prepared, property_fund, officer, officer2, unchanged_database
):
    entry_post(  # £500.00 of PROPERTY's £1,200.00 committed since: only £700.00 can be taken off it
        date=date(2025, 6, 25), description="Commitment", by=officer,
        legs=[Leg(acc.COMMITMENTS, property_fund, DEBIT, Decimal("500.00")),
              Leg(acc.COMMITMENT_CONTROL, property_fund, CREDIT, Decimal("500.00"))],
    )
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_approve(journal=prepared, by=officer2)
    assert refused.value.messages == [
        "Not enough money available in PROPERTY (Police (Property) Act receipts) for 2025/26: £700.00 is available "
        "and this needs £1,200.00, £500.00 more than that."
    ]
    assert CorrectingJournal.objects.get(pk=prepared.pk).status == CorrectingJournal.Status.PREPARED


def test_approval_after_its_period_closed_says_to_prepare_it_again(prepared, officer2, unchanged_database):
    Period.objects.filter(start_date=date(2025, 6, 1)).update(is_closed=True)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_approve(journal=prepared, by=officer2)
    assert refused.value.messages == [
        f"Correcting journal {prepared.pk} is dated 20/06/2025, in 2025/26 P3 (Jun 2025), which has closed since it "
        "was prepared, so it cannot be posted. Reject it and prepare it again with a date in an open period."
    ]


def test_a_rejected_journal_cannot_be_approved(prepared, director, officer2, unchanged_database):
    correcting_journal_reject(journal=prepared, by=director, note="The receipt was right: see the remittance")
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_approve(journal=prepared, by=officer2)
    (message,) = refused.value.messages
    assert message.startswith(f"Correcting journal {prepared.pk} was rejected by Diana on ")
    assert message.endswith("Prepare a new correcting journal if the correction is still needed.")


def test_an_approved_journal_is_not_approved_again(prepared, officer2, director, unchanged_database):
    journal = correcting_journal_approve(journal=prepared, by=officer2)
    with unchanged_database(), pytest.raises(ValidationError, match=f"posted as entry {journal.entry.reference}"):
        correcting_journal_approve(journal=prepared, by=director)


def test_a_commissioner_may_neither_prepare_nor_approve(
    prepared, misposted, property_fund, community_fund, commissioner, unchanged_database
):
    with unchanged_database():
        with pytest.raises(PermissionDenied, match="Only finance officers may prepare correcting journals"):
            correcting_journal_prepare(
                date=JUNE, reason=REASON, lines=move_lines(property_fund, community_fund), by=commissioner
            )
        with pytest.raises(PermissionDenied, match="Only finance officers or finance directors may approve"):
            correcting_journal_approve(journal=prepared, by=commissioner)
        with pytest.raises(PermissionDenied, match="Only finance officers or finance directors may reject"):
            correcting_journal_reject(journal=prepared, by=commissioner, note="No")


# ---- Rejection --------------------------------------------------------------------------------------------------


def test_rejection_posts_nothing_and_keeps_the_note(prepared, director):
    entries = JournalEntry.objects.count()
    journal = correcting_journal_reject(journal=prepared, by=director, note="The receipt was right")
    assert (journal.status, journal.decision_note, journal.entry) == ("rejected", "The receipt was right", None)
    assert JournalEntry.objects.count() == entries
    assert Event.objects.filter(kind="correcting_journal.rejected", object_id=str(journal.pk)).exists()


def test_rejection_needs_a_note_and_someone_other_than_the_preparer(prepared, officer, director, unchanged_database):
    with unchanged_database():
        with pytest.raises(ValidationError) as refused:
            correcting_journal_reject(journal=prepared, by=director, note="  ")
        assert refused.value.message_dict == {
            "note": ["Say why the correcting journal is rejected, so the person who prepared it can put it right."]
        }
        with pytest.raises(ValidationError, match="rejected by someone other than the person who prepared it: Olivia"):
            correcting_journal_reject(journal=prepared, by=officer, note="Withdrawn")


# ---- Preparing refused --------------------------------------------------------------------------------------------


def test_unbalanced_within_a_fund_is_refused_naming_the_fund_and_the_difference(
    misposted, property_fund, community_fund, officer, unchanged_database
):
    lines = move_lines(property_fund, community_fund)
    lines[1]["amount"] = "1000.00"  # PROPERTY: £1,200.00 debited, £1,000.00 credited
    lines[2]["amount"] = "1400.00"  # COMMUNITY: £1,400.00 debited, £1,200.00 credited (the totals agree)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=lines, by=officer)
    assert refused.value.messages == [
        "The journal does not balance within fund PROPERTY 2025/26: its debits are £1,200.00 and its credits "
        "£1,000.00, £200.00 apart. Add £200.00 of credits on PROPERTY 2025/26 (or change its lines by that much): "
        "each fund balances on its own.",
        "The journal does not balance within fund COMMUNITY 2025/26: its debits are £1,400.00 and its credits "
        "£1,200.00, £200.00 apart. Add £200.00 of credits on COMMUNITY 2025/26 (or change its lines by that much): "
        "each fund balances on its own.",
    ]


def test_a_fund_short_of_debits_is_told_to_add_debits(property_fund, community_fund, officer, unchanged_database):
    lines = move_lines(property_fund, community_fund)[:2]
    lines[0]["amount"] = "900.00"
    with unchanged_database(), pytest.raises(ValidationError, match=r"Add £300\.00 of debits on PROPERTY 2025/26"):
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=lines, by=officer)


@pytest.mark.parametrize(
    "code, why",
    [
        (acc.COMMITMENTS, "8000 Commitments (grants, orders and contracts): commitments move only with the "
                          "grants and orders that make them"),
        (acc.COMMITMENT_CONTROL, "8100 Commitments control: it is the other side of the commitments"),
        (acc.GRANT_ACCRUALS, "5100 Grant spending accrued at year end: grant accruals are posted by the year end"),
        (acc.RESERVE_CARRIED_FORWARD, "3100 Earmarked reserve carried forward: only the year end moves"),
        (acc.RESERVE_APPLIED, "3110 Earmarked reserve brought into the year: only the year end brings"),
        (acc.LAPSED, "3200 Unspent lapsed to general reserves: only the year end lapses"),
        (acc.YEAR_END_TRANSFERS, "4950 Unspent transferred out at year end: only the year end transfers"),
    ],
)
def test_accounts_only_documents_move_are_refused(code, why, property_fund, officer, unchanged_database):
    lines = [
        {"account": code, "fund": property_fund, "direction": DEBIT, "amount": "10.00"},
        {"account": acc.CASH, "fund": property_fund, "direction": CREDIT, "amount": "10.00"},
    ]
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=lines, by=officer)
    (message,) = refused.value.messages
    assert message.startswith(f"Line 1: a correcting journal cannot move account {why}")


def test_a_date_in_a_closed_period_is_refused(property_fund, community_fund, officer, unchanged_database):
    Period.objects.filter(start_date=date(2025, 6, 1)).update(is_closed=True)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=move_lines(property_fund, community_fund),
                                   by=officer)
    assert refused.value.message_dict["date"] == [
        "2025/26 P3 (Jun 2025) is closed, so nothing can be posted on 20/06/2025. Post the correction into an open "
        "period, or ask a finance director to reopen it."
    ]


def test_a_date_in_no_financial_year_is_refused(property_fund, community_fund, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=date(2030, 5, 1), reason=REASON,
                                   lines=move_lines(property_fund, community_fund), by=officer)
    assert refused.value.message_dict["date"] == [
        "01/05/2030 is not in any financial year. Financial years set up: 2024/25 to 2026/27."
    ]


def test_no_reason_and_too_few_lines_are_refused(property_fund, community_fund, officer, unchanged_database):
    with unchanged_database():
        with pytest.raises(ValidationError) as refused:
            correcting_journal_prepare(date=JUNE, reason="  ", lines=move_lines(property_fund, community_fund),
                                       by=officer)
        assert list(refused.value.message_dict) == ["reason"]
        with pytest.raises(ValidationError) as refused:
            correcting_journal_prepare(date=JUNE, reason=REASON, lines=move_lines(property_fund, community_fund)[:1],
                                       by=officer)
        assert refused.value.messages == [
            "A correcting journal needs at least two lines, a debit and a credit within each fund; 1 was given."
        ]


def test_a_bad_amount_is_refused_on_its_line(property_fund, community_fund, officer, unchanged_database):
    lines = move_lines(property_fund, community_fund)
    lines[3] = CorrectionLine(acc.OTHER_INCOME, community_fund, CREDIT, "1,200.005")
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=lines, by=officer)
    assert refused.value.messages == ["Line 4: £1200.005 has more than two decimal places; amounts are in whole pence."]


def test_a_funding_year_through_year_end_is_refused(property_fund, community_fund, officer, director,
                                                     unchanged_database):
    earlier = FinancialYear.objects.get(start_year=2024)
    FinancialYear.objects.filter(pk=earlier.pk).update(year_end_at=timezone.now(), year_end_by=director)
    lines = move_lines(property_fund, community_fund)
    lines[0]["funding_year"] = earlier  # read before its year end: the service reads the year as it stands now
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        correcting_journal_prepare(date=JUNE, reason=REASON, lines=lines, by=officer)
    assert refused.value.messages == [
        "Line 1: 2024/25 has been through year end, so its figures are final and its allocation cannot be corrected. "
        "Count the correction against 2025/26, the year of the journal's date, instead."
    ]


# ---- The database guards the rules too ------------------------------------------------------------------------------


def test_the_database_refuses_a_decision_by_the_preparer(prepared):
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectingJournal.objects.filter(pk=prepared.pk).update(
            status="rejected", decided_by=prepared.prepared_by, decided_at=timezone.now(), decision_note="Mine"
        )


def test_the_database_refuses_an_approval_without_an_entry(prepared, officer2):
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectingJournal.objects.filter(pk=prepared.pk).update(
            status="approved", decided_by=officer2, decided_at=timezone.now()
        )

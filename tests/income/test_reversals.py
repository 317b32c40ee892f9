"""Reversing income documents: the reversing entry is posted, the document stays (marked reversed), everything that
depended on it is restored, and the right document can then be recorded again. Refusals write nothing."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from core.models import Event
from funds.calendar import periods_close_up_to
from funds.models import Period
from funds.services import fund_create
from income import kinds
from income.importing import income_import
from income.kinds import award_outstanding
from income.models import AwardLetter, CashReceipt, FeeReceipt, PocaReceipt
from income.services import (
    award_letter_record,
    award_letter_reverse,
    fee_receipt_record,
    fee_receipt_reverse,
    fpn_return_record,
    fpn_return_reverse,
    income_reversal_refusal,
    poca_receipt_record,
    poca_receipt_reverse,
    receipt_record,
    receipt_reverse,
)
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import account_totals, fund_available
from tests.income.importing_files import HEADER, csv_bytes

TODAY = date(2025, 9, 15)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(kinds, "income_today", lambda: TODAY)


@pytest.fixture
def fees_fund(db, officer, home_office, year):
    return fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)


@pytest.fixture
def letter(funded_core):
    return AwardLetter.objects.get(reference="MOJ-AWD-2526")


def poca(fund, officer, reference="ARIS-1", gross="10000.00", share="50"):
    return poca_receipt_record(fund=fund, reference=reference, case_reference="T20250001", date=date(2025, 5, 12),
                               gross_recovered=gross, agency_share_percent=share, by=officer)


def verify_ledger() -> int:
    try:
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code
    return 0


# ---- Reverse, then record the right document ---------------------------------------------------------------------


def test_a_reversed_receipt_no_longer_counts_against_its_letter_and_the_right_amount_can_be_recorded(
        letter, funded_core, year, officer):
    wrong = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="125000.00",
                           by=officer)
    assert award_outstanding(letter) == Decimal("375000.00")

    reversed_ = receipt_reverse(receipt=wrong, reason="Keyed £125,000 for £12,500", by=officer,
                                on=date(2025, 6, 2))

    assert reversed_.is_reversed and reversed_.reversal_reason == "Keyed £125,000 for £12,500"
    entry = reversed_.reversal
    assert entry.reverses_id == wrong.entry_id and entry.date == date(2025, 6, 2)
    assert (entry.source_type, entry.source_id) == ("income.cashreceipt", str(wrong.pk))
    assert award_outstanding(letter) == Decimal("500000.00")

    right = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="12500.00",
                           by=officer)
    assert right.award_letter == letter
    assert award_outstanding(letter) == Decimal("487500.00")
    assert account_totals(year=year)[(funded_core.pk, acc.AWARDS_RECEIVABLE)] == (
        Decimal("625000.00"), Decimal("137500.00"))  # letter + reversal debits; both receipts' credits
    assert CashReceipt.objects.count() == 2 and CashReceipt.objects.standing().get() == right
    assert Event.objects.filter(kind="income.cashreceipt.reversed").count() == 1


def test_an_award_letter_with_nothing_received_is_reversed_and_recorded_again(letter, funded_core, year, officer):
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")
    award_letter_reverse(award_letter=letter, reason="Wrong year's letter", by=officer, on=date(2025, 6, 2))
    assert fund_available(fund=funded_core, year=year) == Decimal("0.00")

    award_letter_record(fund=funded_core, year=year, reference="MOJ-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="520000.00", by=officer)
    assert fund_available(fund=funded_core, year=year) == Decimal("520000.00")
    # A receipt now settles the letter that stands, not the reversed one.
    receipt = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 6, 20), amount="1000.00",
                             by=officer)
    assert receipt.award_letter.amount.amount == Decimal("520000.00")


def test_a_reversed_proceeds_of_crime_receipt_leaves_the_fund_and_its_reference_can_be_used_again(
        poca_fund, year, officer):
    wrong = poca(poca_fund, officer, gross="10000.00", share="50")
    assert fund_available(fund=poca_fund, year=year) == Decimal("5000.00")
    poca_receipt_reverse(receipt=wrong, reason="Share is 18.75%, not 50%", by=officer, on=date(2025, 6, 2))
    assert fund_available(fund=poca_fund, year=year) == Decimal("0.00")
    right = poca(poca_fund, officer, gross="10000.00", share="18.75")
    assert fund_available(fund=poca_fund, year=year) == Decimal("1875.00")
    assert list(PocaReceipt.objects.standing()) == [right]


def test_a_reversed_fixed_penalty_month_can_be_recorded_again(fpn_fund, year, officer):
    wrong = fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                              gross_value="138800.00", by=officer)
    fpn_return_reverse(fpn_return=wrong, reason="Gross keyed ten times too high", by=officer, on=date(2025, 6, 2))
    assert fund_available(fund=fpn_fund, year=year) == Decimal("0.00")
    assert account_totals(year=year)[(fpn_fund.pk, acc.TREASURY_CREDITOR)] == (
        Decimal("104100.00"), Decimal("104100.00"))

    right = fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                              gross_value="13880.00", by=officer)
    assert right.period == wrong.period
    assert fund_available(fund=fpn_fund, year=year) == Decimal("3470.00")  # 25% retained
    with pytest.raises(ValidationError, match="FPN already has a fixed penalty return for"):
        fpn_return_record(fund=fpn_fund, reference="FPN-2025-04b", month_start=date(2025, 4, 1), tickets=1,
                          gross_value="100.00", by=officer)


def test_a_reversed_course_fee_receipt_can_be_recorded_again(fees_fund, year, officer):
    wrong = fee_receipt_record(fund=fees_fund, reference="NDORS-0525", date=date(2025, 5, 30), amount="84000.00",
                               courses=84, by=officer)
    fee_receipt_reverse(receipt=wrong, reason="Extra nought", by=officer, on=date(2025, 6, 2))
    fee_receipt_record(fund=fees_fund, reference="NDORS-0525", date=date(2025, 5, 30), amount="8400.00", courses=84,
                       by=officer)
    assert fund_available(fund=fees_fund, year=year) == Decimal("8400.00")
    assert FeeReceipt.objects.count() == 2 and FeeReceipt.objects.standing().count() == 1


def test_the_reversal_is_dated_today_by_default(poca_fund, officer):
    receipt = poca_receipt_reverse(receipt=poca(poca_fund, officer), reason="Duplicate", by=officer)
    assert receipt.reversal.date == TODAY


def test_verify_ledger_passes_after_reversals(letter, funded_core, poca_fund, fpn_fund, officer):
    receipt = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="100.00",
                             by=officer)
    receipt_reverse(receipt=receipt, reason="Test", by=officer, on=date(2025, 6, 2))
    award_letter_reverse(award_letter=letter, reason="Test", by=officer, on=date(2025, 6, 2))
    poca_receipt_reverse(receipt=poca(poca_fund, officer), reason="Test", by=officer, on=date(2025, 6, 2))
    fpn = fpn_return_record(fund=fpn_fund, reference="FPN-1", month_start=date(2025, 4, 1), tickets=10,
                            gross_value="1000.00", by=officer)
    fpn_return_reverse(fpn_return=fpn, reason="Test", by=officer, on=date(2025, 6, 2))
    assert JournalEntry.objects.filter(reverses__isnull=False).count() == 4
    assert verify_ledger() == 0


def test_importing_a_reversed_documents_row_records_it_again(poca_fund, officer):
    row = ["POCA", "12/05/2025", "poca", "ARIS-1", "10000.00", "", "", "50", "T20250001", "", ""]
    income_import(name="income.csv", data=csv_bytes([row], HEADER), by=officer, dry_run=False, today=TODAY)
    first = PocaReceipt.objects.get()
    again = income_import(name="income.csv", data=csv_bytes([row], HEADER), by=officer, dry_run=False, today=TODAY)
    assert (len(again.recorded), len(again.already)) == (0, 1)
    poca_receipt_reverse(receipt=first, reason="Imported twice by mistake", by=officer, on=date(2025, 6, 2))
    third = income_import(name="income.csv", data=csv_bytes([row], HEADER), by=officer, dry_run=False, today=TODAY)
    assert (len(third.recorded), len(third.already)) == (1, 0)
    assert PocaReceipt.objects.standing().count() == 1


# ---- Refusals: each says why and writes nothing --------------------------------------------------------------------


def test_reversing_twice_is_refused(poca_fund, officer, unchanged_database):
    receipt = poca_receipt_reverse(receipt=poca(poca_fund, officer), reason="Duplicate", by=officer,
                                   on=date(2025, 6, 2))
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        poca_receipt_reverse(receipt=receipt, reason="Again", by=officer, on=date(2025, 6, 3))
    assert refusal.value.messages == [
        f"This proceeds of crime receipt was reversed already, by entry {receipt.reversal.reference} on 02/06/2025; "
        "a document is reversed once. Record a new one if the money needs to be counted again."]


def test_reversing_a_letter_with_receipts_is_refused_until_they_are_reversed(letter, funded_core, officer,
                                                                             unchanged_database):
    first = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="125000.00",
                           by=officer)
    second = receipt_record(fund=funded_core, reference="BACS-2", date=date(2025, 7, 20), amount="125000.00",
                            by=officer)
    expected = ("Award letter MOJ-AWD-2526 cannot be reversed: 2 receipts totalling £250,000.00 have been recorded "
                "against it; reverse those first.")
    assert income_reversal_refusal(letter) == expected
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        award_letter_reverse(award_letter=letter, reason="Wrong letter", by=officer, on=date(2025, 8, 1))
    assert refusal.value.messages == [expected]

    receipt_reverse(receipt=first, reason="Wrong letter", by=officer, on=date(2025, 8, 1))
    assert income_reversal_refusal(letter) == (
        "Award letter MOJ-AWD-2526 cannot be reversed: 1 receipt of £125,000.00 has been recorded against it; "
        "reverse it first.")
    receipt_reverse(receipt=second, reason="Wrong letter", by=officer, on=date(2025, 8, 1))
    assert income_reversal_refusal(letter) is None
    award_letter_reverse(award_letter=letter, reason="Wrong letter", by=officer, on=date(2025, 8, 1))


def test_a_receipt_naming_a_reversed_letter_is_refused(letter, officer, unchanged_database):
    award_letter_reverse(award_letter=letter, reason="Wrong letter", by=officer, on=date(2025, 6, 2))
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        receipt_record(fund=letter.fund, award_letter=letter, reference="BACS-1", date=date(2025, 6, 20),
                       amount="1.00", by=officer)
    assert refusal.value.message_dict["award_letter"][0].startswith(
        "Award letter MOJ-AWD-2526 has been reversed, so nothing more is received on it")


def test_a_reversal_that_would_take_the_fund_below_zero_is_refused_with_the_shortfall(poca_fund, year, officer,
                                                                                       unchanged_database):
    receipt = poca(poca_fund, officer, gross="10000.00", share="50")  # £5,000.00 received
    entry_post(date=date(2025, 6, 1), description="Grant approved: youth diversion", by=officer, legs=[
        Leg(acc.COMMITMENTS, poca_fund, DEBIT, Decimal("3000.00")),
        Leg(acc.COMMITMENT_CONTROL, poca_fund, CREDIT, Decimal("3000.00")),
    ])
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        poca_receipt_reverse(receipt=receipt, reason="Wrong share", by=officer, on=date(2025, 6, 2))
    assert refusal.value.messages == [
        "Proceeds of crime receipt ARIS-1 cannot be reversed: it would take POCA below zero. Not enough money "
        "available in POCA (Proceeds of crime fund) for 2025/26: £2,000.00 is available and this needs £5,000.00, "
        "£3,000.00 more than that. Record the correct proceeds of crime receipt first, or release what is committed "
        "from POCA, then reverse this one."]
    receipt.refresh_from_db()
    assert not receipt.is_reversed


def test_a_reversal_without_a_reason_is_refused(poca_fund, officer, unchanged_database):
    receipt = poca(poca_fund, officer)
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        poca_receipt_reverse(receipt=receipt, reason="  ", by=officer, on=date(2025, 6, 2))
    assert refusal.value.message_dict == {
        "reason": ["Say why the proceeds of crime receipt is being reversed; the reason is kept with it."]}


def test_a_reversal_in_a_closed_month_is_refused(poca_fund, officer, director, unchanged_database):
    receipt = poca(poca_fund, officer)
    periods_close_up_to(period=Period.objects.get(start_date=date(2025, 5, 1)), by=director, today=TODAY)
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        poca_receipt_reverse(receipt=receipt, reason="Duplicate", by=officer, on=date(2025, 5, 20))
    assert refusal.value.message_dict["date"][0].startswith("2025/26 P2 (May 2025) is closed")


def test_a_reversal_dated_after_today_is_refused(poca_fund, officer, unchanged_database):
    receipt = poca(poca_fund, officer)
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        poca_receipt_reverse(receipt=receipt, reason="Duplicate", by=officer, on=date(2025, 9, 16))
    assert refusal.value.message_dict == {
        "on": ["16/09/2025 is after today (15/09/2025): a reversal is dated no later than today."]}


@pytest.mark.parametrize("who", ["commissioner", "director"])
def test_only_finance_officers_reverse_income(poca_fund, officer, who, request, unchanged_database):
    receipt = poca(poca_fund, officer)
    with unchanged_database(), pytest.raises(PermissionDenied, match="reverse a proceeds of crime receipt"):
        poca_receipt_reverse(receipt=receipt, reason="Duplicate", by=request.getfixturevalue(who),
                             on=date(2025, 6, 2))


def test_the_database_allows_one_standing_document_per_reference(poca_fund, officer):
    """The services check first; the conditional unique constraint holds against any other path too."""
    first = poca(poca_fund, officer, reference="ARIS-1")
    poca(poca_fund, officer, reference="ARIS-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        PocaReceipt.objects.filter(reference="ARIS-2").update(reference="ARIS-1")
    poca_receipt_reverse(receipt=first, reason="Duplicate", by=officer, on=date(2025, 6, 2))
    PocaReceipt.objects.filter(reference="ARIS-2").update(reference="ARIS-1")  # the reversed one no longer counts
    assert PocaReceipt.objects.filter(reference="ARIS-1").count() == 2

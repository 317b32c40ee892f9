from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from income.models import AwardLetter, CashReceipt, FpnReturn, PocaReceipt
from income.services import (
    award_letter_record,
    fpn_return_record,
    income_confirmation,
    poca_receipt_record,
    receipt_record,
)
from ledger.models import JournalEntry
from ledger.selectors import account_totals, fund_available


def test_award_letter_then_receipts_settle_the_receivable(funded_core, year, officer):
    letter = AwardLetter.objects.get()
    receipt_record(fund=funded_core, award_letter=letter, reference="BACS-1", date=date(2025, 4, 20),
                   amount="125000.00", by=officer)
    totals = account_totals(year=year)
    assert totals[(funded_core.pk, "1100")] == (Decimal("500000.00"), Decimal("125000.00"))
    assert totals[(funded_core.pk, "1000")] == (Decimal("125000.00"), Decimal("0.00"))
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")  # limit is the award, not cash


def test_receipt_above_what_is_still_owed_is_refused(funded_core, officer):
    letter = AwardLetter.objects.get()
    receipt_record(fund=funded_core, award_letter=letter, reference="BACS-1", date=date(2025, 4, 20),
                   amount="499000.00", by=officer)
    with pytest.raises(ValidationError, match=r"Only £1,000.00 of award letter MOJ-AWD-2526 is still to be received"):
        receipt_record(fund=funded_core, award_letter=letter, reference="BACS-2", date=date(2025, 5, 20),
                       amount="1000.01", by=officer)
    assert CashReceipt.objects.count() == 1


def test_receipts_based_fund_refuses_award_letters(poca_fund, year, officer):
    with pytest.raises(ValidationError, match="POCA takes only proceeds of crime receipts, not award letters"):
        award_letter_record(fund=poca_fund, year=year, reference="X", letter_date=date(2025, 4, 3),
                            amount="1.00", by=officer)
    assert not JournalEntry.objects.exists()


def test_poca_receipt_computes_the_agency_share_to_the_penny(poca_fund, year, officer):
    r = poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference="T20250001", date=date(2025, 5, 12),
                            gross_recovered="12345.67", agency_share_percent="18.75", by=officer)
    assert r.amount.amount == Decimal("2314.81")  # 2314.813125 rounded half-up
    assert r.agency_share_percent == Decimal("18.75")
    assert fund_available(fund=poca_fund, year=year) == Decimal("2314.81")


@pytest.mark.parametrize("share", ["0", "-5", "100.5", "abc", "18.7555"])
def test_poca_share_must_be_a_sensible_percentage(poca_fund, officer, share):
    with pytest.raises(ValidationError, match="share"):
        poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference="T1", date=date(2025, 5, 12),
                            gross_recovered="100.00", agency_share_percent=share, by=officer)
    assert not PocaReceipt.objects.exists()


def test_fpn_return_splits_retained_share_and_treasury(fpn_fund, year, officer):
    fpn = fpn_return_record(fund=fpn_fund, reference="FPN-P1", month_start=date(2025, 4, 1), tickets=1388,
                            gross_value="138800.00", by=officer)
    assert (fpn.retained.amount, fpn.owed_to_treasury.amount) == (Decimal("34700.00"), Decimal("104100.00"))
    assert fund_available(fund=fpn_fund, year=year) == Decimal("34700.00")
    assert account_totals(year=year)[(fpn_fund.pk, "2000")] == (Decimal("0.00"), Decimal("104100.00"))
    with pytest.raises(ValidationError, match="already has a fixed penalty return"):
        fpn_return_record(fund=fpn_fund, reference="FPN-P1b", month_start=date(2025, 4, 1), tickets=1,
                          gross_value="100.00", by=officer)
    assert FpnReturn.objects.count() == 1


def test_duplicate_reference_is_refused(funded_core, officer):
    with pytest.raises(ValidationError, match="'MOJ-AWD-2526' has already been recorded"):
        receipt_record(fund=funded_core, reference="MOJ-AWD-2526", date=date(2025, 4, 20), amount="1.00", by=officer)


def test_income_of_the_wrong_kind_for_the_fund_is_refused(funded_core, officer):
    with pytest.raises(ValidationError, match="not proceeds of crime"):
        poca_receipt_record(fund=funded_core, reference="A", case_reference="T1", date=date(2025, 5, 1),
                            gross_recovered="10.00", agency_share_percent="50", by=officer)


def test_only_finance_officers_record_income(core_fund, year, commissioner, director):
    for person in (commissioner, director):
        with pytest.raises(PermissionDenied):
            award_letter_record(fund=core_fund, year=year, reference="X", letter_date=date(2025, 4, 3),
                                amount="1.00", by=person)


def test_a_receipt_without_a_letter_settles_the_letter_of_the_year_of_its_date(funded_core, year, officer):
    next_year = year.__class__.objects.get(start_year=2026)
    award_letter_record(fund=funded_core, year=next_year, reference="MOJ-AWD-2627", letter_date=date(2025, 12, 1),
                        amount="520000.00", by=officer)  # the fund's latest letter, but for next year
    receipt = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 12, 20), amount="1000.00",
                             by=officer)
    assert receipt.award_letter.reference == "MOJ-AWD-2526"
    assert income_confirmation(receipt) == (
        f"Receipt BACS-1 MOJ-CORE recorded and posted as journal entry {receipt.entry.reference}. It settles award "
        "letter MOJ-AWD-2526 for 2025/26.")


def test_a_receipt_in_a_year_without_a_letter_is_refused_naming_the_years_with_letters(funded_core, officer):
    with pytest.raises(ValidationError) as refusal:
        receipt_record(fund=funded_core, reference="BACS-1", date=date(2026, 4, 20), amount="1.00", by=officer)
    assert refusal.value.message_dict == {"award_letter": [
        "MOJ-CORE has no award letter for 2026/27, the financial year of 20/04/2026; it has letters for 2025/26. "
        "Record its 2026/27 award letter first, or name the letter this receipt settles."]}
    assert not CashReceipt.objects.exists()


def test_a_generic_receipt_is_refused_on_a_proceeds_of_crime_fund(poca_fund, officer):
    with pytest.raises(ValidationError, match="POCA takes only proceeds of crime receipts, not cash receipts"):
        receipt_record(fund=poca_fund, reference="R-1", date=date(2025, 5, 1), amount="5000.00", by=officer)
    assert not JournalEntry.objects.exists()


def test_income_dated_after_today_is_refused(poca_fund, officer):
    with pytest.raises(ValidationError, match=r"02/06/2025 is after today \(01/06/2025\)"):
        poca_receipt_record(fund=poca_fund, reference="A", case_reference="T1", date=date(2025, 6, 2),
                            gross_recovered="10.00", agency_share_percent="50", by=officer, today=date(2025, 6, 1))
    assert not JournalEntry.objects.exists()


def test_a_fixed_penalty_return_waits_for_its_month_to_end(fpn_fund, officer):
    with pytest.raises(ValidationError, match="May 2025 has not ended yet.*before 01/06/2025"):
        fpn_return_record(fund=fpn_fund, reference="FPN-P2", month_start=date(2025, 5, 1), tickets=1,
                          gross_value="100.00", by=officer, today=date(2025, 5, 31))
    fpn_return_record(fund=fpn_fund, reference="FPN-P2", month_start=date(2025, 5, 1), tickets=1,
                      gross_value="100.00", by=officer, today=date(2025, 6, 1))
    assert FpnReturn.objects.count() == 1


def test_an_inactive_fund_takes_no_income(funded_core, officer):
    funded_core.is_active = False
    funded_core.save()
    with pytest.raises(ValidationError, match="MOJ-CORE is no longer active"):
        receipt_record(fund=funded_core, reference="R-1", date=date(2025, 5, 1), amount="1.00", by=officer)
    assert not CashReceipt.objects.exists()


def test_a_poca_receipt_reports_every_field_at_fault_at_once(poca_fund, officer):
    poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference="T1", date=date(2025, 5, 12),
                        gross_recovered="100.00", agency_share_percent="18.75", by=officer)
    with pytest.raises(ValidationError) as refused:
        poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference=" ", date=date(2099, 5, 12),
                            gross_recovered="12.345", agency_share_percent="60", by=officer)
    assert set(refused.value.message_dict) == {"reference", "case_reference", "date", "gross_recovered",
                                               "agency_share_percent"}
    assert PocaReceipt.objects.count() == 1


def test_an_fpn_return_reports_every_field_at_fault_at_once(fpn_fund, officer):
    with pytest.raises(ValidationError) as refused:
        fpn_return_record(fund=fpn_fund, reference=" ", month_start=date(2099, 4, 1), tickets="1.5",
                          gross_value="-3", by=officer)
    assert set(refused.value.message_dict) == {"reference", "month_start", "tickets", "gross_value"}
    assert not FpnReturn.objects.exists()

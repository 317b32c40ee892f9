"""Sound at every date (issue 17): no document dated before what it depends on, nothing counting before its date,
the ring fence held as at every date, and a document's entry reversed only through the document.

Each case the issue found is done here in the wrong order and must be refused with a message that names both dates,
writing nothing; the same operation in the right order goes through. 2025/26 is the year of the shared fixtures:
MOJ-CORE's £500,000.00 award letter is dated 03/04/2025; POCA is receipts-based.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.models import Grant
from grants.payments import clawback_record, payment_record
from grants.variations import variation_request
from grants.workflow import grant_approve, grant_close, grant_offer_accept, grant_submit
from income.models import AwardLetter
from income.services import fee_receipt_record, poca_receipt_record, poca_receipt_reverse, receipt_record
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, entry_reverse
from ledger.selectors import fund_available
from tests.grants.conftest import accept_return, complete_checks, make_grant, org, service  # noqa: F401 (fixtures)


def messages(refused) -> str:
    return " ".join(refused.value.messages)


def poca_in(fund, officer, *, on: date, gross: str, reference: str):
    """A proceeds of crime receipt of half of ``gross`` (the agency's share) dated ``on``."""
    return poca_receipt_record(fund=fund, reference=reference, case_reference="T2025", date=on,
                               gross_recovered=gross, agency_share_percent="50", by=officer)


@pytest.fixture
def paid_grant(funded_core, org, service, officer, officer2, commissioner, year):  # noqa: F811
    """£60,000.00 from MOJ-CORE, approved 01/05/2025, accepted 12/05/2025, Q1 paid £15,000.00 on 10/07/2025."""
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00")])
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
    complete_checks(grant, officer)
    accept_return(grant, year, 1, officer, officer2)  # received 10/07/2025
    payment_record(instalment=grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 10),
                   by=officer)
    return Grant.objects.get(pk=grant.pk)


# --- Every document is dated on or after everything it depends on ---------------------------------------------

def test_a_clawback_dated_before_the_payment_it_returns_is_refused_naming_both_dates(
        paid_grant, officer, unchanged_database):
    line = paid_grant.funding_lines.get()
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        clawback_record(funding_line=line, amount="0.01", received_on=date(2025, 7, 9), reason="Underspend",
                        by=officer)
    assert messages(refused) == (
        "The clawback is dated 09/07/2025, before the payment of £15,000.00 on 10/07/2025 it would return: as at "
        f"09/07/2025 only £0.00 paid from MOJ-CORE 2025/26 on {paid_grant.reference} is not already returned. Date it "
        "on or after 10/07/2025.")
    clawback = clawback_record(funding_line=line, amount="0.01", received_on=date(2025, 7, 10), reason="Underspend",
                               by=officer)
    assert clawback.entry.date == date(2025, 7, 10)


def test_a_clawback_may_not_leave_a_later_clawback_returning_more_than_was_paid_by_then(
        paid_grant, officer, unchanged_database):
    """Paid £15,000.00 on 10/07; £15,000.00 clawed back on 01/08: a clawback of £1.00 dated 20/07 would make the
    returns by 01/08 exceed the payments by then, though its own date has £15,000.00 paid."""
    line = paid_grant.funding_lines.get()
    clawback_record(funding_line=line, amount="15000.00", received_on=date(2025, 8, 1), reason="Not delivered",
                    by=officer)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        clawback_record(funding_line=line, amount="1.00", received_on=date(2025, 7, 20), reason="Twice", by=officer)
    assert "Only £0.00 paid from MOJ-CORE 2025/26" in messages(refused)


def test_a_receipt_dated_before_the_award_letter_it_settles_is_refused(funded_core, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        receipt_record(fund=funded_core, reference="MOJ-RCPT-1", date=date(2025, 4, 2), amount="125000.00",
                       by=officer)
    assert refused.value.message_dict["date"] == [
        "The receipt is dated 02/04/2025, before award letter MOJ-AWD-2526 it settles (dated 03/04/2025): money is "
        "received on an award once it is made. Date the receipt on or after 03/04/2025, or record it against "
        "another letter."]
    receipt = receipt_record(fund=funded_core, reference="MOJ-RCPT-1", date=date(2025, 4, 3), amount="125000.00",
                             by=officer)
    assert receipt.award_letter == AwardLetter.objects.get(reference="MOJ-AWD-2526")


def test_a_variation_approved_before_the_approval_it_varies_is_refused(
        paid_grant, officer, commissioner2, funded_core, year, unchanged_database):
    from grants.variations import variation_approve

    variation = variation_request(grant=paid_grant, by=officer, reason="Extra quarter of demand",
                                  amounts=[(funded_core, year, "70000.00")])
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        variation_approve(variation=variation, by=commissioner2, on=date(2025, 4, 30))
    assert refused.value.message_dict["on"] == [
        f"{paid_grant.reference} was approved on 01/05/2025; a variation of it cannot be dated before that "
        "(30/04/2025). Date it on or after 01/05/2025."]


def test_a_grant_closed_before_its_last_payment_is_refused(paid_grant, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        grant_close(grant=paid_grant, by=officer, on=date(2025, 7, 9))
    assert refused.value.message_dict["on"] == [
        f"{paid_grant.reference} was last paid on 10/07/2025; what it leaves unpaid is released on or after that, "
        "not on 09/07/2025. Date it on or after 10/07/2025."]
    grant_close(grant=paid_grant, by=officer, on=date(2025, 7, 10))
    assert Grant.objects.get(pk=paid_grant.pk).status == Grant.Status.CLOSED


def test_a_reversal_dated_before_the_entry_it_reverses_is_refused(funded_core, officer, unchanged_database):
    entry = entry_post(date=date(2025, 6, 2), description="Manual commitment", by=officer,
                       legs=[Leg(acc.COMMITMENTS, funded_core, DEBIT, Decimal("10.00")),
                             Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, Decimal("10.00"))])
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        entry_reverse(entry=entry, date=date(2025, 6, 1), by=officer, reason="Keyed twice")
    assert refused.value.message_dict["date"] == [
        f"Entry {entry.reference} is dated 02/06/2025; its reversal cannot be dated before it (01/06/2025). Date it "
        "02/06/2025 or later."]
    assert entry_reverse(entry=entry, date=date(2025, 6, 2), by=officer, reason="Keyed twice").reverses == entry


# --- Nothing counts before its date -----------------------------------------------------------------------------

def test_income_dated_after_today_is_refused_by_the_ledger_whatever_the_service_was_told(
        funded_core, officer, unchanged_database):
    """The services' own ``today`` is a test's pin; the ledger asks the clock. A course fee or a fixed penalty
    return for a later month would count in the positions and not in the statement as at today."""
    from funds.calendar import year_open
    from funds.models import FinancialYear, Fund
    from funds.services import fund_create

    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    for start in {today.year - 1, today.year, tomorrow.year}:  # the years holding today and tomorrow, whenever run
        if not FinancialYear.objects.filter(start_year=start).exists():
            year_open(start_year=start)
    fees = fund_create(code="FEES", name="Course fees", funder=funded_core.funder, purpose="Speed awareness",
                       limit_basis=Fund.LimitBasis.RECEIPTS, income_kind=Fund.IncomeKind.FEES,
                       year_end_rule="carry_forward", by=officer)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        fee_receipt_record(fund=fees, reference="FEE-TOMORROW", date=tomorrow, amount="90.00", by=officer,
                           today=tomorrow)
    assert refused.value.message_dict["date"] == [
        f"{tomorrow:%d/%m/%Y} is after today ({today:%d/%m/%Y}): nothing is posted before its date, so that every "
        "figure as at today is the whole ledger. Post it on the day, or date it no later than today."]


# --- The ring fence at every date, not only in total ----------------------------------------------------------

def test_spending_dated_before_the_cash_that_allows_it_is_refused_on_a_receipts_based_fund(
        poca_fund, org, service, officer, commissioner, year, unchanged_database):  # noqa: F811
    poca_in(poca_fund, officer, on=date(2025, 8, 1), gross="20000.00", reference="ARIS-1")  # £10,000.00 in
    grant = make_grant(org, service, officer, [(poca_fund, year, "4000.00")])
    grant_submit(grant=grant, by=officer)
    from grants.awards import decision_record

    decision = decision_record(number="007-2025", date=date(2025, 7, 1), decision_maker=commissioner,
                               summary="Youth diversion", by=officer)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        grant_approve(grant=grant, by=commissioner, on=date(2025, 7, 15), decision=decision)
    assert refused.value.message_dict["date"] == [
        "This is dated 15/07/2025, before the income or award that allows it on POCA 2025/26 (dated 01/08/2025): as "
        "at 31/07/2025 the fund would have £4,000.00 more committed and spent than it had to spend, and a statement "
        "as at that day would show available below zero. Date it on or after 01/08/2025."]
    grant_approve(grant=grant, by=commissioner, on=date(2025, 8, 1), decision=decision)
    assert fund_available(fund=poca_fund, year=year) == Decimal("6000.00")


def test_income_reversed_from_under_spending_it_allowed_is_refused_even_when_the_total_is_covered(
        poca_fund, officer, year, unchanged_database):
    """In total the second receipt covers the commitment; as at June it is the first receipt that does."""
    first = poca_in(poca_fund, officer, on=date(2025, 5, 1), gross="20000.00", reference="ARIS-1")
    entry_post(date=date(2025, 6, 1), description="Commitment", by=officer,
               legs=[Leg(acc.COMMITMENTS, poca_fund, DEBIT, Decimal("10000.00")),
                     Leg(acc.COMMITMENT_CONTROL, poca_fund, CREDIT, Decimal("10000.00"))])
    poca_in(poca_fund, officer, on=date(2025, 7, 1), gross="20000.00", reference="ARIS-2")
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        poca_receipt_reverse(receipt=first, reason="Wrong case", by=officer, on=date(2025, 6, 2))
    assert ("before the income or award that allows it on POCA 2025/26 (dated 01/07/2025): as at 30/06/2025 the "
            "fund would have £10,000.00 more committed and spent than it had to spend") in messages(refused)
    poca_receipt_reverse(receipt=first, reason="Wrong case", by=officer, on=date(2025, 7, 1))
    assert fund_available(fund=poca_fund, year=year) == Decimal("0.00")


# --- Raw journal reversal only where no document owns the entry --------------------------------------------------

def test_a_commitment_is_not_reversed_on_its_own(paid_grant, officer, unchanged_database):
    commitment = JournalEntry.objects.get(pk=paid_grant.commitment_entry_id)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        entry_reverse(entry=commitment, date=date(2025, 8, 1), by=officer, reason="Wrong fund")
    assert messages(refused) == (
        f"Entry {commitment.reference} was posted by grant {paid_grant.reference}, so it is reversed through that "
        "document's own reversal (its page's Reverse, or withdrawing or varying a grant for a commitment), never on "
        "its own: the document and the ledger would otherwise disagree.")


def test_a_receipt_is_not_reversed_on_its_own(poca_fund, officer, unchanged_database):
    receipt = poca_in(poca_fund, officer, on=date(2025, 5, 1), gross="20000.00", reference="ARIS-1")
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        entry_reverse(entry=receipt.entry, date=date(2025, 5, 2), by=officer, reason="Keyed twice")
    assert "was posted by proceeds of crime receipt ARIS-1, so it is reversed through" in messages(refused)

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds.models import FinancialYear
from grants.checks import check_complete, check_reopen
from grants.models import Grant
from grants.organisations import bank_details_submit, bank_details_verify
from grants.outcomes import monitoring_return_send_back, monitoring_return_submit
from grants.payments import clawback_record, instalment_pay_refusal, payment_record
from grants.schedule import InstalmentChange, schedule_update
from grants.selectors import grant_remaining, grant_totals
from ledger.selectors import fund_positions
from tests.grants.conftest import accept_return, complete_checks, db_state


def q(grant, quarter):
    return grant.instalments.get(quarter=quarter)


def position(fund, year):
    (row,) = [r for r in fund_positions(year=year) if r.fund == fund]
    return row.committed, row.actual, row.available


def test_payment_posts_expenditure_and_uses_up_the_commitment(payable_grant, officer, funded_core, year):
    payment = payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30),
                             reference="BACS 000123", by=officer)
    lines = sorted((ln.account.code, ln.direction, ln.fund.code, ln.funding_year.label, str(ln.amount.amount))
                   for ln in payment.entry.lines.select_related("account", "fund", "funding_year"))
    assert lines == [("1000", "C", "MOJ-CORE", "2025/26", "15000.00"), ("5000", "D", "MOJ-CORE", "2025/26", "15000.00"),
                     ("8000", "C", "MOJ-CORE", "2025/26", "15000.00"), ("8100", "D", "MOJ-CORE", "2025/26", "15000.00")]
    assert position(funded_core, year) == (Decimal("45000.00"), Decimal("15000.00"), Decimal("440000.00"))
    assert Grant.objects.get(pk=payable_grant.pk).status == "active"  # the first payment activates the grant
    assert payment.bank_details.account_number == "31926819"


def test_a_q4_payment_made_in_april_counts_against_the_year_it_belongs_to(payable_grant, officer, officer2,
                                                                        funded_core, year):
    accept_return(payable_grant, year, 4, officer, officer2, received_on=date(2026, 4, 8))
    payment = payment_record(instalment=q(payable_grant, 4), amount="15000.00", paid_on=date(2026, 4, 30), by=officer)
    assert payment.entry.year.label == "2026/27"  # numbered in the year it was posted
    assert {ln.funding_year.label for ln in payment.entry.lines.all()} == {"2025/26"}
    assert position(funded_core, year)[1] == Decimal("15000.00")
    next_year = FinancialYear.objects.get(start_year=2026)
    assert position(funded_core, next_year) == (Decimal("0"), Decimal("0"), Decimal("0"))


def test_partial_payments_are_allowed_up_to_the_instalment(payable_grant, officer):
    payment_record(instalment=q(payable_grant, 1), amount="10000.00", paid_on=date(2025, 7, 30), by=officer)
    payment_record(instalment=q(payable_grant, 1), amount="5000.00", paid_on=date(2025, 8, 6), by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match="The Q1 2025/26 instalment of G\\d{5} has been paid in full "
                                              "\\(£15,000.00\\); nothing is left to pay on it"):
        payment_record(instalment=q(payable_grant, 1), amount="0.01", paid_on=date(2025, 8, 6), by=officer)
    assert db_state() == before
    assert grant_remaining(payable_grant) == Decimal("45000.00")


def test_no_payment_before_the_offer_is_accepted(approved_grant, officer):
    before = db_state()
    with pytest.raises(ValidationError, match="is approved but the recipient has not accepted the offer; record the "
                                              "signed acceptance before any payment"):
        payment_record(instalment=q(approved_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)
    assert db_state() == before


def test_no_payment_before_due_diligence_is_complete(accepted_grant, officer, officer2, year):
    accept_return(accepted_grant, year, 1, officer, officer2)
    checks = list(accepted_grant.checks.order_by("check_type__order"))
    for check in checks[:-1]:
        check_complete(check=check, evidence="Seen", by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match="Due diligence for G\\d{5} is not complete: Conflicts of interest "
                                              "declared "
                                              "and managed still to be checked"):
        payment_record(instalment=q(accepted_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)
    assert db_state() == before


def test_a_reopened_check_stops_payments_again(payable_grant, officer):
    check = payable_grant.checks.get(check_type__code="insurance")
    check_reopen(check=check, reason="Insurance certificate expired 31/07/2025", by=officer)
    with pytest.raises(ValidationError, match="Public and employer's liability insurance in date still to be checked"):
        payment_record(instalment=q(payable_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)


def test_no_payment_before_the_required_return_is_accepted(accepted_grant, officer, officer2, year):
    complete_checks(accepted_grant, officer)
    before = db_state()
    with pytest.raises(ValidationError, match="The Q1 2025/26 \\(April–June 2025\\) instalment of G\\d{5} waits "
                                              "for that quarter's monitoring return, which has not been received"):
        payment_record(instalment=q(accepted_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)
    ret = monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, received_on=date(2025, 7, 10),
                                   spend_reported="14000.00", rag="green", values={}, by=officer)
    with pytest.raises(ValidationError, match="which is submitted, awaiting review"):
        payment_record(instalment=q(accepted_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)
    monitoring_return_send_back(monitoring_return=ret, by=officer2, reason="Spend does not match invoices")
    with pytest.raises(ValidationError, match="which is sent back to the provider"):
        payment_record(instalment=q(accepted_grant, 1), amount="100.00", paid_on=date(2025, 7, 30), by=officer)
    assert db_state()["grants.Payment"] == before["grants.Payment"] == 0


def test_an_instalment_that_needs_no_return_can_be_paid_without_one(accepted_grant, officer):
    complete_checks(accepted_grant, officer)
    schedule_update(funding_line=accepted_grant.funding_lines.get(), by=officer, reason="No Q1 return this year",
                    changes=[InstalmentChange(q(accepted_grant, 1), requires_return=False)])
    payment = payment_record(instalment=q(accepted_grant, 1), amount="15000.00", paid_on=date(2025, 7, 1), by=officer)
    assert payment.advance_reason == ""


def test_an_instalment_is_paid_in_arrears_only_after_its_quarter_has_ended(payable_grant, officer):
    before = db_state()
    message = (f"The Q1 2025/26 (April–June 2025) instalment of {payable_grant.reference} is paid in arrears, so "
               "not on 30/06/2025: its quarter ends on 30/06/2025 and it can be paid from 01/07/2025, once its "
               "monitoring return is accepted.")
    assert instalment_pay_refusal(instalment=q(payable_grant, 1), on=date(2025, 6, 30)) == message
    with pytest.raises(ValidationError) as refused:
        payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 6, 30), by=officer)
    assert refused.value.messages == [message]
    assert db_state() == before
    # From 01/07/2025 it waits for the return alone, which arrived on 10/07/2025: a payment is never dated before it.
    early = instalment_pay_refusal(instalment=q(payable_grant, 1), on=date(2025, 7, 9))
    assert early == (f"The Q1 2025/26 instalment of {payable_grant.reference} waits for that quarter's monitoring "
                     "return, received on 10/07/2025; a payment dated 09/07/2025 would come before it. Date the "
                     "payment on or after 10/07/2025.")
    with pytest.raises(ValidationError) as refused:
        payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 9), by=officer)
    assert refused.value.messages == [early]
    assert db_state() == before
    assert instalment_pay_refusal(instalment=q(payable_grant, 1), on=date(2025, 7, 10)) is None
    payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 10), by=officer)


def test_the_refusal_says_why_an_instalment_cannot_be_paid_now(payable_grant, approved_grant, officer):
    # Q2's return has not been received; Q1 is paid in full once paid.
    assert "waits for that quarter's monitoring return, which has not been received" in instalment_pay_refusal(
        instalment=q(payable_grant, 2), on=date(2025, 10, 1))
    payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    assert instalment_pay_refusal(instalment=q(payable_grant, 1), on=date(2025, 8, 1)).endswith(
        "has been paid in full (£15,000.00); nothing is left to pay on it.")


def test_an_instalment_the_schedule_pays_in_advance_needs_a_reason(accepted_grant, officer):
    complete_checks(accepted_grant, officer)
    line = accepted_grant.funding_lines.get()
    schedule_update(funding_line=line, by=officer, reason="Start-up costs: the service opens on 01/04/2025",
                    changes=[InstalmentChange(q(accepted_grant, 1), requires_return=False, in_advance=True)])
    assert instalment_pay_refusal(instalment=q(accepted_grant, 1), on=date(2025, 6, 2)) is None
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        payment_record(instalment=q(accepted_grant, 1), amount="15000.00", paid_on=date(2025, 6, 2), by=officer)
    assert refused.value.message_dict == {"advance_reason": [
        "Q1 2025/26 (April–June 2025) ends on 30/06/2025, so a payment on 02/06/2025 is a payment in advance: record "
        "why it is justified (GovS 015), e.g. the provider cannot open the service without it."]}
    assert db_state() == before
    payment = payment_record(instalment=q(accepted_grant, 1), amount="15000.00", paid_on=date(2025, 6, 2), by=officer,
                             advance_reason="  Start-up costs: premises and two ISVA posts  ")
    assert payment.advance_reason == "Start-up costs: premises and two ISVA posts"
    # Q2 is still paid in arrears.
    assert "is paid in arrears, so not on 02/06/2025" in instalment_pay_refusal(instalment=q(accepted_grant, 2),
                                                                               on=date(2025, 6, 2))


def test_a_payment_in_arrears_keeps_no_advance_reason(payable_grant, officer):
    payment = payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer,
                             advance_reason="Not needed")
    assert payment.advance_reason == ""


def test_no_payment_above_what_remains_on_the_grant(payable_grant, officer, officer2, year):
    for quarter in (2, 3, 4):
        accept_return(payable_grant, year, quarter, officer, officer2, received_on=date(2025, 11, 1) if quarter == 2
                      else None)
    line = payable_grant.funding_lines.get()
    schedule_update(funding_line=line, by=officer, reason="Provider asked for most of the year up front", changes=[
        InstalmentChange(q(payable_grant, 1), amount="59000.00"), InstalmentChange(q(payable_grant, 2), amount="1.00"),
        InstalmentChange(q(payable_grant, 3), amount="499.00"), InstalmentChange(q(payable_grant, 4), amount="500.00"),
    ])
    payment_record(instalment=q(payable_grant, 1), amount="59000.00", paid_on=date(2025, 7, 30), by=officer)
    payment_record(instalment=q(payable_grant, 2), amount="1.00", paid_on=date(2025, 11, 3), by=officer)
    assert grant_remaining(payable_grant) == Decimal("999.00")
    before = db_state()
    with pytest.raises(ValidationError, match="Only £999.00 remains to be paid on G\\d{5}; £1,000.00 is more than "
                                              "that"):
        payment_record(instalment=q(payable_grant, 4), amount="1000.00", paid_on=date(2026, 4, 30), by=officer)
    assert db_state() == before


def test_no_payment_to_unverified_bank_details(payable_grant, org, officer, officer2):
    details = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="40-11-22",
                                  account_number="55667788", by=officer, reason="Email asking to change bank")
    before = db_state()
    with pytest.raises(ValidationError, match="Brindley Survivors Trust's bank details were changed on .* and await "
                                              "verification by a second person; no payment can be made"):
        payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    assert db_state() == before
    bank_details_verify(details=details, by=officer2, note="Call-back to the chief executive on the known number")
    payment = payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    assert payment.bank_details == details


def test_payment_dates_must_be_real(payable_grant, officer):
    with pytest.raises(ValidationError, match="is in the future; record a payment once it is made"):
        payment_record(instalment=q(payable_grant, 1), amount="1.00", paid_on=date(2027, 1, 4), by=officer)
    with pytest.raises(ValidationError, match="The offer was accepted on 12/05/2025; no payment can be dated before"):
        payment_record(instalment=q(payable_grant, 1), amount="1.00", paid_on=date(2025, 5, 2), by=officer)


def test_only_finance_officers_record_payments(payable_grant, commissioner):
    with pytest.raises(PermissionDenied):
        payment_record(instalment=q(payable_grant, 1), amount="1.00", paid_on=date(2025, 7, 30), by=commissioner)


def test_clawback_returns_money_to_the_fund_and_year_it_was_paid_from(payable_grant, officer, funded_core, year):
    payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    line = payable_grant.funding_lines.get()
    clawback = clawback_record(funding_line=line, amount="2500.00", received_on=date(2026, 4, 20), by=officer,
                               reason="Q1 underspend: ISVA post vacant for six weeks")
    assert sorted((ln.account.code, ln.direction, ln.funding_year.label) for ln in clawback.entry.lines.all()) == [
        ("1000", "D", "2025/26"), ("5000", "C", "2025/26")]
    assert position(funded_core, year) == (Decimal("45000.00"), Decimal("12500.00"), Decimal("442500.00"))
    totals = grant_totals(payable_grant)
    assert (totals.paid, totals.clawed_back, totals.net_paid, totals.remaining) == (
        Decimal("15000.00"), Decimal("2500.00"), Decimal("12500.00"), Decimal("45000.00"))


def test_clawback_cannot_exceed_what_was_paid(payable_grant, officer):
    payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    line = payable_grant.funding_lines.get()
    clawback_record(funding_line=line, amount="15000.00", received_on=date(2025, 9, 1), reason="Breach", by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match="Only £0.00 paid from MOJ-CORE 2025/26 on G\\d{5} has not already been "
                                              "returned; £0.01 is more than that"):
        clawback_record(funding_line=line, amount="0.01", received_on=date(2025, 9, 1), reason="Again", by=officer)
    with pytest.raises(ValidationError, match="Say why the money was clawed back"):
        clawback_record(funding_line=line, amount="1.00", received_on=date(2025, 9, 1), reason="", by=officer)
    assert db_state() == before


def test_closing_releases_what_was_not_paid(payable_grant, officer, funded_core, year):
    from grants.workflow import grant_close

    payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    grant = grant_close(grant=payable_grant, by=officer, reason="Service ended early by agreement",
                        on=date(2025, 9, 30))
    assert grant.status == "closed"
    assert position(funded_core, year) == (Decimal("0.00"), Decimal("15000.00"), Decimal("485000.00"))
    totals = grant_totals(grant)
    assert (totals.released, totals.outstanding_commitment, totals.remaining) == (
        Decimal("45000.00"), Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(ValidationError, match="is closed; payments are made only once the offer has been accepted"):
        payment_record(instalment=q(grant, 2), amount="1.00", paid_on=date(2025, 10, 30), by=officer)

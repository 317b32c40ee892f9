from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants.models import Grant, Payment
from grants.organisations import bank_details_submit, bank_details_verify
from ledger.models import JournalEntry
from ledger.selectors import fund_positions
from payments.models import PaymentRun, PaymentRunItem
from payments.runs import (
    payment_run_authorise,
    payment_run_cancel,
    payment_run_pay,
    payment_run_prepare,
    payment_run_withhold,
)
from spending.models import SupplierPayment
from tests.grants.conftest import make_grant
from tests.payments.conftest import PAY_ON, db_state, verify_ledger_passes

TODAY = date(2025, 8, 1)


def items(run):
    return sorted((i.kind, i.organisation.name, i.payment_reference, str(i.amount.amount), i.status, i.live)
                  for i in run.items.select_related("organisation"))


def position(fund, year):
    (row,) = [r for r in fund_positions(year=year) if r.fund == fund]
    return row.committed, row.actual


def refused(call, match=None, exception=ValidationError):
    before = db_state()
    with pytest.raises(exception) as caught:
        call()
    assert db_state() == before
    message = " ".join(caught.value.messages) if exception is ValidationError else str(caught.value)
    if match is not None:
        assert match in message, message
    return message


# --- Prepare ------------------------------------------------------------------------------------------------------

def test_prepare_gathers_the_payable_instalments_and_invoices(due, officer):
    grant, invoice = due
    run = payment_run_prepare(pay_on=PAY_ON, by=officer)
    assert run.reference == f"PR{run.pk:05d}" and run.status == "prepared" and run.prepared_by == officer
    assert items(run) == [
        ("grant", "Brindley Survivors Trust", f"{grant.reference} Q1 2025/26", "15000.00", "included", True),
        ("invoice", "Pennine Helpline Ltd", "PH-1001", "18000.00", "included", True),
    ]
    grant_item = run.items.get(kind="grant")
    assert grant_item.instalment == grant.instalments.get(quarter=1) and grant_item.bank_details is None
    assert run.items.get(kind="invoice").invoice == invoice


def test_prepare_leaves_out_what_is_not_yet_payable(due, officer, org, service, funded_core, year, commissioner):
    """Q2-Q4 of the payable grant have not ended; a second grant's Q1 return has not been received; an invoice
    due after the date is not gathered."""
    from grants.checks import check_complete
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit

    other = make_grant(org, service, officer, [(funded_core, year, "8000.00")], title="Helpline top-up")
    grant_submit(grant=other, by=officer)
    grant_approve(grant=other, by=commissioner, on=date(2025, 5, 1))
    grant_offer_accept(grant=other, accepted_on=date(2025, 5, 12), by=officer)
    for check in other.checks.all():
        check_complete(check=check, evidence="Seen", by=officer)
    run = payment_run_prepare(pay_on=PAY_ON, by=officer)
    assert [i[2] for i in items(run)] == [f"{due[0].reference} Q1 2025/26", "PH-1001"]
    assert not run.items.filter(instalment__grant=other).exists()


def test_prepare_leaves_out_a_payee_whose_bank_details_await_verification(payable_grant, officer, org, limits):
    bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="30-96-34",
                        account_number="55667788", by=officer, reason="Letter of 25/07/2025: new bank")
    message = refused(lambda: payment_run_prepare(pay_on=PAY_ON, by=officer), "Nothing is payable on 30/07/2025")
    assert "The next grant instalment falls due on" in message


def test_prepare_leaves_out_what_another_unpaid_run_holds_until_it_is_cancelled(due, officer):
    first = payment_run_prepare(pay_on=PAY_ON, by=officer)
    refused(lambda: payment_run_prepare(pay_on=date(2025, 7, 31), by=officer),
            "or what is payable is already in another run")
    payment_run_cancel(run=first, by=officer, reason="Prepared for the wrong date")
    assert not first.items.filter(live=True).exists()
    second = payment_run_prepare(pay_on=date(2025, 7, 31), by=officer)
    assert len(items(second)) == 2


def test_prepare_refuses_a_date_outside_the_open_periods_and_nothing_due(due, officer):
    refused(lambda: payment_run_prepare(pay_on=date(2031, 1, 5), by=officer), "05/01/2031 is not in any financial year")
    refused(lambda: payment_run_prepare(pay_on=date(2025, 6, 30), by=officer),
            "Nothing is payable on 30/06/2025")


def test_only_finance_officers_prepare(due, director):
    refused(lambda: payment_run_prepare(pay_on=PAY_ON, by=director), "Only finance officers may prepare payment runs",
            exception=PermissionDenied)


# --- Authorise ----------------------------------------------------------------------------------------------------

@pytest.fixture
def run(due, officer):
    return payment_run_prepare(pay_on=PAY_ON, by=officer)


def test_the_preparer_cannot_authorise(run, officer, director):
    from payments.limits import delegated_limit_set

    delegated_limit_set(user=officer, amount="500000.00", by=director)
    refused(lambda: payment_run_authorise(run=run, by=officer), f"You prepared {run.reference}, so someone else")


def test_a_run_above_the_authorisers_limit_is_refused_naming_whose_limit_covers_it(run, officer2, director):
    from payments.limits import delegated_limit_set

    delegated_limit_set(user=officer2, amount="20000.00", by=director)
    message = refused(lambda: payment_run_authorise(run=run, by=officer2))
    assert message == (f"{run.reference} totals £33,000.00. Your delegated limit is £20,000.00, so you cannot "
                       "authorise it; Diana (£250,000.00) and Dmitri (£1,000,000.00) may authorise it.")


def test_nobody_covering_the_run_is_said(run, officer2, director, director2):
    from payments.limits import delegated_limit_set

    delegated_limit_set(user=officer2, amount="1000.00", by=director)
    delegated_limit_set(user=director2, amount="0", by=director)
    delegated_limit_set(user=director, amount="30000.00", by=director2)
    message = refused(lambda: payment_run_authorise(run=run, by=officer2))
    assert message.endswith("nobody else's limit covers it: a finance director must raise someone's limit, or take "
                            "payees out of the run (Withhold) to bring it within a limit.")


def test_authorising_freezes_the_verified_bank_details(run, officer2, org, organisation):
    run = payment_run_authorise(run=run, by=officer2)
    assert run.status == "authorised" and run.authorised_total.amount == Decimal("33000.00")
    frozen = {i.organisation: i.bank_details for i in run.items.select_related("bank_details", "organisation")}
    assert frozen[org].account_number == "31926819" and frozen[org].status == "verified"
    assert frozen[organisation].account_number == "12345678"
    assert PaymentRunItem.history.filter(history_change_reason__startswith="Verified bank details frozen").count() == 2


def test_a_payee_with_unverified_details_is_named_at_authorisation(run, officer, officer2, org):
    bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="30-96-34",
                        account_number="55667788", by=officer, reason="Letter of 25/07/2025")
    refused(lambda: payment_run_authorise(run=run, by=officer2),
            "The current bank details of Brindley Survivors Trust are not verified, so the run cannot be authorised")
    payment_run_withhold(run=run, organisation=org, reason="New details await verification", by=officer)
    run = payment_run_authorise(run=run, by=officer2)
    assert run.authorised_total.amount == Decimal("18000.00")


def test_a_withheld_instalment_is_payable_in_a_later_run(run, officer, org, payable_grant):
    payment_run_withhold(run=run, organisation=org, reason="Query on the Q1 return", by=officer)
    later = payment_run_prepare(pay_on=date(2025, 8, 6), by=officer)
    assert [i[2] for i in items(later)] == [f"{payable_grant.reference} Q1 2025/26"]


def test_withholding_needs_a_reason_and_a_payee_in_the_run(run, officer, org, officer2):
    refused(lambda: payment_run_withhold(run=run, organisation=org, reason=" ", by=officer), "Say why")
    payment_run_withhold(run=run, organisation=org, reason="Query", by=officer)
    refused(lambda: payment_run_withhold(run=run, organisation=org, reason="Again", by=officer),
            "Brindley Survivors Trust has no payment in")


# --- Pay ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def authorised(run, officer2):
    return payment_run_authorise(run=run, by=officer2)


def test_an_unauthorised_run_is_not_paid(run, officer):
    refused(lambda: payment_run_pay(run=run, by=officer, today=TODAY),
            "has not been authorised; only an authorised run")


def test_a_run_is_not_paid_before_its_date(authorised, officer):
    refused(lambda: payment_run_pay(run=authorised, by=officer, today=date(2025, 7, 29)),
            "is to be paid on 30/07/2025; mark it paid on or after that date")


def test_paying_posts_every_payment_in_one_go(authorised, officer, funded_core, year, payable_grant, approved_invoice):
    committed, actual = position(funded_core, year)
    run = payment_run_pay(run=authorised, by=officer, today=TODAY)
    assert run.status == "paid" and run.paid_by == officer
    assert position(funded_core, year) == (committed - Decimal("15000.00"), actual + Decimal("15000.00"))
    assert Grant.objects.get(pk=payable_grant.pk).status == "active"
    grant_item, invoice_item = run.items.order_by("kind")
    assert grant_item.grant_payment == Payment.objects.get(instalment__grant=payable_grant)
    assert grant_item.grant_payment.amount.amount == Decimal("15000.00")
    assert grant_item.grant_payment.bank_details == grant_item.bank_details
    assert invoice_item.supplier_payment == SupplierPayment.objects.get(invoice=approved_invoice)
    assert not run.items.filter(live=True).exists()
    references = sorted(JournalEntry.objects.filter(date=PAY_ON).values_list("source_reference", flat=True))
    assert references == [f"{run.reference} {payable_grant.reference} Q1 2025/26", f"{run.reference} PH-1001"]
    assert all(r.startswith(f"{run.reference} ") for r in references)
    verify_ledger_passes()
    refused(lambda: payment_run_pay(run=run, by=officer, today=TODAY), "a paid run cannot be paid again")
    refused(lambda: payment_run_cancel(run=run, by=officer, reason="Oops"), "a paid run cannot be cancelled")


def test_a_bank_detail_change_after_authorisation_stops_the_run_until_the_payee_is_taken_out(
        authorised, officer, officer2, org, payable_grant):
    details = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="30-96-34",
                                  account_number="55667788", by=officer, reason="Letter of 31/07/2025: new bank")
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the charity register")
    message = ("The bank details of Brindley Survivors Trust changed after the run was authorised, so it cannot be "
               "paid. Take them out of the run (Withhold); they can be paid in a later run once their new details "
               "are verified.")
    assert refused(lambda: payment_run_pay(run=authorised, by=officer, today=TODAY)) == message
    payment_run_withhold(run=authorised, organisation=org, reason="Bank details changed", by=officer)
    run = payment_run_pay(run=authorised, by=officer, today=TODAY)
    assert run.status == "paid" and not Payment.objects.exists()
    assert SupplierPayment.objects.count() == 1
    later = payment_run_prepare(pay_on=date(2025, 8, 6), by=officer)
    assert [i[2] for i in items(later)] == [f"{payable_grant.reference} Q1 2025/26"]
    verify_ledger_passes()


def test_if_one_payment_fails_nothing_is_paid(authorised, officer, payable_grant):
    from grants.checks import check_reopen

    check_reopen(check=payable_grant.checks.get(check_type__code="insurance"), reason="Certificate expired",
                 by=officer)
    message = refused(lambda: payment_run_pay(run=authorised, by=officer, today=TODAY))
    assert message.startswith(f"{payable_grant.reference} Q1 2025/26 to Brindley Survivors Trust cannot be paid on "
                              f"30/07/2025: Due diligence for {payable_grant.reference} is not complete")
    assert message.endswith(f"Nothing in {authorised.reference} was paid; take that payee out of the run (Withhold) "
                            "and pay the rest.")
    assert not SupplierPayment.objects.exists()


def test_authorisation_checks_again_that_everything_is_still_payable(run, officer, officer2, payable_grant):
    from grants.checks import check_reopen

    check_reopen(check=payable_grant.checks.get(check_type__code="insurance"), reason="Certificate expired",
                 by=officer)
    refused(lambda: payment_run_authorise(run=run, by=officer2),
            f"{payable_grant.reference} Q1 2025/26 to Brindley Survivors Trust cannot be paid on 30/07/2025: Due "
            f"diligence for {payable_grant.reference} is not complete")


def test_a_cancelled_run_takes_no_more_actions(run, officer, officer2):
    payment_run_cancel(run=run, by=officer, reason="Wrong date")
    assert PaymentRun.objects.get(pk=run.pk).cancel_reason == "Wrong date"
    refused(lambda: payment_run_authorise(run=run, by=officer2), "was cancelled; a cancelled run cannot be authorised")
    refused(lambda: payment_run_cancel(run=run, by=officer, reason=""), "Say why the run is cancelled")


def test_an_instalment_the_schedule_pays_in_advance_is_paid_in_a_run_with_the_reason(accepted_grant, officer,
                                                                                     officer2, limits):
    from grants.checks import check_complete
    from grants.schedule import InstalmentChange, schedule_update

    for check in accepted_grant.checks.all():
        check_complete(check=check, evidence="Seen", by=officer)
    q1 = accepted_grant.instalments.get(quarter=1)
    schedule_update(funding_line=accepted_grant.funding_lines.get(), by=officer, reason="Start-up costs",
                    changes=[InstalmentChange(q1, requires_return=False, in_advance=True)])
    run = payment_run_prepare(pay_on=date(2025, 6, 2), by=officer)
    payment_run_authorise(run=run, by=officer2)
    payment_run_pay(run=run, by=officer, today=date(2025, 6, 2))
    payment = Payment.objects.get(instalment=q1)
    assert payment.paid_on == date(2025, 6, 2)
    assert payment.reference == f"{run.reference} {accepted_grant.reference} Q1 2025/26"
    assert payment.advance_reason == (f"Paid in advance as its schedule allows, in {run.reference} authorised by "
                                      "Oscar")

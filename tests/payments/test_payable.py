"""The bulk rule (``payments.payable``) against the one-instalment rule (``grants.payments.instalment_pay_refusal``)
on varied cases: they must agree on every instalment, on every date."""

from datetime import date

from grants.checks import check_complete, check_reopen
from grants.models import Instalment
from grants.organisations import bank_details_submit
from grants.payments import instalment_pay_refusal, payment_record
from grants.schedule import InstalmentChange, schedule_update
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from payments.payable import bacs_reference, payable_instalments
from tests.grants.conftest import accept_return, complete_checks, make_grant

DATES = [date(2025, 6, 2), date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 1),
         date(2025, 12, 31), date(2026, 1, 2), date(2026, 4, 10)]


def accepted(org, service, officer, commissioner, funding, **extra):
    grant = make_grant(org, service, officer, funding, **extra)
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    return grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)


def test_the_bulk_rule_agrees_with_instalment_pay_refusal(payable_grant, org, service, officer, officer2, commissioner,
                                                          funded_core, year):
    # 1. payable_grant: Q1 payable from 01/07/2025 (return accepted), Q2 return accepted too, Q1 partly paid.
    accept_return(payable_grant, year, 2, officer, officer2)
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="5000.00", paid_on=date(2025, 7, 10),
                   by=officer)
    # 2. Checks incomplete.
    unchecked = accepted(org, service, officer, commissioner, [(funded_core, year, "4000.00")], title="Unchecked")
    accept_return(unchecked, year, 1, officer, officer2)
    # 3. Q1 paid in advance without a return; Q2 paid in full; Q3 return sent in but not accepted.
    advance = accepted(org, service, officer, commissioner, [(funded_core, year, "12000.00")], title="Advance")
    complete_checks(advance, officer)
    line = advance.funding_lines.get()
    schedule_update(funding_line=line, by=officer, reason="Start-up", changes=[
        InstalmentChange(advance.instalments.get(quarter=1), requires_return=False, in_advance=True),
        InstalmentChange(advance.instalments.get(quarter=2), requires_return=False)])
    payment_record(instalment=advance.instalments.get(quarter=2), amount="3000.00", paid_on=date(2025, 10, 1),
                   by=officer)
    # 4. A grant ending part-way through Q2, its check reopened later (still incomplete).
    short = accepted(org, service, officer, commissioner, [(funded_core, year, "6000.00")], title="Short",
                     end_date=date(2025, 8, 14))
    complete_checks(short, officer)
    for quarter in (1, 2):
        schedule_update(funding_line=short.funding_lines.get(), by=officer, reason="No returns",
                        changes=[InstalmentChange(short.instalments.get(quarter=quarter), requires_return=False)])
    # 5. Approved, offer not accepted.
    pending = make_grant(org, service, officer, [(funded_core, year, "2000.00")], title="Not accepted")
    grant_submit(grant=pending, by=officer)
    grant_approve(grant=pending, by=commissioner, on=date(2025, 5, 1))

    def compare():
        for day in DATES:
            bulk = {p.instalment.pk for p in payable_instalments(on=day)}
            single = {i.pk for i in Instalment.objects.all() if instalment_pay_refusal(instalment=i, on=day) is None}
            assert bulk == single, day
            yield len(bulk)

    assert sum(compare()) > 5  # the cases are not all refused
    check_reopen(check=short.checks.first(), reason="Expired", by=officer)
    check_complete(check=short.checks.first(), evidence="Renewed", by=officer)
    list(compare())
    # 6. The bank details change: nothing is payable to the organisation until verified.
    bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="30-96-34",
                        account_number="55667788", by=officer)
    assert list(compare()) == [0] * len(DATES)


def test_instalments_of_one_grant_share_what_remains_on_it(payable_grant, officer, officer2, year):
    accept_return(payable_grant, year, 2, officer, officer2)
    found = payable_instalments(on=date(2025, 10, 10))  # Q2's return came in on 10/10/2025
    assert [(p.payment_reference, str(p.amount)) for p in found] == [
        (f"{payable_grant.reference} Q1 2025/26", "15000.00"), (f"{payable_grant.reference} Q2 2025/26", "15000.00")]


def test_payment_references_suit_the_bank():
    assert bacs_reference("inv#2025_001 (May) – final") == "INV 2025 001 MAY F"  # cut at 18 characters
    assert len(bacs_reference("A" * 40)) == 18

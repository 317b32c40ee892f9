"""Reversing a grant payment or a clawback recorded in error: the mirror entry, the document kept and marked
reversed, every figure that depended on it restored, and the refusals (each writing nothing).

Brindley Survivors Trust's £60,000.00 ISVA grant from MOJ-CORE 2025/26 (£500,000.00 award): Q1 is £15,000.00,
paid on 30/07/2025."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from funds.calendar import periods_close_up_to
from funds.models import FinancialYear, Period
from grants.awards import decision_record
from grants.models import Payment
from grants.payments import (
    clawback_record,
    clawback_reverse,
    instalment_pay_refusal,
    payment_record,
    payment_reverse,
    payment_reverse_refusal,
)
from grants.selectors import grant_totals, instalment_paid, instalments_due, line_clawed_back, line_paid
from grants.variations import variation_approve, variation_request
from grants.workflow import grant_approve, grant_close, grant_submit
from ledger.selectors import fund_positions
from tests.grants.conftest import accept_return, make_grant


def q(grant, quarter):
    return grant.instalments.get(quarter=quarter)


def position(fund, year):
    (row,) = [r for r in fund_positions(year=year) if r.fund == fund]
    return row.committed, row.actual, row.available


def verify_ledger_passes():
    call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())  # exits non-zero (SystemExit) on a fault


@pytest.fixture
def paid_q1(payable_grant, officer):
    return payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30),
                          reference="BACS 000123", by=officer)


def lines_of(entry):
    return sorted((ln.account.code, ln.direction, ln.fund.code, ln.funding_year.label, str(ln.amount.amount))
                  for ln in entry.lines.select_related("account", "fund", "funding_year"))


# ---- Payments --------------------------------------------------------------------------------------------------

def test_a_reversed_payment_leaves_the_instalment_unpaid_and_puts_the_commitment_back(
        payable_grant, officer, funded_core, year):
    before = position(funded_core, year)
    payment = payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 7, 30),
                             reference="BACS 000123", by=officer)
    assert position(funded_core, year) != before

    entry = payment_reverse(payment=payment, reason="Recorded against the wrong grant", by=officer,
                            on=date(2025, 8, 5))

    assert entry.reverses == payment.entry and entry.date == date(2025, 8, 5)
    # It keeps the payment entry's source (the grant), so the grant's money read by source counts the reversal.
    assert (entry.source_type, entry.source_id) == ("grants.grant", str(payable_grant.pk))
    flipped = {"D": "C", "C": "D"}
    assert lines_of(entry) == sorted((a, flipped[d], f, y, amt) for a, d, f, y, amt in lines_of(payment.entry))
    payment.refresh_from_db()
    assert payment.is_reversed and payment.reversal == entry
    assert payment.reversal_reason == "Recorded against the wrong grant"
    assert position(funded_core, year) == before  # committed and actual as they were before the payment
    instalment = q(payable_grant, 1)
    assert instalment_paid(instalment) == Decimal("0.00")
    totals = grant_totals(payable_grant)
    assert (totals.paid, totals.remaining, totals.outstanding_commitment) == (
        Decimal("0.00"), Decimal("60000.00"), Decimal("60000.00"))
    assert instalment_pay_refusal(instalment=instalment, on=date(2025, 8, 6)) is None
    due = {row.instalment.pk: row.outstanding for row in instalments_due(date(2025, 9, 30))}
    assert due[instalment.pk] == Decimal("15000.00")  # back in the payments-due queue
    verify_ledger_passes()


def test_a_reversed_payment_can_be_recorded_again_correctly(payable_grant, paid_q1, officer, funded_core, year):
    payment_reverse(payment=paid_q1, reason="Amount keyed wrongly", by=officer, on=date(2025, 8, 5))
    again = payment_record(instalment=q(payable_grant, 1), amount="15000.00", paid_on=date(2025, 8, 6),
                           reference="BACS 000140", by=officer)
    assert position(funded_core, year) == (Decimal("45000.00"), Decimal("15000.00"), Decimal("440000.00"))
    assert instalment_paid(q(payable_grant, 1)) == Decimal("15000.00")
    assert grant_totals(payable_grant).paid == Decimal("15000.00")
    assert [(p.pk, p.is_reversed) for p in Payment.objects.filter(grant=payable_grant).order_by("id")] == [
        (paid_q1.pk, True), (again.pk, False)]
    verify_ledger_passes()


def test_a_payment_is_reversed_once(paid_q1, officer, unchanged_database):
    entry = payment_reverse(payment=paid_q1, reason="Duplicate", by=officer, on=date(2025, 8, 5))
    with unchanged_database():
        with pytest.raises(ValidationError, match=f"This grant payment was reversed already, by entry "
                                                  f"{entry.reference} on 05/08/2025"):
            payment_reverse(payment=paid_q1, reason="Again", by=officer, on=date(2025, 8, 6))


def test_a_payment_a_standing_clawback_relies_on_is_not_reversed(payable_grant, paid_q1, officer,
                                                                 unchanged_database):
    line = payable_grant.funding_lines.get()
    clawback = clawback_record(funding_line=line, amount="2500.00", received_on=date(2025, 9, 1),
                               reason="Q1 underspend", by=officer)
    assert payment_reverse_refusal(paid_q1).startswith(
        "£2,500.00 has been clawed back from this line; reverse the clawback first.")
    with unchanged_database():
        with pytest.raises(ValidationError, match="£2,500.00 has been clawed back from this line; reverse the "
                                                  "clawback first. Without this payment only £0.00 would stand paid "
                                                  "from MOJ-CORE 2025/26"):
            payment_reverse(payment=paid_q1, reason="Wrong grant", by=officer, on=date(2025, 9, 2))
    clawback_reverse(clawback=clawback, reason="Clawback was for another grant", by=officer, on=date(2025, 9, 2))
    payment_reverse(payment=paid_q1, reason="Wrong grant", by=officer, on=date(2025, 9, 2))
    assert (line_paid(line), line_clawed_back(line)) == (Decimal("0.00"), Decimal("0.00"))
    verify_ledger_passes()


def test_a_clawback_blocks_only_the_payments_it_needs(payable_grant, officer):
    """Two part payments of Q1; £2,500.00 clawed back is covered by the £10,000.00 that stays paid."""
    first = payment_record(instalment=q(payable_grant, 1), amount="10000.00", paid_on=date(2025, 7, 30), by=officer)
    second = payment_record(instalment=q(payable_grant, 1), amount="5000.00", paid_on=date(2025, 8, 6), by=officer)
    clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00", received_on=date(2025, 9, 1),
                    reason="Q1 underspend", by=officer)
    payment_reverse(payment=second, reason="Paid twice", by=officer, on=date(2025, 9, 2))
    assert payment_reverse_refusal(first).startswith("£2,500.00 has been clawed back from this line")
    assert instalment_paid(q(payable_grant, 1)) == Decimal("10000.00")


def test_a_payment_on_a_closed_grant_is_not_reversed(payable_grant, paid_q1, officer, unchanged_database):
    grant_close(grant=payable_grant, by=officer, reason="Service ended early by agreement", on=date(2025, 9, 30))
    with unchanged_database():
        with pytest.raises(ValidationError, match="G\\d{5} is closed: what it had not paid was released, so reversing "
                                                  "this payment would commit £15,000.00 again to a grant that takes "
                                                  "no more payments. If the money came back, record it as a clawback"):
            payment_reverse(payment=paid_q1, reason="Wrong grant", by=officer, on=date(2025, 10, 1))


def test_a_payment_reversal_needs_a_reason(paid_q1, officer, unchanged_database):
    with unchanged_database():
        with pytest.raises(ValidationError, match="Say why the grant payment is being reversed"):
            payment_reverse(payment=paid_q1, reason="  ", by=officer, on=date(2025, 8, 5))


def test_a_payment_reversal_goes_into_an_open_period(paid_q1, officer, year, unchanged_database):
    periods_close_up_to(period=Period.objects.get(year=year, number=5), by=officer)  # April to August closed
    with unchanged_database():
        with pytest.raises(ValidationError, match="is closed, so nothing can be posted on 15/08/2025"):
            payment_reverse(payment=paid_q1, reason="Duplicate", by=officer, on=date(2025, 8, 15))
    entry = payment_reverse(payment=paid_q1, reason="Duplicate", by=officer, on=date(2025, 9, 1))
    assert entry.period.number == 6


def test_a_payment_reversal_is_not_dated_before_the_payment(paid_q1, officer, unchanged_database):
    with unchanged_database():
        with pytest.raises(ValidationError, match="The grant payment is dated 30/07/2025; its reversal cannot be "
                                                  "dated before it \\(29/07/2025\\)"):
            payment_reverse(payment=paid_q1, reason="Duplicate", by=officer, on=date(2025, 7, 29))


def test_a_q4_payment_made_in_april_is_not_reversed_once_its_year_has_been_through_year_end(
        payable_grant, officer, officer2, year, unchanged_database):
    accept_return(payable_grant, year, 4, officer, officer2, received_on=date(2026, 4, 8))
    payment = payment_record(instalment=q(payable_grant, 4), amount="15000.00", paid_on=date(2026, 4, 30), by=officer)
    FinancialYear.objects.filter(pk=year.pk).update(year_end_at="2026-05-20T10:00:00Z")  # 2025/26 is final
    payment.funding_line.year.refresh_from_db()
    with unchanged_database():
        with pytest.raises(ValidationError, match="This grant payment counts against MOJ-CORE 2025/26, which has been "
                                                  "through year end: its figures are final"):
            payment_reverse(payment=payment, reason="Duplicate", by=officer, on=date(2026, 5, 1))


def test_only_finance_officers_reverse_payments(paid_q1, commissioner, director, unchanged_database):
    with unchanged_database():
        for user in (commissioner, director):
            with pytest.raises(PermissionDenied, match="Only finance officers may reverse a grant payment"):
                payment_reverse(payment=paid_q1, reason="Duplicate", by=user, on=date(2025, 8, 5))


def test_a_variation_after_a_reversal_keeps_the_instalment_the_reversed_payment_points_at(
        payable_grant, paid_q1, officer, commissioner, funded_core, year):
    payment_reverse(payment=paid_q1, reason="Duplicate", by=officer, on=date(2025, 8, 5))
    variation = variation_request(grant=payable_grant, by=officer, reason="Service scaled down",
                                  amounts=[(funded_core, year, "10000.00")])
    variation_approve(variation=variation, by=commissioner, on=date(2025, 9, 1))
    assert [(i.quarter, str(i.amount.amount)) for i in payable_grant.instalments.order_by("quarter")] == [
        (1, "10000.00")]  # trimmed, not deleted: the reversed payment still points at it
    assert position(funded_core, year)[0] == Decimal("10000.00")
    verify_ledger_passes()


# ---- Clawbacks -------------------------------------------------------------------------------------------------

def test_a_reversed_clawback_can_be_clawed_back_again(payable_grant, paid_q1, officer, funded_core, year):
    line = payable_grant.funding_lines.get()
    clawback = clawback_record(funding_line=line, amount="15000.00", received_on=date(2025, 9, 1),
                               reason="Breach of conditions", by=officer)
    before = position(funded_core, year)
    entry = clawback_reverse(clawback=clawback, reason="The money had not arrived", by=officer, on=date(2025, 9, 3))
    clawback.refresh_from_db()
    assert clawback.is_reversed and clawback.reversal == entry and entry.reverses == clawback.entry
    assert position(funded_core, year) == (before[0], before[1] + Decimal("15000.00"), before[2] - Decimal("15000.00"))
    assert line_clawed_back(line) == Decimal("0.00")
    assert grant_totals(payable_grant).clawed_back == Decimal("0.00")
    clawback_record(funding_line=line, amount="15000.00", received_on=date(2025, 9, 10), reason="Breach: received",
                    by=officer)  # what may be clawed back is whole again
    assert position(funded_core, year) == before
    verify_ledger_passes()


def test_a_clawback_is_reversed_once(payable_grant, paid_q1, officer, unchanged_database):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Underspend", by=officer)
    clawback_reverse(clawback=clawback, reason="Keyed twice", by=officer, on=date(2025, 9, 2))
    with unchanged_database():
        with pytest.raises(ValidationError, match="This clawback was reversed already"):
            clawback_reverse(clawback=clawback, reason="Again", by=officer, on=date(2025, 9, 2))


def test_a_clawback_reversal_the_fund_cannot_bear_is_refused_with_the_shortfall(
        payable_grant, paid_q1, org, service, officer, commissioner, funded_core, year, unchanged_database):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Underspend", by=officer)
    assert position(funded_core, year)[2] == Decimal("442500.00")
    rival = make_grant(org, service, officer, [(funded_core, year, "441500.00")], title="Refuge places")
    grant_submit(grant=rival, by=officer)
    decision = decision_record(number="077-2025", date=date(2025, 9, 2), decision_maker=commissioner,
                               summary="Refuge places", by=commissioner)
    grant_approve(grant=rival, by=commissioner, decision=decision, on=date(2025, 9, 2))  # leaves £1,000.00
    with unchanged_database():
        with pytest.raises(ValidationError, match="Reversing this clawback would count £2,500.00 as spent from "
                                                  "MOJ-CORE 2025/26 again, and only £1,000.00 is available there: "
                                                  "£1,500.00 more than that"):
            clawback_reverse(clawback=clawback, reason="Keyed twice", by=officer, on=date(2025, 9, 3))


def test_a_clawback_reversal_needs_a_reason_and_an_open_period(payable_grant, paid_q1, officer, year,
                                                               unchanged_database):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Underspend", by=officer)
    periods_close_up_to(period=Period.objects.get(year=year, number=6), by=officer)  # to September
    with unchanged_database():
        with pytest.raises(ValidationError, match="Say why the clawback is being reversed"):
            clawback_reverse(clawback=clawback, reason="", by=officer, on=date(2025, 10, 1))
        with pytest.raises(ValidationError, match="is closed, so nothing can be posted on 30/09/2025"):
            clawback_reverse(clawback=clawback, reason="Keyed twice", by=officer, on=date(2025, 9, 30))


def test_only_finance_officers_reverse_clawbacks(payable_grant, paid_q1, officer, commissioner, unchanged_database):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Underspend", by=officer)
    with unchanged_database():
        with pytest.raises(PermissionDenied, match="Only finance officers may reverse a clawback"):
            clawback_reverse(clawback=clawback, reason="Keyed twice", by=commissioner, on=date(2025, 9, 2))

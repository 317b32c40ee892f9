"""Orders and contracts: committed at once at or below the fund's threshold, otherwise approved by a commissioner
or finance director other than the raiser; refused when the budget line or the fund has not enough available;
closed, giving back what they still commit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ledger import accounts as acc
from spending.invoices import invoice_approve, invoice_record
from spending.models import Order
from spending.orders import order_approve, order_close, order_raise, order_reject
from spending.selectors import budget_line_available, order_left_to_invoice, order_outstanding
from tests.spending.conftest import db_state, line_spending, position, verify_ledger_passes


def raise_on(line, supplier, officer, amount, **extra):
    fields = dict(supplier=supplier, budget_line=line, title="Helpline", start_date=date(2025, 4, 1),
                  end_date=date(2026, 3, 31), amount=amount, by=officer, on=date(2025, 5, 1))
    fields.update(extra)
    return order_raise(**fields)


def test_an_order_of_exactly_the_threshold_is_committed_when_raised(supplier, helpline_line, officer, fund, year):
    order = raise_on(helpline_line, supplier, officer, "25000.00")
    assert order.status == Order.Status.APPROVED and order.decided_by == officer
    assert position(fund, year) == (Decimal("25000.00"), Decimal("0.00"))


def test_an_order_at_or_below_the_threshold_is_committed_when_raised(small_order, running_line, officer, fund, year):
    order = small_order
    assert order.status == Order.Status.APPROVED
    assert order.decided_by == officer
    assert order.reference == f"PO{order.pk:05d}"
    entry = order.commitment_entry
    assert entry.date == date(2025, 5, 1)
    lines = sorted((line.account.code, line.direction, line.amount.amount, line.budget_line_id)
                   for line in entry.lines.all())
    assert lines == [(acc.COMMITMENTS, "D", Decimal("12000.00"), running_line.pk),
                     (acc.COMMITMENT_CONTROL, "C", Decimal("12000.00"), running_line.pk)]
    assert position(fund, year) == (Decimal("12000.00"), Decimal("0.00"))
    assert line_spending(running_line) == (Decimal("12000.00"), Decimal("0.00"))
    assert budget_line_available(running_line) == Decimal("8000.00")
    assert order_outstanding(order) == Decimal("12000.00")
    assert order_left_to_invoice(order) == Decimal("12000.00")
    verify_ledger_passes()


def test_an_order_above_the_threshold_waits_and_commits_nothing(supplier, helpline_line, officer, fund, year):
    order = raise_on(helpline_line, supplier, officer, "25000.01")
    assert order.status == Order.Status.AWAITING_APPROVAL
    assert order.commitment_entry is None and order.decided_by is None
    assert position(fund, year) == (Decimal("0.00"), Decimal("0.00"))
    assert order_outstanding(order) == Decimal("0.00")
    assert order_left_to_invoice(order) == Decimal("0.00")


def test_a_commissioner_approves_and_commits(contract, helpline_line, commissioner, fund, year):
    assert contract.status == Order.Status.APPROVED
    assert contract.decided_by == commissioner
    assert contract.commitment_entry.date == date(2025, 5, 2)
    assert position(fund, year) == (Decimal("60000.00"), Decimal("0.00"))
    assert line_spending(helpline_line) == (Decimal("60000.00"), Decimal("0.00"))
    assert budget_line_available(helpline_line) == Decimal("40000.00")
    verify_ledger_passes()


def test_a_finance_director_may_approve(supplier, helpline_line, officer, director):
    order = raise_on(helpline_line, supplier, officer, "30000.00")
    assert order_approve(order=order, by=director, on=date(2025, 5, 2)).status == Order.Status.APPROVED


def test_the_raiser_never_approves_their_own_order(supplier, helpline_line, officer, director):
    director.groups.add(*officer.groups.all())  # one person holding both roles
    order = raise_on(helpline_line, supplier, director, "30000.00")
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        order_approve(order=order, by=director, on=date(2025, 5, 2))
    assert refused.value.messages == [
        f"You raised {order.reference}, so a commissioner or finance director other than you must approve or "
        "reject it."]
    assert db_state() == before


def test_finance_officers_do_not_approve_orders(supplier, helpline_line, officer, officer2):
    order = raise_on(helpline_line, supplier, officer, "30000.00")
    with pytest.raises(PermissionDenied, match="Only commissioners or finance directors may approve orders."):
        order_approve(order=order, by=officer2)


def test_an_order_beyond_the_lines_available_is_refused_naming_the_line(supplier, running_line, officer,
                                                                        small_order):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        raise_on(running_line, supplier, officer, "8000.01")
    assert refused.value.message_dict["amount"] == [
        "The budget line 'Hub running costs' (MOJ-CORE 2025/26) has £8,000.00 available (revised budget £20,000.00, "
        "committed £12,000.00, spent £0.00); this order needs £8,000.01, £0.01 more than that. Move budget to the "
        "line by a virement, or raise the order on another line."]
    assert db_state() == before
    verify_ledger_passes()


def test_an_order_the_fund_cannot_cover_is_refused_with_the_funds_available(supplier, fund, year, officer):
    from funds.budgets import budget_line_create

    big = budget_line_create(fund=fund, year=year, heading="Evaluation", amount="600000.00", by=officer)
    fund.order_approval_threshold = fund.order_approval_threshold.__class__("1000000.00", "GBP")
    fund.save()
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        raise_on(big, supplier, officer, "500000.01")
    assert refused.value.messages == [
        "Not enough money available in MOJ-CORE (Victims' services core grant) for 2025/26: £500,000.00 is "
        "available and this needs £500,000.01, £0.01 more than that."]
    assert db_state() == before


def test_approval_checks_the_line_again(supplier, helpline_line, officer, commissioner):
    first = raise_on(helpline_line, supplier, officer, "60000.00")
    second = raise_on(helpline_line, supplier, officer, "50000.00")  # each fits alone; not both
    order_approve(order=first, by=commissioner, on=date(2025, 5, 2))
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        order_approve(order=second, by=commissioner, on=date(2025, 5, 2))
    assert refused.value.messages[0].startswith(
        "The budget line 'Helpline contract' (MOJ-CORE 2025/26) has £40,000.00 available")
    assert "this order needs £50,000.00, £10,000.00 more than that." in refused.value.messages[0]
    assert db_state() == before


def test_an_order_ending_before_it_starts_is_refused(supplier, running_line, officer):
    with pytest.raises(ValidationError) as refused:
        raise_on(running_line, supplier, officer, "100.00", start_date=date(2025, 6, 1), end_date=date(2025, 5, 1))
    assert refused.value.message_dict["end_date"] == [
        "The end (01/05/2025) is before the start (01/06/2025); give an end on or after the start."]
    assert not Order.objects.exists()


def test_a_rejection_needs_a_note_and_commits_nothing(supplier, helpline_line, officer, commissioner, fund, year):
    order = raise_on(helpline_line, supplier, officer, "30000.00")
    with pytest.raises(ValidationError) as refused:
        order_reject(order=order, by=commissioner, note=" ")
    assert "Say why the order is rejected" in refused.value.message_dict["note"][0]
    order = order_reject(order=order, by=commissioner, note="Not procured competitively")
    assert order.status == Order.Status.REJECTED and order.decided_by == commissioner
    assert position(fund, year) == (Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(ValidationError, match="is rejected; only an order awaiting approval"):
        order_approve(order=order, by=commissioner)


def test_closing_releases_what_is_still_committed(contract, officer, officer2, helpline_line, fund, year):
    invoice = invoice_record(order=contract, supplier_reference="PH-1", invoice_date=date(2025, 6, 30),
                             description="Q1", net="15000.00", vat="3000.00", by=officer)
    invoice_approve(invoice=invoice, by=officer2, on=date(2025, 7, 3))
    assert order_outstanding(contract) == Decimal("45000.00")
    order = order_close(order=contract, by=officer, reason="Service ended early", on=date(2025, 7, 31))
    assert order.status == Order.Status.CLOSED
    assert order.released.amount == Decimal("45000.00")
    assert order_outstanding(order) == Decimal("0.00")
    assert order_left_to_invoice(order) == Decimal("0.00")
    assert position(fund, year) == (Decimal("0.00"), Decimal("15000.00"))
    assert line_spending(helpline_line) == (Decimal("0.00"), Decimal("15000.00"))
    assert budget_line_available(helpline_line) == Decimal("85000.00")
    verify_ledger_passes()


def test_an_order_is_not_closed_while_an_invoice_awaits_approval(recorded_invoice, officer):
    order = recorded_invoice.order
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        order_close(order=order, by=officer, reason="Done", on=date(2025, 7, 31))
    assert refused.value.messages == [
        f"Invoice {recorded_invoice.reference} (PH-1001) on {order.reference} awaits approval; approve or reject it "
        "before closing the order."]
    assert db_state() == before


def test_closing_needs_a_reason(contract, officer):
    with pytest.raises(ValidationError) as refused:
        order_close(order=contract, by=officer, reason="", on=date(2025, 7, 31))
    assert "Say why the order is closed" in refused.value.message_dict["reason"][0]

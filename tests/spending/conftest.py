"""Fixtures for supplier spending: Pennine Helpline Ltd (a supplier with verified bank details), two budget lines
on MOJ-CORE 2025/26 (which holds a £500,000.00 award), orders either side of the fund's £25,000.00 order approval
threshold, and invoices at each step."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from core.audit import save_with_history
from core.models import Event
from core.money import gbp
from funds.budgets import budget_line_create
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create
from ledger.models import FundPosition
from ledger.selectors import budget_line_spending, fund_positions
from spending.invoices import invoice_approve, invoice_record
from spending.orders import order_approve, order_raise
from spending.suppliers import supplier_create


def db_state() -> dict:
    """Row counts of every spending and ledger table (history included), events, and every fund position: equal
    before and after a refused call means the refusal wrote nothing."""
    state = {}
    for label in ("spending", "ledger", "grants", "funds"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model.objects.count()
    state["events"] = Event.objects.count()
    state["positions"] = sorted(
        FundPosition.objects.values_list("fund_id", "funding_year_id", "limit_pence", "committed_pence", "actual_pence")
    )
    return state


def verify_ledger_passes():
    call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())  # exits non-zero (SystemExit) on a fault


def position(fund, year):
    """(committed, actual) of the fund in the year, from the kept fund positions."""
    row = fund_positions(year=year, funds=type(fund).objects.filter(pk=fund.pk))[0]
    return row.committed, row.actual


def line_spending(line):
    """(committed, actual) on one budget line, read from the journal."""
    found = budget_line_spending(fund_ids=[line.fund_id], year=line.year).get((line.fund_id, line.pk))
    return (found.committed, found.actual) if found else (Decimal("0.00"), Decimal("0.00"))


@pytest.fixture
def fund(funded_core, officer):
    """MOJ-CORE: orders above £25,000.00 (net) need approval."""
    funded_core.order_approval_threshold = gbp("25000.00")
    save_with_history(funded_core, by=officer, reason="Order approval threshold set")
    return funded_core


@pytest.fixture
def helpline_line(fund, year, officer):
    return budget_line_create(fund=fund, year=year, heading="Helpline contract", amount="100000.00", by=officer)


@pytest.fixture
def running_line(fund, year, officer):
    return budget_line_create(fund=fund, year=year, heading="Hub running costs", amount="20000.00", by=officer)


@pytest.fixture
def organisation(officer, officer2):
    org = organisation_create(name="Pennine Helpline Ltd", company_number="11223344",
                              address="3 Mill Lane, Halifax", postcode="HX1 1AA", by=officer)
    details = bank_details_submit(organisation=org, account_name="Pennine Helpline Ltd", sort_code="40-11-62",
                                  account_number="12345678", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the contract")
    return org


@pytest.fixture
def supplier(organisation, officer):
    return supplier_create(organisation=organisation, vat_number="GB123456789", payment_terms_days=30, by=officer)


@pytest.fixture
def small_order(supplier, running_line, officer):
    """£12,000.00 of hub running costs: at or below the threshold, committed when raised on 01/05/2025."""
    return order_raise(supplier=supplier, budget_line=running_line, title="Hub cleaning 2025/26",
                       start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), amount="12000.00", by=officer,
                       on=date(2025, 5, 1))


@pytest.fixture
def contract(supplier, helpline_line, officer, commissioner):
    """£60,000.00 helpline contract: above the threshold, approved by a commissioner on 02/05/2025."""
    order = order_raise(supplier=supplier, budget_line=helpline_line, title="Sexual violence helpline 2025/26",
                        start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), amount="60000.00", by=officer,
                        kind="contract", on=date(2025, 5, 1))
    return order_approve(order=order, by=commissioner, on=date(2025, 5, 2))


@pytest.fixture
def recorded_invoice(contract, officer):
    """Helpline Q1: £15,000.00 net + £3,000.00 VAT (recoverable), dated 30/06/2025, awaiting approval."""
    return invoice_record(order=contract, supplier_reference="PH-1001", invoice_date=date(2025, 6, 30),
                          description="Helpline service, April to June 2025", net="15000.00", vat="3000.00",
                          by=officer)


@pytest.fixture
def approved_invoice(recorded_invoice, officer2):
    return invoice_approve(invoice=recorded_invoice, by=officer2, on=date(2025, 7, 3))

"""Fixed cash movements in April 2025 (2025/26 P1) on MOJ-CORE, and the bank statement that shows them.

Ledger (cash account 1000, all funds):
- 20/04/2025 receipt BACS-1 of £100,000.00 (income.services.receipt_record);
- 25/04/2025 payment run PR00001 of two payments, £3,000.00 and £2,000.00 (plain entries standing in for a run);
- 28/04/2025 receipt BACS-2 of £250.00.

Bank statement for April (opening £0.00): the receipt, ONE line of £5,000.00 for the run, the £250.00 with a
reference of the bank's own, and a bank charge of £12.50 that the ledger does not know: closing £95,237.50.
"""

from datetime import date
from decimal import Decimal

import pytest

from funds.models import Period
from income.services import receipt_record
from ledger import accounts as acc
from ledger.posting import Leg, entry_post

APRIL_CSV = (
    b"Date,Amount,Reference,Description\n"
    b'21/04/2025,"100,000.00",BACS-1 MOJ,Ministry of Justice grant\n'
    b"25/04/2025,-5000.00,PR00001,Payment run\n"
    b"30/04/2025,250.00,GIRO 99812,Giro credit\n"
    b"30/04/2025,-12.50,,Bank charges April\n"
)
APRIL_CLOSING = "95237.50"


def pay(fund, *, reference: str, day: date, amount: str, by):
    """A payment out of the bank, posted as a payment run would post it."""
    return entry_post(
        date=day, description=f"Payment {reference}", by=by, source_type="tests.payment", source_reference=reference,
        legs=[Leg(acc.GRANT_EXPENDITURE, fund, "D", Decimal(amount)), Leg(acc.CASH, fund, "C", Decimal(amount))],
    )


def receive(fund, *, reference: str, day: date, amount: str, by):
    """Money into the bank without an award letter (a stand-in for other income)."""
    return entry_post(
        date=day, description=f"Received {reference}", by=by, source_type="tests.receipt", source_reference=reference,
        legs=[Leg(acc.CASH, fund, "D", Decimal(amount)), Leg(acc.OTHER_INCOME, fund, "C", Decimal(amount))],
    )


def banking_rows() -> dict[str, int]:
    """Rows in every table of the banking app, history included (the shared ``unchanged_database`` fingerprint
    covers the older apps only)."""
    from django.apps import apps

    return {m._meta.label: m._base_manager.count() for m in apps.get_app_config("banking").get_models()}


@pytest.fixture
def april(year):
    return Period.objects.get(year=year, number=1)


@pytest.fixture
def may(year):
    return Period.objects.get(year=year, number=2)


@pytest.fixture
def april_cash(funded_core, officer):
    """The April cash movements above: {'bacs1', 'run1', 'run2', 'bacs2'} -> JournalEntry."""
    bacs1 = receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="100000.00",
                           by=officer)
    run1 = pay(funded_core, reference="PR00001 G00001 Q1 2025/26", day=date(2025, 4, 25), amount="3000.00", by=officer)
    run2 = pay(funded_core, reference="PR00001 G00002 Q1 2025/26", day=date(2025, 4, 25), amount="2000.00", by=officer)
    bacs2 = receipt_record(fund=funded_core, reference="BACS-2", date=date(2025, 4, 28), amount="250.00", by=officer)
    return {"bacs1": bacs1.entry, "run1": run1, "run2": run2, "bacs2": bacs2.entry}


@pytest.fixture
def april_statement(april, april_cash, officer):
    from banking.statements import bank_statement_import

    return bank_statement_import(period=april, content=APRIL_CSV, filename="april.csv", opening_balance="0.00",
                                 closing_balance=APRIL_CLOSING, by=officer)

"""A month of postings with pence on several funds and accounts (May 2025, P2 of 2025/26), closed, and a mapping to
a fictional corporate chart."""

from datetime import date
from decimal import Decimal

import pytest

from corporate.mapping import mapping_create
from funds.calendar import periods_close_up_to
from funds.models import Period
from income.services import poca_receipt_record, receipt_record
from ledger import accounts as acc
from ledger.models import Account
from ledger.posting import CREDIT, DEBIT, Leg, entry_post

MAY_2025 = date(2025, 5, 1)


def month(year: int, month_number: int) -> Period:
    return Period.objects.get(number__lte=12, start_date=date(year, month_number, 1))


def account(code: str) -> Account:
    return Account.objects.get(code=code)


@pytest.fixture
def may_postings(funded_core, poca_fund, officer):
    """May 2025: cash received on MOJ-CORE and POCA, grant spending on both, a commitment; April holds the award
    letter and June one more receipt, which May's journal must leave out."""
    receipt_record(fund=funded_core, reference="MOJ-Q1-1", date=date(2025, 5, 6), amount="125000.37", by=officer)
    poca_receipt_record(fund=poca_fund, reference="POCA-R-1", case_reference="T20257788", date=date(2025, 5, 9),
                        gross_recovered="10000.55", agency_share_percent="50", by=officer)  # 5,000.28 ours
    entry_post(date=date(2025, 5, 20), description="Helpline invoice", by=officer, legs=[
        Leg(acc.GRANT_EXPENDITURE, funded_core, DEBIT, Decimal("1234.56")),
        Leg(acc.CASH, funded_core, CREDIT, Decimal("1234.56")),
    ])
    entry_post(date=date(2025, 5, 21), description="Community project", by=officer, legs=[
        Leg(acc.GRANT_EXPENDITURE, poca_fund, DEBIT, Decimal("99.99")),
        Leg(acc.CASH, poca_fund, CREDIT, Decimal("99.99")),
    ])
    entry_post(date=date(2025, 5, 28), description="Commitment for a grant", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, Decimal("10000.01")),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, Decimal("10000.01")),
    ])
    receipt_record(fund=funded_core, reference="MOJ-Q1-2", date=date(2025, 6, 3), amount="1.01", by=officer)
    periods_close_up_to(period=month(2025, 5), by=officer)  # April 2024 to May 2025
    return month(2025, 5)


MAPPING = [
    # account, fund code or None, cost centre, subjective
    (acc.CASH, None, "PCC100", "10100"),
    (acc.AWARDS_RECEIVABLE, None, "PCC100", "11000"),
    (acc.GRANT_INCOME, None, "PCC410", "40000"),
    (acc.POCA_INCOME, None, "PCC410", "41000"),
    (acc.GRANT_EXPENDITURE, None, "PCC410", "52100"),
    (acc.GRANT_EXPENDITURE, "POCA", "PCC420", "52100"),
    (acc.COMMITMENTS, None, "MEMO", "80000"),
    (acc.COMMITMENT_CONTROL, None, "MEMO", "81000"),
]


@pytest.fixture
def mapped(may_postings, poca_fund, officer):
    for code, fund_code, cost_centre, subjective in MAPPING:
        mapping_create(account=account(code), fund=poca_fund if fund_code else None, cost_centre=cost_centre,
                       subjective=subjective, by=officer)
    return may_postings

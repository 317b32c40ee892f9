"""A small, fixed scenario for the statements: one award-based fund with three budget lines, a proceeds of crime
fund and a fixed penalty fund, posted through the real services. Every figure below is asserted exactly."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from funds.budgets import budget_line_create, forecast_record, virement_request
from income.services import fpn_return_record, poca_receipt_record, receipt_record
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post


def commit(fund, amount, by, day):
    return entry_post(date=day, description="Grant commitment", by=by, legs=[
        Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount)), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount))])


def pay(fund, amount, by, day):
    """A grant payment: expenditure out of cash, and the commitment it settles released."""
    value = Decimal(amount)
    return entry_post(date=day, description="Grant payment", by=by, legs=[
        Leg(acc.GRANT_EXPENDITURE, fund, DEBIT, value), Leg(acc.CASH, fund, CREDIT, value),
        Leg(acc.COMMITMENT_CONTROL, fund, DEBIT, value), Leg(acc.COMMITMENTS, fund, CREDIT, value)])


@dataclass
class Scenario:
    year: object
    core: object
    poca: object
    fpn: object
    lines: dict
    officer: object
    officer2: object
    director: object
    known_at: object  # the moment just after everything was recorded


@pytest.fixture
def scenario(funded_core, poca_fund, fpn_fund, year, officer, officer2, director) -> Scenario:
    core = funded_core
    receipt_record(fund=core, reference="MOJ-RCPT-Q1", date=date(2025, 4, 20), amount="125000.00", by=officer)
    lines = {
        "hubs": budget_line_create(fund=core, year=year, heading="Victim support hubs", amount="300000.00", by=officer),
        "counselling": budget_line_create(fund=core, year=year, heading="Specialist counselling", amount="150000.00",
                                          phasing="monthly", by=officer),
        "rj": budget_line_create(fund=core, year=year, heading="Restorative justice", amount="50000.00", by=officer),
        "poca": budget_line_create(fund=poca_fund, year=year, heading="Helping Communities Fund", amount="40000.00",
                                   by=officer),
    }
    virement_request(from_line=lines["rj"], to_line=lines["counselling"], amount="10000.00",
                     reason="Counselling waiting list has grown.", by=officer)
    forecast_record(line=lines["hubs"], amount="290000.00", by=officer, note="One hub opened late",
                    made_on=date(2025, 10, 15))
    commit(core, "200000.00", officer, date(2025, 5, 1))
    pay(core, "60000.00", officer, date(2025, 7, 15))
    pay(core, "30000.00", officer, date(2025, 11, 10))
    poca_receipt_record(fund=poca_fund, reference="ARIS-001", case_reference="T20247781", date=date(2025, 5, 12),
                        gross_recovered="186000.00", agency_share_percent="18.75", by=officer)
    poca_receipt_record(fund=poca_fund, reference="ARIS-002", case_reference="T20251102", date=date(2025, 6, 12),
                        gross_recovered="77250.00", agency_share_percent="12.5", by=officer)
    fpn_return_record(fund=fpn_fund, reference="FPN-P01", month_start=date(2025, 4, 1), tickets=1387,
                      gross_value="138700.00", by=officer)
    fpn_return_record(fund=fpn_fund, reference="FPN-P02", month_start=date(2025, 5, 1), tickets=1394,
                      gross_value="139400.00", by=officer)
    return Scenario(year=year, core=core, poca=poca_fund, fpn=fpn_fund, lines=lines, officer=officer,
                    officer2=officer2, director=director, known_at=timezone.now())

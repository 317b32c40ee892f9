"""A small year for the year-end tests: MOJ-CORE (return) with a £500,000.00 award and one £60,000.00 grant paid
quarterly in arrears (Q1-Q3 paid in the year, Q4 paid on 30/04/2026), and POCA (carry forward) with one £37,500.00
receipt. Every month of 2025/26 is closed; April 2026 is open."""

from datetime import date

import pytest

from funds.calendar import periods_close_up_to
from funds.models import Period
from grants.models import Instalment
from grants.payments import payment_record
from income.services import poca_receipt_record
from tests.grants.conftest import (  # noqa: F401  (fixtures)
    accept_return,
    accepted_grant,
    approved_grant,
    complete_checks,
    draft_grant,
    fast_password_hashing,
    org,
    service,
    submitted_grant,
)

TODAY = date(2026, 5, 15)


def instalment(grant, quarter):
    return Instalment.objects.get(grant=grant, quarter=quarter)


def close_year(year, by):
    march = Period.objects.get(year=year, number=12)
    periods_close_up_to(period=march, by=by, today=TODAY)


@pytest.fixture
def delivered(accepted_grant, officer, officer2, year, poca_fund):  # noqa: F811  (the imported fixture)
    """The grant with returns Q1-Q4 accepted, Q1-Q3 paid by 31 March, Q4 paid in April; a POCA receipt."""
    complete_checks(accepted_grant, officer)
    for quarter, paid_on in ((1, date(2025, 7, 10)), (2, date(2025, 10, 10)), (3, date(2026, 1, 12)),
                             (4, date(2026, 4, 30))):
        accept_return(accepted_grant, year, quarter, officer, officer2)
        payment_record(instalment=instalment(accepted_grant, quarter), amount="15000.00", paid_on=paid_on, by=officer)
    poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference="T2025001", date=date(2025, 9, 12),
                        gross_recovered="200000.00", agency_share_percent="18.75", by=officer)
    return accepted_grant


@pytest.fixture
def closed_year(delivered, year, officer):
    close_year(year, officer)
    return year

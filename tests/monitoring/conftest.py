"""The monitoring scenario: the statements' ``scenario`` (tests/reports/conftest.py) with spending recorded against
its budget lines in 2025/26, so each line has its own actual. Every figure the tests assert follows from these.

As at 31/10/2025 (October 2025, P7):
- Victim support hubs: £300,000.00 phased by quarter, so profiled £175,000.00 (Q1, Q2 and a third of Q3); actual
  £166,000.00; forecast £290,000.00 made 15/10/2025. Variance to profile £9,000.00 (5.14%): Amber.
- Specialist counselling: £150,000.00 by month, +£10,000.00 virement, so profiled 7/12 of £160,000.00 =
  £93,333.33; actual £105,000.00: variance to profile -£11,666.67 (-12.50%): Red.
- Restorative justice: £50,000.00 by quarter, -£10,000.00 virement, profiled £23,333.33; actual £22,000.00 and
  £5,000.00 committed on the line: variance £1,333.33 (5.71%) is below £5,000.00: Green.
- MOJ-CORE's postings that name no line (the scenario's grant): committed £140,000.00, actual £60,000.00.
- POCA's Helping Communities Fund: £40,000.00 by quarter, profiled £23,333.33, nothing spent: Red by default.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Max

from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from tests.reports.conftest import Scenario, scenario  # noqa: F401  (the fixture, shared)

OCTOBER_2025_END = date(2025, 10, 31)


def spend(line, amount: str, by, day=date(2025, 10, 15)):
    """A supplier cost on a budget line: Dr supplier spending (on the line) / Cr trade creditors."""
    value = Decimal(amount)
    return entry_post(date=day, description=f"Costs of {line.heading}", by=by, legs=[
        Leg(acc.SUPPLIER_EXPENDITURE, line.fund, DEBIT, value, budget_line=line),
        Leg(acc.TRADE_CREDITORS, line.fund, CREDIT, value)])


def commit_on(line, amount: str, by, day=date(2025, 10, 15)):
    value = Decimal(amount)
    return entry_post(date=day, description=f"Order on {line.heading}", by=by, legs=[
        Leg(acc.COMMITMENTS, line.fund, DEBIT, value, budget_line=line),
        Leg(acc.COMMITMENT_CONTROL, line.fund, CREDIT, value)])


@pytest.fixture
def monitored(scenario) -> Scenario:  # noqa: F811
    s = scenario
    spend(s.lines["hubs"], "166000.00", s.officer)
    spend(s.lines["counselling"], "105000.00", s.officer)
    spend(s.lines["rj"], "22000.00", s.officer)
    commit_on(s.lines["rj"], "5000.00", s.officer)
    return s


def monitoring_state() -> dict:
    """Row count and highest key of every monitoring table (history included): the rules' own "writes nothing"
    check (tests/rules/conftest.py's fingerprint covers the other apps)."""
    state = {}
    for model in apps.get_app_config("monitoring").get_models():
        state[model._meta.label] = (model._base_manager.count(), model._base_manager.aggregate(m=Max("pk"))["m"])
    return state


@pytest.fixture
def nothing_written(unchanged_database):
    """``with nothing_written():`` around an attempt that must write nothing, in any app."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = monitoring_state()
        with unchanged_database():
            yield
        assert monitoring_state() == before, "A refused attempt wrote to the monitoring tables"

    return check

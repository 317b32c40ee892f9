"""A statement produced again later for the same as-at date and known-at moment gives the same figures, whatever
has happened since: backdated postings, new receipts, renamed funds, new budgets, virements and forecasts."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.audit import save_with_history
from funds.budgets import budget_line_create, forecast_record, virement_request
from funds.models import Fund
from income.services import fpn_return_record, poca_receipt_record
from reports.exports import pack_build
from reports.parameters import parameters_parse
from tests.reports.conftest import commit, pay


class Clock:
    """Stands in for django.utils.timezone.now: each reading is a millisecond after the last."""

    def __init__(self, start: datetime):
        self.moment = start

    def __call__(self):
        self.moment += timezone.timedelta(milliseconds=1)
        return self.moment

    def set(self, moment: datetime):
        self.moment = moment


def london(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(london(2025, 12, 20, 10, 0))
    monkeypatch.setattr(timezone, "now", fake)
    return fake


def figures(pack):
    return {built.statement.key: [(row.kind, dict(row.values)) for row in built.rows] for built in pack.statements}


def change_everything(scenario):
    """Backdated postings and receipts, a renamed fund, a new budget line, a virement and a forecast."""
    officer = scenario.officer
    commit(scenario.core, "15000.00", officer, date(2025, 11, 30))
    pay(scenario.core, "7500.00", officer, date(2025, 12, 15))
    poca_receipt_record(fund=scenario.poca, reference="ARIS-LATE", case_reference="T2025LATE", date=date(2025, 9, 1),
                        gross_recovered="10000.00", agency_share_percent="18.75", by=officer)
    fpn_return_record(fund=scenario.fpn, reference="FPN-P06", month_start=date(2025, 9, 1), tickets=1400,
                      gross_value="140000.00", by=officer)
    fund = Fund.objects.get(pk=scenario.core.pk)
    fund.name = "Victims' services grant (renamed)"
    save_with_history(fund, by=officer, reason="Name from the 2026 award letter")
    budget_line_create(fund=scenario.core, year=scenario.year, heading="Court navigators", amount="25000.00",
                       by=officer)
    virement_request(from_line=scenario.lines["hubs"], to_line=scenario.lines["rj"], amount="5000.00",
                     reason="Hub opened late", by=officer)
    forecast_record(line=scenario.lines["counselling"], amount="170000.00", by=officer, made_on=date(2025, 12, 1))


def test_rebuilding_later_gives_the_same_figures(clock, scenario):
    known_at = london(2026, 1, 5, 9, 0)
    clock.set(london(2026, 1, 5, 9, 30))
    params = parameters_parse(year="2025/26", as_at="2025-12-31", known_at=known_at)
    first = pack_build(params)

    change_everything(scenario)  # on the known-at day itself, after the moment
    clock.set(london(2026, 2, 10, 14, 0))
    rebuilt = pack_build(parameters_parse(year="2025/26", as_at="2025-12-31", known_at=known_at))
    assert figures(rebuilt) == figures(first)
    assert rebuilt.figures_hash == first.figures_hash

    fund = next(r for r in first.get("fund").rows if r.kind == "subtotal" and r["fund"] == "MOJ-CORE")
    assert fund["heading"] == "Total Victims' services core grant"
    assert (fund["committed"], fund["actual"], fund["revised"]) == (D("110000.00"), D("90000.00"), D("500000.00"))


def test_known_now_the_same_as_at_date_shows_the_changes(clock, scenario):
    known_at = london(2026, 1, 5, 9, 0)
    clock.set(london(2026, 1, 6, 9, 0))
    before = pack_build(parameters_parse(year="2025/26", as_at="2025-12-31", known_at=known_at))
    change_everything(scenario)
    now = pack_build(parameters_parse(year="2025/26", as_at="2025-12-31"))
    assert now.figures_hash != before.figures_hash
    fund = next(r for r in now.get("fund").rows if r.kind == "subtotal" and r["fund"] == "MOJ-CORE")
    assert fund["heading"] == "Total Victims' services grant (renamed)"
    assert (fund["committed"], fund["actual"], fund["original"], fund["revised"]) == (
        D("117500.00"), D("97500.00"), D("525000.00"), D("525000.00"))
    retained = now.get("retained").rows
    assert {"ARIS-LATE", "FPN-P06"} <= {r["reference"] for r in retained}
    changes = now.get("changes").rows
    renamed = next(r for r in changes if r["kind"] == "Fund" and r["field"] == "Name")
    assert (renamed["before"], renamed["after"], renamed["why"]) == (
        "Victims' services core grant", "Victims' services grant (renamed)", "Name from the 2026 award letter")


def test_postings_on_the_known_at_day_count_up_to_the_moment(clock, scenario):
    clock.set(london(2026, 1, 5, 8, 30))
    commit(scenario.core, "1000.00", scenario.officer, date(2025, 12, 1))  # before the moment: counts
    clock.set(london(2026, 1, 5, 9, 30))
    commit(scenario.core, "2000.00", scenario.officer, date(2025, 12, 2))  # after it: does not
    clock.set(london(2026, 1, 5, 10, 0))
    pack = pack_build(parameters_parse(year="2025/26", as_at="2025-12-31", known_at="2026-01-05T09:00"),
                      keys=["fund"])
    fund = next(r for r in pack.get("fund").rows if r.kind == "subtotal" and r["fund"] == "MOJ-CORE")
    assert fund["committed"] == D("111000.00")


def test_changes_in_the_period_stop_at_the_known_at_moment(clock, scenario):
    known_at = london(2026, 1, 5, 9, 0)
    clock.set(london(2026, 1, 5, 9, 30))
    change_everything(scenario)
    rows = pack_build(parameters_parse(year="2025/26", known_at=known_at), keys=["changes"]).get("changes").rows
    assert all(timezone.localtime(r["when"]) <= known_at for r in rows)
    assert not any(r["kind"] == "Fund" and r["field"] == "Name" for r in rows)

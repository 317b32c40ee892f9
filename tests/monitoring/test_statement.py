"""The monitoring statement: exact figures for the fixed scenario (tests/monitoring/conftest.py), RAG, flags and
commentary as known at a moment, months that have not ended, and a constant number of queries."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.budgets import budget_line_create, forecast_record
from funds.models import Period
from funds.services import fund_create
from income.services import award_letter_record
from monitoring.services import commentary_record, rag_threshold_set
from reports.exports import pack_build
from reports.registry import LINE, SUBTOTAL, TOTAL, statement_classes
from reports.statements.monitoring import MonitoringStatement, lines_needing_commentary, monitoring_for_month
from tests.monitoring.conftest import spend

FIGURES = ("rag", "original", "virements", "revised", "profiled", "actual", "profile_variance",
           "profile_variance_pct", "committed", "forecast", "forecast_variance", "forecast_variance_pct",
           "commentary")


def october(known_at=None) -> list:
    return list(MonitoringStatement(monitoring_for_month("2025-10", known_at=known_at)).rows())


def by_heading(rows) -> dict:
    return {row["heading"]: row for row in rows}


def figures(row) -> tuple:
    return tuple(row[key] for key in FIGURES)


def october_period() -> Period:
    return Period.objects.get(start_date=date(2025, 10, 1))


def test_the_statement_follows_the_fund_statement_in_every_pack():
    keys = [cls.key for cls in statement_classes()]
    assert keys.index("monitoring") == keys.index("fund") + 1


def test_each_line_shows_exact_profile_actual_forecast_variances_and_rag(monitored):
    rows = october()
    lines = by_heading(rows)
    amber = "NO COMMENTARY: an amber line needs an explanation"
    red = "NO COMMENTARY: a red line needs an explanation"
    assert figures(lines["Victim support hubs"]) == (
        "Amber", D("300000.00"), D("0.00"), D("300000.00"), D("175000.00"), D("166000.00"), D("9000.00"), D("5.14"),
        D("0.00"), D("290000.00"), D("10000.00"), D("3.33"), amber)
    assert figures(lines["Specialist counselling"]) == (
        "Red", D("150000.00"), D("10000.00"), D("160000.00"), D("93333.33"), D("105000.00"), D("-11666.67"),
        D("-12.50"), D("0.00"), D("160000.00"), D("0.00"), D("0.00"), red)
    assert figures(lines["Restorative justice"]) == (
        "Green", D("50000.00"), D("-10000.00"), D("40000.00"), D("23333.33"), D("22000.00"), D("1333.33"),
        D("5.71"), D("5000.00"), D("40000.00"), D("0.00"), D("0.00"), "")
    assert figures(lines["Helping Communities Fund"]) == (
        "Red", D("40000.00"), D("0.00"), D("40000.00"), D("23333.33"), D("0.00"), D("23333.33"), D("100.00"),
        D("0.00"), D("40000.00"), D("0.00"), D("0.00"), red)
    # The scenario's grant names no budget line: its own line, no budget, so the lines add up to the fund; its
    # outturn is what it has spent, so the fund's forecast outturn is not below its actual.
    assert figures(lines["Not assigned to a budget line"]) == (
        None, None, None, None, D("0.00"), D("60000.00"), D("-60000.00"), None, D("140000.00"), D("60000.00"),
        D("-60000.00"), None, None)
    core = lines["Total Victims' services core grant"]
    assert core.kind == SUBTOTAL and figures(core)[1:12] == (
        D("500000.00"), D("0.00"), D("500000.00"), D("291666.66"), D("353000.00"), D("-61333.34"), D("-21.03"),
        D("145000.00"), D("550000.00"), D("-50000.00"), D("-10.00"))
    total = rows[-1]
    assert total.kind == TOTAL and [r["fund"] for r in rows if r.kind == SUBTOTAL] == ["MOJ-CORE", "POCA"]
    assert (total["profiled"], total["actual"], total["profile_variance"], total["forecast_variance"]) == (
        D("314999.99"), D("353000.00"), D("-38000.01"), D("-50000.00"))


def test_commentary_replaces_the_flag_and_the_latest_version_known_at_the_moment_is_shown(monitored):
    period, line = october_period(), monitored.lines["counselling"]
    commentary_record(line=line, period=period, text="Waiting list cleared early; spend will level off.",
                      by=monitored.officer)
    between = timezone.now()
    commentary_record(line=line, period=period, text="Waiting list cleared early; £8,000 less in Q4.",
                      by=monitored.officer2)
    now = by_heading(october())["Specialist counselling"]
    then = by_heading(october(known_at=between))["Specialist counselling"]
    assert (now["rag"], now["commentary"]) == ("Red", "Waiting list cleared early; £8,000 less in Q4.")
    assert now["commentary_by"] == f"Oscar, {timezone.localdate():%d/%m/%Y}" and not now["needs_commentary"]
    assert then["commentary"] == "Waiting list cleared early; spend will level off."
    assert [row["heading"] for row in lines_needing_commentary(period)] == [
        "Victim support hubs", "Helping Communities Fund"]


def test_a_funds_own_thresholds_apply_to_it_and_the_global_ones_to_the_others(monitored):
    rag_threshold_set(fund=monitored.poca, amber_percent="50", amber_amount="20000", red_percent="100.01",
                      red_amount="30000", by=monitored.director, reason="POCA grants are paid in arrears")
    rag_threshold_set(amber_percent="1", amber_amount="1000", red_percent="5", red_amount="1300",
                      by=monitored.director, reason="Tighter control")
    statement = MonitoringStatement(monitoring_for_month("2025-10"))
    lines = by_heading(statement.rows())
    assert lines["Helping Communities Fund"]["rag"] == "Amber"  # 100.00% and £23,333.33: amber, not red
    assert lines["Restorative justice"]["rag"] == "Red"  # 5.71% and £1,333.33 reach the global red pair
    assert lines["Victim support hubs"]["rag"] == "Red"
    assert ("Global thresholds: amber 1.00% and £1,000.00, red 5.00% and £1,300.00; POCA's own: amber 50.00% and "
            "£20,000.00, red 100.01% and £30,000.00.") in statement.description


def test_a_rebuilt_statement_shows_what_was_known_then(monitored):
    params = monitoring_for_month("2025-10")
    before = pack_build(params, keys=["monitoring"])
    commentary_record(line=monitored.lines["hubs"], period=october_period(), text="Hub rent paid quarterly.",
                      by=monitored.officer)
    rag_threshold_set(amber_percent="50", amber_amount="50000", red_percent="90", red_amount="90000",
                      by=monitored.director, reason="Looser")
    spend(monitored.lines["rj"], "1500.00", monitored.officer, day=date(2025, 10, 20))  # backdated
    again = pack_build(params, keys=["monitoring"])
    assert again.figures_hash == before.figures_hash
    assert by_heading(october())["Restorative justice"]["actual"] == D("23500.00")


def test_a_month_that_has_not_ended_is_refused(monitored):
    with pytest.raises(ValidationError, match=r"October 2025 has not ended: its monitoring can be produced from "
                                              r"01/11/2025\."):
        monitoring_for_month("2025-10", today=date(2025, 10, 31))
    with pytest.raises(ValidationError, match="2025-13 is not a month: write it as YYYY-MM"):
        monitoring_for_month("2025-13")
    with pytest.raises(ValidationError, match="January 2031 is not a month of any financial year in Ringfence"):
        monitoring_for_month("2031-01")
    params = monitoring_for_month("2025-10", today=date(2025, 11, 1))
    assert (params.year.label, params.as_at) == ("2025/26", date(2025, 10, 31))


def test_an_as_at_date_inside_a_month_profiles_it_pro_rata(monitored):
    from reports.parameters import parameters_parse

    rows = MonitoringStatement(parameters_parse(year="2025/26", as_at="2025-10-16")).rows()
    hubs = by_heading(rows)["Victim support hubs"]
    assert hubs["profiled"] == D("162903.23")  # Q1, Q2 and 16/31 of October's £25,000.00


def _more_funds(s, count: int):
    """``count`` more funds, each with three lines (monthly and quarterly), spending, a forecast, commentary and
    thresholds of their own: the statement must not read per fund or per line."""
    funder = s.core.funder
    period = october_period()
    for n in range(count):
        fund = fund_create(code=f"EXTRA-{n}", name=f"Extra fund {n}", funder=funder, purpose="More",
                           limit_basis="award", year_end_rule="return", by=s.officer)
        award_letter_record(fund=fund, year=s.year, reference=f"EXTRA-AWD-{n}", letter_date=date(2025, 4, 3),
                            amount="90000.00", by=s.officer)
        for k, phasing in enumerate(("monthly", "quarterly", "monthly")):
            line = budget_line_create(fund=fund, year=s.year, heading=f"Line {k}", amount="30000.00",
                                      phasing=phasing, by=s.officer)
            spend(line, f"{12000 + k * 3000}.00", s.officer)
            forecast_record(line=line, amount="25000.00", by=s.officer, made_on=date(2025, 10, 1))
            commentary_record(line=line, period=period, text=f"Line {k} of fund {n}", by=s.officer)
        rag_threshold_set(fund=fund, amber_percent="3", amber_amount="100", red_percent="6", red_amount="200",
                          by=s.director, reason="Own")


def _queries(params) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = list(MonitoringStatement(params).rows())
    assert rows[-1].kind == TOTAL
    return len(captured.captured_queries)


def test_the_statement_takes_the_same_number_of_queries_for_any_number_of_funds_and_lines(monitored):
    commentary_record(line=monitored.lines["hubs"], period=october_period(), text="Rent", by=monitored.officer)
    small = _queries(monitoring_for_month("2025-10"))
    _more_funds(monitored, 4)
    params = monitoring_for_month("2025-10")
    rows = list(MonitoringStatement(params).rows())
    assert sum(1 for row in rows if row.kind == LINE) == 5 + 12
    assert _queries(params) == small

"""The finance director's dashboards: every panel for one year and as at one date, bad input refused with a clear
message, and chart axes scaled to the largest figure shown.

Figures from ``scenario`` (tests/reports/conftest.py): MOJ-CORE committed £200,000.00 on 01/05/2025, paid
£60,000.00 on 15/07/2025 and £30,000.00 on 10/11/2025; the hubs line's forecast (£290,000.00) made 15/10/2025."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger.selectors import fund_positions
from reports.charts import LABEL_WIDTH, VALUE_WIDTH, axis_ticks, bar_chart
from reports.dashboard import budget_against_actual, dashboard_parameters, grants_at_risk, retained_income
from tests.web.conftest import signed_in, text

D = Decimal


# ---- Charts: the axis ends at the largest figure -------------------------------------------------------------


def test_the_largest_bar_is_full_scale_and_the_axis_labels_reach_it():
    chart = bar_chart(title="t", desc="d", width=1000, groups=[
        ("MOJ-CORE", [("Revised budget", "bar-budget", D("2137450.00")), ("Actual", "bar-actual", D("1068725.00"))]),
        ("POCA", [("Revised budget", "bar-budget", D("12.34"))]),
    ])
    plot_width = 1000 - LABEL_WIDTH - VALUE_WIDTH
    widths = [bar.width for group in chart.groups for bar in group.bars]
    assert widths[0] == plot_width  # the largest figure spans the whole plot
    assert widths[1] == plot_width / 2
    assert max(widths) == plot_width
    positions, labels = zip(*chart.ticks, strict=True)
    assert positions[-1] == LABEL_WIDTH + plot_width  # the axis ends where the largest bar ends
    assert labels == ("£0", "£500k", "£1m", "£1.5m", "£2.14m")  # and its last label is that figure
    assert list(positions) == sorted(positions)


def test_axis_ticks_are_round_steps_then_the_largest_figure():
    assert axis_ticks(D("2137450")) == [0, 500000, 1000000, 1500000, D("2137450")]  # 2m is too close to 2.14m
    assert axis_ticks(D("100")) == [0, 20, 40, 60, 80, 100]
    assert axis_ticks(D("510000")) == [0, 200000, 400000, D("510000")]  # not a £1m axis with half of it empty
    chart = bar_chart(title="t", desc="d", groups=[("A", [("Actual", "bar-actual", D("0"))])])
    assert chart.ticks == [(LABEL_WIDTH, "£0")] and chart.groups[0].bars[0].width == 0


# ---- The year and the as-at date -----------------------------------------------------------------------------


def test_the_year_and_date_default_to_today_or_the_years_last_day(year):
    today = timezone.localdate()
    current = dashboard_parameters(today=date(2026, 12, 3))
    assert (current.year.label, current.as_at) == ("2026/27", date(2026, 12, 3))
    past = dashboard_parameters(year="2025", today=date(2026, 12, 3))
    assert (past.year.label, past.as_at) == ("2025/26", date(2026, 3, 31))
    chosen = dashboard_parameters(year="2025/26", as_at="31/10/2025", today=today)
    assert (chosen.year, chosen.as_at) == (year, date(2025, 10, 31))


@pytest.mark.parametrize("given, field, message", [
    ({"year": "2031"}, "year", "There is no financial year 2031/32. Years set up: 2026/27, 2025/26, 2024/25."),
    ({"year": "twenty"}, "year", "There is no financial year 'twenty'. Years set up:"),
    ({"year": "2025", "as_at": "31/02/2026"}, "as_at", "'31/02/2026' is not a date; write it like 31/12/2025"),
    ({"year": "2025", "as_at": date(2026, 5, 1)}, "as_at",
     "01/05/2026 is outside 2025/26 (01/04/2025 to 31/03/2026): choose a date in the year, or leave the date empty"),
    ({"year": "2026", "as_at": date(2026, 12, 4)}, "as_at", "04/12/2026 is after today (03/12/2026)"),
    ({"year": "2027"}, "year", "2027/28 begins on 01/04/2027, after today"),
])
def test_a_bad_year_or_date_is_refused_saying_what_would_be_right(year, given, field, message):
    from funds.calendar import year_open

    if given["year"] == "2027":
        year_open(start_year=2027)
    with pytest.raises(ValidationError) as refused:
        dashboard_parameters(**given, today=date(2026, 12, 3))
    assert message in refused.value.message_dict[field][0]


# ---- Every panel as at the date ----------------------------------------------------------------------------


def test_budget_against_actual_as_at_today_is_the_ledgers_kept_position(scenario):
    kept = {p.fund.code: (p.limit, p.committed, p.actual, p.available) for p in fund_positions(year=scenario.year)}
    as_at = {r.fund.code: (r.limit, r.committed, r.actual, r.available)
             for r in budget_against_actual(year=scenario.year, as_at=timezone.localdate())}
    assert as_at == kept


def test_budget_against_actual_counts_what_was_dated_by_the_as_at_date(scenario):
    def core(as_at):
        (row,) = [r for r in budget_against_actual(year=scenario.year, as_at=as_at) if r.fund.code == "MOJ-CORE"]
        return row.committed, row.actual, row.budget, row.outturn

    assert core(date(2025, 4, 30)) == (D("0.00"), D("0.00"), D("500000.00"), D("500000.00"))
    assert core(date(2025, 8, 31)) == (D("140000.00"), D("60000.00"), D("500000.00"), D("500000.00"))
    # The hubs forecast (made 15/10/2025) counts from its date: outturn £490,000.00 (variance £10,000.00 under).
    assert core(date(2026, 3, 31)) == (D("110000.00"), D("90000.00"), D("500000.00"), D("490000.00"))


def test_retained_income_as_at_counts_documents_dated_by_then(scenario):
    # Fixed penalty returns are dated the first of their month (April, May); ARIS receipts 12/05 and 12/06.
    early = retained_income(year=scenario.year, as_at=date(2025, 4, 30))
    middle = retained_income(year=scenario.year, as_at=date(2025, 5, 31))
    late = retained_income(year=scenario.year, as_at=date(2026, 3, 31))
    assert (early.poca_receipts, early.fpn_returns, early.fpn_gross) == (0, 1, D("138700.00"))
    assert (middle.poca_receipts, middle.poca_gross, middle.poca_retained) == (1, D("186000.00"), D("34875.00"))
    assert (late.poca_receipts, late.poca_gross, late.poca_retained) == (2, D("263250.00"), D("44531.25"))
    assert (middle.fpn_returns, middle.fpn_gross) == (2, D("278100.00"))
    assert early.treasury_owed_now == early.fpn_to_treasury  # nothing paid over yet
    assert late.treasury_owed_now == late.fpn_to_treasury > early.treasury_owed_now


def test_grants_at_risk_are_for_the_year_and_as_at_the_date(grants_scenario):
    from funds.models import FinancialYear

    g = grants_scenario
    year = g.base.year
    assert grants_at_risk(year=year, as_at=date(2025, 9, 30)) == []  # Q1's return was green
    (row,) = grants_at_risk(year=year, as_at=date(2025, 10, 31))  # Q2's, received 10/10/2025, amber
    assert (row.grant, row.rag, row.quarter, row.remaining) == (g.isva, "amber", "Q2 2025/26", D("30000.00"))
    assert row.issues == "One adviser on long-term leave"
    next_year = FinancialYear.objects.get(start_year=2026)
    assert [r.grant for r in grants_at_risk()] == [g.isva]  # the home page's reading, every year
    assert grants_at_risk(year=next_year, as_at=timezone.localdate()) == []  # nothing drawn on 2026/27


def test_a_grant_withdrawn_after_the_as_at_date_was_still_at_risk_then(grants_scenario):
    from grants.workflow import grant_withdraw

    g = grants_scenario
    grant_withdraw(grant=g.isva, by=g.base.officer, reason="Provider stopped delivering", on=date(2025, 11, 20))
    assert [r.grant for r in grants_at_risk(year=g.base.year, as_at=date(2025, 11, 1))] == [g.isva]
    assert grants_at_risk(year=g.base.year, as_at=date(2025, 11, 30)) == []


# ---- The page --------------------------------------------------------------------------------------------------


def test_the_page_shows_the_as_at_date_and_every_panel_as_at_it(scenario):
    client = signed_in(scenario.director)
    html = client.get("/dashboards/?year=2025&as_at=31/08/2025").content.decode()
    page = " ".join(text(client.get("/dashboards/?year=2025&as_at=31/08/2025")).split())
    assert "Dashboards 2025/26, as at 31/08/2025" in page
    assert '<title id="budget-chart-title">Budget against actual per fund, 2025/26, as at 31/08/2025</title>' in html
    assert "Budget against actual, 2025/26, as at 31/08/2025 (the figures of the chart)" in page
    assert ("MOJ-CORE Victims' services core grant £500,000.00 £500,000.00 £140,000.00 £60,000.00 12.0% "
            "£300,000.00") in page
    assert "Retained income, 2025/26, as at 31/08/2025" in page and "Owed to HM Treasury on 31/08/2025" in page
    assert 'value="31/08/2025"' in html  # the form keeps the date shown


def test_the_page_defaults_to_today_for_the_current_year(scenario):
    page = text(signed_in(scenario.director).get("/dashboards/"))
    assert f"Dashboards 2026/27, as at {timezone.localdate():%d/%m/%Y}" in page


@pytest.mark.parametrize("query, message", [
    ("year=2025&as_at=32/13/2026", "Enter a real date as day/month/year, for example 31/03/2026."),
    ("year=2031", "There is no financial year 2031/32. Years set up: 2026/27, 2025/26, 2024/25."),
    ("year=2025&as_at=01/05/2026", "01/05/2026 is outside 2025/26 (01/04/2025 to 31/03/2026)"),
])
def test_bad_input_on_the_page_gets_a_message_and_no_figures(scenario, query, message):
    response = signed_in(scenario.director).get(f"/dashboards/?{query}")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and message in page
    assert "Budget against actual" not in page and "Correct the year or the date above to see the figures." in page

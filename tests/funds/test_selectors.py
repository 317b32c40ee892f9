"""funds.selectors: the one variance rule, and budget rows and fund totals built on it."""

from datetime import date
from decimal import Decimal as D

from funds.budgets import budget_line_create, forecast_record, virement_request
from funds.models import BudgetLine
from funds.selectors import VARIANCE_CONVENTION, budget_lines, budget_rows, fund_budget_totals, variance


def test_variance_is_budget_less_outturn_so_an_underspend_is_positive():
    assert variance(budget=D("300000.00"), outturn=D("290000.00")) == (D("10000.00"), D("3.33"))
    assert variance(budget=D("200000.00"), outturn=D("212500.00")) == (D("-12500.00"), D("-6.25"))
    assert variance(budget=D("125000.00"), outturn=D("125000.00")) == (D("0.00"), D("0.00"))


def test_variance_percent_is_rounded_half_up_and_absent_without_a_budget():
    assert variance(budget=D("3.00"), outturn=D("2.99")).percent == D("0.33")
    assert variance(budget=D("8.00"), outturn=D("7.9996")).percent == D("0.01")  # 0.005% rounds up
    assert variance(budget=D("8.00"), outturn=D("8.0004")).percent == D("-0.01")  # and away from zero below
    assert variance(budget=D("0.00"), outturn=D("100.00")) == (D("-100.00"), None)


def test_the_convention_is_said_in_one_sentence():
    assert VARIANCE_CONVENTION == "Variance: positive = underspend, negative = overspend (budget less outturn)."


def test_budget_rows_and_fund_totals_use_the_one_rule(funded_core, poca_fund, year, officer):
    hubs = budget_line_create(fund=funded_core, year=year, heading="Victim support hubs", amount="300000.00",
                              by=officer)
    rj = budget_line_create(fund=funded_core, year=year, heading="Restorative justice", amount="200000.00",
                            by=officer)
    budget_line_create(fund=poca_fund, year=year, heading="Helping Communities Fund", amount="40000.00", by=officer)
    virement_request(from_line=rj, to_line=hubs, amount="5000.00", reason="More referrals", by=officer)
    forecast_record(line=hubs, amount="320000.00", by=officer, made_on=date(2025, 10, 15))
    rows = {r.line.heading: r for r in budget_rows(budget_lines(BudgetLine.objects.filter(fund=funded_core)))}
    assert (rows["Victim support hubs"].revised, rows["Victim support hubs"].forecast_variance) == (
        D("305000.00"), (D("-15000.00"), D("-4.92")))
    assert rows["Restorative justice"].forecast_variance is None  # no forecast made
    assert rows["Restorative justice"].outturn == D("195000.00")  # counts at its revised budget in totals
    totals = fund_budget_totals(year=year)
    assert (totals[funded_core.pk].revised, totals[funded_core.pk].outturn) == (D("500000.00"), D("515000.00"))
    assert totals[funded_core.pk].forecast_variance == (D("-15000.00"), D("-3.00"))
    assert totals[poca_fund.pk].forecast_variance == (D("0.00"), D("0.00"))

"""Fund statement: per fund and budget line, budget against income, commitments and spending."""

from collections import defaultdict
from decimal import Decimal

from core.money import ZERO
from funds.selectors import variance
from reports.figures import FundFigures, fund_figures
from reports.registry import DATE, LINE, MONEY, PERCENT, SUBTOTAL, TEXT, TOTAL, Column, Row, Statement, register
from reports.snapshot import (
    budget_lines_as_of,
    funders_as_of,
    funds_as_of,
    latest_forecasts_as_of,
    virement_moves_as_of,
)
from reports.statements.common import VARIANCE_NOTE, VARIANCE_PCT_TITLE, VARIANCE_TITLE, VarianceColumns

BUDGET_KEYS = ("original", "virements", "revised", "forecast", "variance")
LEDGER_KEYS = ("awarded", "received", "committed", "actual", "available")


@register
class FundStatement(Statement):
    key = "fund"
    order = 10
    title = "Fund statement"
    short_title = "Fund statement"
    description = (
        "Per fund and budget line. Budgets are as known at the known-at moment: original budget, virements approved "
        "by then, revised budget, and the latest forecast outturn made by the as-at date (the "
        "revised budget where no forecast has been made). Income, commitments and spending come from the ledger, "
        "which records them per fund, not per budget line: they are shown on each fund's total row only, and nothing "
        "is allocated to budget lines. Available is income awarded less committed less actual. Variance is revised "
        "budget less forecast outturn; variance % is of the revised budget. " + VARIANCE_NOTE
    )
    variances = (VarianceColumns(amount="variance", percent="variance_pct", budget="revised", outturn="forecast"),)
    columns = [
        Column("fund", "Fund", TEXT, width=17),
        Column("funder", "Funder", TEXT, width=12),
        Column("heading", "Budget line", TEXT, width=28),
        Column("original", "Original budget", MONEY, summable=True, width=15),
        Column("virements", "Virements", MONEY, summable=True, width=13),
        Column("revised", "Revised budget", MONEY, summable=True, width=15),
        Column("awarded", "Income awarded", MONEY, summable=True, width=15),
        Column("received", "Income received", MONEY, summable=True, width=15),
        Column("committed", "Committed", MONEY, summable=True, width=15),
        Column("actual", "Actual", MONEY, summable=True, width=15),
        Column("available", "Available", MONEY, summable=True, width=15),
        Column("forecast", "Forecast outturn", MONEY, summable=True, width=15),
        Column("forecast_on", "Forecast made", DATE, width=11),
        Column("variance", VARIANCE_TITLE, MONEY, summable=True, width=15),
        Column("variance_pct", VARIANCE_PCT_TITLE, PERCENT, width=11),
    ]

    def rows(self):
        p = self.params
        funds = funds_as_of(p.known_at)
        funders = funders_as_of(p.known_at)
        lines = budget_lines_as_of(year=p.year, known_at=p.known_at)
        moves = virement_moves_as_of(year=p.year, known_at=p.known_at)
        forecasts = latest_forecasts_as_of(year=p.year, known_at=p.known_at, made_on_or_before=p.as_at)
        figures = fund_figures(year=p.year, as_at=p.as_at, known_at=p.known_at)

        lines_by_fund = defaultdict(list)
        for line in lines:
            lines_by_fund[line.fund_id].append(line)
        grand = defaultdict(lambda: ZERO)
        for fund in funds.values():
            if not (fund.is_active or lines_by_fund.get(fund.pk) or fund.pk in figures):
                continue
            funder = funders.get(fund.funder_id)
            funder_name = (funder.short_name or funder.name) if funder else ""
            sums = defaultdict(lambda: ZERO)
            for line in lines_by_fund.get(fund.pk, []):
                original = line.original.amount
                virements = Decimal(moves.get(line.pk, ZERO))
                revised = original + virements
                forecast = forecasts.get(line.pk)
                outturn = forecast.amount.amount if forecast else revised
                gap = variance(budget=revised, outturn=outturn)
                values = {
                    "fund": fund.code, "funder": funder_name, "heading": line.heading,
                    "original": original, "virements": virements, "revised": revised,
                    "forecast": outturn, "forecast_on": forecast.made_on if forecast else None,
                    "variance": gap.amount, "variance_pct": gap.percent,
                }
                for key in BUDGET_KEYS:
                    sums[key] += values[key]
                yield Row(LINE, values)
            money = figures.get(fund.pk, FundFigures())
            for key in LEDGER_KEYS:
                sums[key] = getattr(money, key)
            for key, value in sums.items():
                grand[key] += value
            yield Row(SUBTOTAL, {
                "fund": fund.code, "funder": funder_name, "heading": f"Total {fund.name}",
                **{key: sums[key] for key in BUDGET_KEYS + LEDGER_KEYS},
                "variance_pct": variance(budget=sums["revised"], outturn=sums["forecast"]).percent,
            })
        yield Row(TOTAL, {
            "fund": "All funds", "heading": "Total all funds",
            **{key: grand[key] for key in BUDGET_KEYS + LEDGER_KEYS},
            "variance_pct": variance(budget=grand["revised"], outturn=grand["forecast"]).percent,
        })

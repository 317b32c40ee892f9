"""Fund statement: per fund and budget line, budget against income, commitments and spending, and what the year end
brought forward, accrued, owed and carried forward."""

from collections import defaultdict
from decimal import Decimal

from core.money import ZERO
from funds.selectors import variance
from ledger.selectors import budget_line_spending
from reports.figures import FundFigures, fund_figures, treasury_creditor
from reports.registry import DATE, LINE, MONEY, PERCENT, SUBTOTAL, TEXT, TOTAL, Column, Row, Statement, register
from reports.snapshot import (
    budget_lines_as_of,
    funders_as_of,
    funds_as_of,
    latest_forecasts_as_of,
    virement_moves_as_of,
)
from reports.statements.common import VARIANCE_NOTE, VARIANCE_PCT_TITLE, VARIANCE_TITLE, VarianceColumns

UNASSIGNED = "Not assigned to a budget line"
BUDGET_KEYS = ("original", "virements", "revised", "forecast", "variance")
LEDGER_KEYS = (
    "brought_forward", "awarded", "received", "committed", "actual", "accrued", "available", "owed_to_funder",
    "repaid_to_funder", "carried_forward", "lapsed", "owed_to_treasury",
)


@register
class FundStatement(Statement):
    key = "fund"
    order = 10
    title = "Fund statement"
    short_title = "Fund statement"
    description = (
        "Per fund and budget line. Budgets are as known at the known-at moment: original budget, virements approved "
        "by then, revised budget, and the latest forecast outturn made by the as-at date (the "
        "revised budget where no forecast has been made). Income comes from the ledger per fund and funding year, "
        "shown on each fund's total row. Commitments and actual spending are recorded in the ledger against the "
        "budget line they draw on (a grant's funding line names it; an order or contract is raised on it), so each "
        "line shows its own committed and actual, and a fund's lines add up to its total; postings that name no "
        "budget line (made before lines were recorded, or on a fund with no budget for the year) are shown on a "
        "line of their own, 'Not assigned to a budget line'. Brought forward is the balance brought into the year from "
        "the year before (an earmarked reserve carried forward at the last year end). Income awarded is income "
        "recognised in the year (award letters; proceeds of crime, retained fines and fees received; transfers); "
        "income received is what of it has been received. Committed is grant money approved and not yet paid, less "
        "instalments accrued. Actual is spending paid or accrued. Accrued is the part of actual accrued at the year "
        "end for services delivered by 31 March and not yet paid (reversed on 1 April, when the payment takes its "
        "place). Available is brought forward plus income awarded, less committed and actual, less what the year "
        "end moved out of the year: owed to funder plus repaid to funder, carried forward and lapsed. Owed to "
        "funder is unspent grant to be repaid to the funder and not yet repaid; repaid to funder is what of it has "
        "been repaid by the as-at date. Carried forward is unspent money "
        "put into an earmarked reserve at the year end, brought forward as next year's spending power. Lapsed is "
        "unspent money that lapsed to general reserves at the year end. Owed to HM Treasury is HM Treasury's share "
        "of fines not yet paid over on the as-at date, from this year's returns or earlier ones. Variance is "
        "revised budget less forecast outturn; variance % is of the revised budget. " + VARIANCE_NOTE
    )
    variances = (VarianceColumns(amount="variance", percent="variance_pct", budget="revised", outturn="forecast"),)
    columns = [
        Column("fund", "Fund", TEXT, width=17),
        Column("funder", "Funder", TEXT, width=12),
        Column("heading", "Budget line", TEXT, width=28),
        Column("original", "Original budget", MONEY, summable=True, width=15),
        Column("virements", "Virements", MONEY, summable=True, width=13),
        Column("revised", "Revised budget", MONEY, summable=True, width=15),
        Column("brought_forward", "Brought forward", MONEY, summable=True, width=15),
        Column("awarded", "Income awarded", MONEY, summable=True, width=15),
        Column("received", "Income received", MONEY, summable=True, width=15),
        Column("committed", "Committed", MONEY, summable=True, width=15),
        Column("actual", "Actual", MONEY, summable=True, width=15),
        Column("accrued", "Accrued", MONEY, summable=True, width=15),
        Column("available", "Available", MONEY, summable=True, width=15),
        Column("owed_to_funder", "Owed to funder", MONEY, summable=True, width=15),
        Column("repaid_to_funder", "Repaid to funder", MONEY, summable=True, width=15),
        Column("carried_forward", "Carried forward", MONEY, summable=True, width=15),
        Column("lapsed", "Lapsed", MONEY, summable=True, width=15),
        Column("owed_to_treasury", "Owed to HM Treasury", MONEY, summable=True, width=15),
        Column("forecast", "Forecast outturn", MONEY, summable=True, width=15),
        Column("forecast_on", "Forecast made", DATE, width=11),
        Column("variance", VARIANCE_TITLE, MONEY, summable=True, width=15),
        Column("variance_pct", VARIANCE_PCT_TITLE, PERCENT, width=11),
    ]
    #: The PDF prints the table in two parts that each fit a landscape A4 page, the second beginning at this column
    #: (each part repeats the fund, funder and budget line): budgets, income and spending; then the year end's
    #: creditors and reserves with the forecast.
    pdf_breaks = ("owed_to_funder",)

    def rows(self):
        p = self.params
        funds = funds_as_of(p.known_at)
        funders = funders_as_of(p.known_at)
        lines = budget_lines_as_of(year=p.year, known_at=p.known_at)
        moves = virement_moves_as_of(year=p.year, known_at=p.known_at)
        forecasts = latest_forecasts_as_of(year=p.year, known_at=p.known_at, made_on_or_before=p.as_at)
        figures = fund_figures(year=p.year, as_at=p.as_at, known_at=p.known_at)
        for fund_id, creditor in treasury_creditor(year=p.year, as_at=p.as_at, known_at=p.known_at).items():
            figures.setdefault(fund_id, FundFigures()).owed_to_treasury = creditor.owed

        spending = budget_line_spending(year=p.year, as_at=p.as_at, known_at=p.known_at)
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
                spent = spending.get((fund.pk, line.pk))
                values["committed"] = spent.committed if spent else ZERO
                values["actual"] = spent.actual if spent else ZERO
                yield Row(LINE, values)
            unassigned = spending.get((fund.pk, None))
            if unassigned and (unassigned.committed or unassigned.actual):
                yield Row(LINE, {"fund": fund.code, "funder": funder_name, "heading": UNASSIGNED,
                                 "committed": unassigned.committed, "actual": unassigned.actual})
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

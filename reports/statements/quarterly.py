"""Quarterly profile: per fund and quarter, the phased budget against actual spending."""

from collections import defaultdict
from datetime import date

from core.money import ZERO
from funds.models import BudgetLine
from funds.selectors import variance
from reports.figures import fund_figures
from reports.registry import LINE, MONEY, PERCENT, SUBTOTAL, TEXT, TOTAL, Column, Row, Statement, register
from reports.snapshot import budget_lines_as_of, funds_as_of, phases_as_of
from reports.statements.common import VARIANCE_NOTE, VARIANCE_PCT_TITLE, VARIANCE_TITLE, VarianceColumns

QUARTER_MONTHS = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}


def quarter_bounds(start_year: int) -> dict[int, tuple[date, date]]:
    return {
        1: (date(start_year, 4, 1), date(start_year, 6, 30)),
        2: (date(start_year, 7, 1), date(start_year, 9, 30)),
        3: (date(start_year, 10, 1), date(start_year, 12, 31)),
        4: (date(start_year + 1, 1, 1), date(start_year + 1, 3, 31)),
    }


def slot_quarter(phasing: str, slot: int) -> int:
    return (slot - 1) // 3 + 1 if phasing == BudgetLine.Phasing.MONTHLY else slot


@register
class QuarterlyProfile(Statement):
    key = "quarterly"
    order = 30
    title = "Quarterly profile"
    short_title = "Quarterly profile"
    description = (
        "Per fund and quarter: the budget as phased when it was set (virements move budget between lines of one "
        "fund, so they do not change a fund's phasing) against actual spending from the ledger, by the accounting "
        "date of each entry. Quarter 4 also holds entries dated after 31 March that count against the year "
        "(payments in arrears) when the as-at date is later. Quarters that begin after the as-at date show no actual; "
        "a fund's total row sums the actual and variance of the quarters reached. Variance is the phased budget less "
        "actual (positive: spending below the profile). " + VARIANCE_NOTE
    )
    variances = (VarianceColumns(amount="variance", percent="variance_pct", budget="budget", outturn="actual"),)
    columns = [
        Column("fund", "Fund", TEXT, width=14),
        Column("quarter", "Quarter", TEXT, width=16),
        Column("budget", "Budget (phased)", MONEY, summable=True, width=16),
        Column("actual", "Actual", MONEY, summable=True, width=16),
        Column("variance", VARIANCE_TITLE, MONEY, summable=True, width=15),
        Column("variance_pct", VARIANCE_PCT_TITLE, PERCENT, width=10),
        Column("note", "Note", TEXT, width=30),
    ]

    def cumulative_actual(self) -> dict[int, dict[int, object]]:
        """Actual spending per fund at the end of each quarter reached (or at the as-at date within it)."""
        p = self.params
        result = {}
        for quarter, (start, end) in quarter_bounds(p.year.start_year).items():
            if start > p.as_at:
                break
            cutoff = p.as_at if (quarter == 4 or end > p.as_at) else end
            figures = fund_figures(year=p.year, as_at=cutoff, known_at=p.known_at)
            result[quarter] = {fund_id: f.actual for fund_id, f in figures.items()}
        return result

    def rows(self):
        p = self.params
        funds = funds_as_of(p.known_at)
        lines = {line.pk: line for line in budget_lines_as_of(year=p.year, known_at=p.known_at)}
        budget = defaultdict(lambda: defaultdict(lambda: ZERO))
        for phase in phases_as_of(year=p.year, known_at=p.known_at):
            line = lines.get(phase.line_id)
            if line is not None:
                budget[line.fund_id][slot_quarter(line.phasing, phase.slot)] += phase.amount.amount
        cumulative = self.cumulative_actual()
        bounds = quarter_bounds(p.year.start_year)
        funds_with_lines = {line.fund_id for line in lines.values()}
        spent = set().union(*(set(c) for c in cumulative.values())) if cumulative else set()
        grand = defaultdict(lambda: ZERO)
        for fund in funds.values():
            if not (fund.is_active or fund.pk in funds_with_lines or fund.pk in spent):
                continue
            sums = defaultdict(lambda: ZERO)
            for quarter in (1, 2, 3, 4):
                start, end = bounds[quarter]
                label = f"Q{quarter} {QUARTER_MONTHS[quarter]} {start.year}"
                planned = budget[fund.pk][quarter]
                sums["budget"] += planned
                if quarter not in cumulative:
                    yield Row(LINE, {"fund": fund.code, "fund_name": fund.name, "quarter": label, "budget": planned,
                                     "note": "Quarter not reached at the as-at date"})
                    continue
                before = cumulative.get(quarter - 1, {}).get(fund.pk, ZERO)
                actual = cumulative[quarter].get(fund.pk, ZERO) - before
                sums["actual"] += actual
                gap = variance(budget=planned, outturn=actual)
                sums["variance"] += gap.amount
                if end > p.as_at:
                    note = f"Actual to {p.as_at:%d/%m/%Y}"
                elif quarter == 4 and p.as_at > end:
                    note = f"Includes entries dated to {p.as_at:%d/%m/%Y}"
                else:
                    note = ""
                yield Row(LINE, {"fund": fund.code, "fund_name": fund.name, "quarter": label, "budget": planned,
                                 "actual": actual,
                                 "variance": gap.amount, "variance_pct": gap.percent,
                                 "note": note})
            for key, value in sums.items():
                grand[key] += value
            yield Row(SUBTOTAL, {"fund": fund.code, "quarter": f"Total {fund.code}", **sums,
                                 "note": "Actual and variance for the quarters reached"})
        yield Row(TOTAL, {"fund": "All funds", "quarter": "Total all funds", "budget": grand["budget"],
                          "actual": grand["actual"], "variance": grand["variance"]})

"""Budget monitoring statement: for the month holding the as-at date, per fund and budget line, the profiled budget
to date against actual, the forecast against the revised budget, a RAG status from the thresholds held as data and
the budget holder's commentary (DOMAIN.md 11).

The rules are in ``monitoring`` (profile, RAG, commentary, which months have ended); this module reads the figures
as known at the known-at moment, like the fund statement, and lays them out. A constant number of queries whatever
the number of funds and lines."""

from collections import defaultdict
from datetime import date

from django.utils import timezone

from core.money import ZERO
from funds.models import Period
from funds.selectors import variance
from ledger.selectors import budget_line_spending
from monitoring.profile import profiled_to_date
from monitoring.rag import AMBER, RED, ThresholdBook, line_rag
from monitoring.selectors import commentary_as_of, month_get, month_label
from monitoring.statement import MonthColumn, MonthRow, MonthTable, source_register
from reports.cells import display_text
from reports.parameters import StatementParameters, parameters_parse
from reports.registry import LINE, MONEY, PERCENT, SUBTOTAL, TEXT, TOTAL, Column, Row, Statement, register
from reports.snapshot import (
    budget_lines_as_of,
    funds_as_of,
    latest_forecasts_as_of,
    phases_as_of,
    virement_moves_as_of,
)
from reports.statements.common import VARIANCE_NOTE, VarianceColumns

UNASSIGNED = "Not assigned to a budget line"
SUMMED = ("original", "virements", "revised", "profiled", "actual", "profile_variance", "committed", "forecast",
          "forecast_variance")


def missing_commentary(level: str) -> str:
    """The flag an amber or red line without commentary carries in the Commentary column, in every format."""
    return f"NO COMMENTARY: {'an amber' if level == AMBER else 'a red'} line needs an explanation"


@register
class MonitoringStatement(Statement):
    key = "monitoring"
    order = 15
    title = "Budget monitoring"
    short_title = "Budget monitoring"
    month_ended_only = True  # downloaded alone, it is refused for a month still running (reports.exports.render)
    csv_sign_convention = True  # the exact column titles cannot carry it: the CSV states it in its header row
    description = (
        VARIANCE_NOTE + " "
        "Budget monitoring for the month holding the as-at date, per fund and budget line; budgets as known at the "
        "known-at moment. Revised budget is the original budget plus virements approved by then. Profiled budget "
        "to date is the revised budget spread in the shape of the line's phasing of its original budget (by month, "
        "or by quarter with each quarter spread evenly over its three months; a line with no original budget evenly "
        "by month) up to the as-at date, a month not yet ended counting pro rata by days. Actual to date is spending "
        "paid or accrued by the as-at date; committed is money committed (grants approved, orders raised) and not "
        "yet spent. Forecast outturn is the latest forecast made by the as-at date, or the revised budget where none "
        "has been made. Spending that names no budget line is shown on a line of its own, 'Not assigned to a budget "
        "line', with no budget, so the lines add up to the fund. Variance to profile is the profiled budget to date "
        "less actual to date; forecast variance is the revised budget less the forecast outturn; each % is of the "
        "budget it is measured against. RAG: a line is Red when "
        "its variance to profile or its forecast variance reaches both the red % and the red £ (either sign), Amber "
        "when one reaches both amber ones, otherwise Green; thresholds are the fund's own, else the global ones, as "
        "known at the known-at moment, else the default amber 5% and £5,000, red 10% and £10,000. Commentary is the "
        "budget holder's latest for the month recorded by the known-at moment; an amber or red line without one is "
        "flagged NO COMMENTARY."
    )
    variances = (
        VarianceColumns(amount="profile_variance", percent="profile_variance_pct", budget="profiled",
                        outturn="actual"),
        VarianceColumns(amount="forecast_variance", percent="forecast_variance_pct", budget="revised",
                        outturn="forecast"),
    )
    columns = [
        Column("fund", "Fund", TEXT, width=12),
        Column("heading", "Budget line", TEXT, width=26),
        Column("rag", "RAG", TEXT, width=7),
        Column("original", "Original budget", MONEY, summable=True, width=14),
        Column("virements", "Virements", MONEY, summable=True, width=12),
        Column("revised", "Revised budget", MONEY, summable=True, width=14),
        Column("profiled", "Profiled budget to date", MONEY, summable=True, width=14),
        Column("actual", "Actual to date", MONEY, summable=True, width=14),
        Column("profile_variance", "Variance to profile £", MONEY, summable=True, width=14),
        Column("profile_variance_pct", "Variance to profile %", PERCENT, width=10),
        Column("committed", "Committed", MONEY, summable=True, width=14),
        Column("forecast", "Forecast outturn", MONEY, summable=True, width=14),
        Column("forecast_variance", "Forecast variance £", MONEY, summable=True, width=14),
        Column("forecast_variance_pct", "Forecast variance %", PERCENT, width=10),
        Column("commentary", "Commentary", TEXT, width=60),
        Column("commentary_by", "Commentary by", TEXT, width=22),
    ]
    #: The PDF prints the figures first, then the commentary, each part repeating fund, budget line and RAG.
    pdf_breaks = ("commentary",)

    def month(self) -> Period | None:
        """The month reported on: the one holding the as-at date (the year's last month after the year end)."""
        p = self.params
        day = min(max(p.as_at, p.year.start_date), p.year.end_date)
        return Period.objects.filter(Period.MONTHS, start_date__lte=day, end_date__gte=day).first()

    def rows(self):
        p = self.params
        period = self.month()
        funds = funds_as_of(p.known_at)
        lines = budget_lines_as_of(year=p.year, known_at=p.known_at)
        phases = defaultdict(dict)
        for phase in phases_as_of(year=p.year, known_at=p.known_at):
            phases[phase.line_id][phase.slot] = phase.amount.amount
        moves = virement_moves_as_of(year=p.year, known_at=p.known_at)
        forecasts = latest_forecasts_as_of(year=p.year, known_at=p.known_at, made_on_or_before=p.as_at)
        spending = budget_line_spending(year=p.year, as_at=p.as_at, known_at=p.known_at)
        book = ThresholdBook(p.known_at, {f.pk: f.code for f in funds.values()})
        notes = commentary_as_of(period=period, known_at=p.known_at) if period else {}
        if period is not None:  # the month and the thresholds in force, in every format's header
            self.description = (f"{type(self).description} Month: {month_label(period)} ({period.name} "
                                f"{p.year.label}). {book.describe()}")

        lines_by_fund = defaultdict(list)
        for line in lines:
            lines_by_fund[line.fund_id].append(line)
        spent_funds = {fund_id for fund_id, _line in spending}
        grand = defaultdict(lambda: ZERO)
        for fund in funds.values():
            if not (lines_by_fund.get(fund.pk) or fund.pk in spent_funds):
                continue
            thresholds = book.for_fund(fund.pk)
            sums = defaultdict(lambda: ZERO)
            for line in lines_by_fund.get(fund.pk, []):
                values = self._line(line, fund, phases[line.pk], moves, forecasts, spending, thresholds,
                                    notes.get(line.pk))
                for key in SUMMED:
                    sums[key] += values[key]
                yield Row(LINE, values)
            unassigned = spending.get((fund.pk, None))
            if unassigned and (unassigned.committed or unassigned.actual):
                # No budget, so nothing profiled; its outturn is at least what has been spent, so the fund's
                # forecast outturn never falls below its actual and the forecast variance counts the spending too.
                gap = variance(budget=ZERO, outturn=unassigned.actual)
                yield Row(LINE, {"fund": fund.code, "heading": UNASSIGNED, "profiled": ZERO,
                                 "actual": unassigned.actual, "profile_variance": gap.amount,
                                 "profile_variance_pct": gap.percent, "committed": unassigned.committed,
                                 "forecast": unassigned.actual, "forecast_variance": gap.amount,
                                 "forecast_variance_pct": gap.percent,
                                 "fund_id": fund.pk, "line_id": None, "rag_level": "", "needs_commentary": False})
                for key, value in (("actual", unassigned.actual), ("profile_variance", gap.amount),
                                   ("committed", unassigned.committed), ("forecast", unassigned.actual),
                                   ("forecast_variance", gap.amount)):
                    sums[key] += value
            for key, value in sums.items():
                grand[key] += value
            yield Row(SUBTOTAL, {"fund": fund.code, "heading": f"Total {fund.name}", **self._totals(sums),
                                 "fund_id": fund.pk})
        yield Row(TOTAL, {"fund": "All funds", "heading": "Total all funds", **self._totals(grand)})

    def _line(self, line, fund, phases, moves, forecasts, spending, thresholds, note) -> dict:
        p = self.params
        original = line.original.amount
        virements = moves.get(line.pk, ZERO)
        revised = original + virements
        profiled = profiled_to_date(revised=revised, phasing=line.phasing, phases=phases,
                                    start_year=p.year.start_year, as_at=p.as_at)
        spent = spending.get((fund.pk, line.pk))
        actual = spent.actual if spent else ZERO
        forecast = forecasts.get(line.pk)
        outturn = forecast.amount.amount if forecast else revised
        to_profile = variance(budget=profiled, outturn=actual)
        to_forecast = variance(budget=revised, outturn=outturn)
        rag = line_rag(to_profile=to_profile, forecast=to_forecast, thresholds=thresholds)
        needs = rag in (AMBER, RED) and note is None
        if note is not None:
            commentary = note.text
            commentary_by = f"{note.recorded_by_name}, {timezone.localtime(note.recorded_at):%d/%m/%Y}"
        else:
            commentary, commentary_by = (missing_commentary(rag) if needs else ""), ""
        return {
            "fund": fund.code, "heading": line.heading, "rag": rag,
            "original": original, "virements": virements, "revised": revised, "profiled": profiled,
            "actual": actual, "profile_variance": to_profile.amount, "profile_variance_pct": to_profile.percent,
            "committed": spent.committed if spent else ZERO, "forecast": outturn,
            "forecast_variance": to_forecast.amount, "forecast_variance_pct": to_forecast.percent,
            "commentary": commentary, "commentary_by": commentary_by,
            "fund_id": fund.pk, "line_id": line.pk, "rag_level": rag.lower(), "needs_commentary": needs,
        }

    @staticmethod
    def _totals(sums) -> dict:
        return {
            **{key: sums[key] for key in SUMMED},
            "profile_variance_pct": variance(budget=sums["profiled"], outturn=sums["actual"]).percent,
            "forecast_variance_pct": variance(budget=sums["revised"], outturn=sums["forecast"]).percent,
        }


def monitoring_for_month(month, *, known_at=None, today: date | None = None) -> StatementParameters:
    """Parameters for the monitoring statement of a month that has ended ("2026-10", or a (year, month) pair): as
    at the month's last day, known at ``known_at`` (now by default). A month not yet ended is refused."""
    period = month_get(month, today=today)
    return parameters_parse(year=period.year, as_at=period.end_date, known_at=known_at)


def lines_needing_commentary(period: Period) -> list[Row]:
    """The amber and red lines of the month without commentary, as known now (for the officer's home page)."""
    params = parameters_parse(year=period.year, as_at=period.end_date)
    return [row for row in MonitoringStatement(params).rows() if row["needs_commentary"]]


class _MonthSource:
    """The monitoring pages' way to this statement (see ``monitoring.statement``)."""

    def table(self, *, period: Period) -> MonthTable:
        params = parameters_parse(year=period.year, as_at=period.end_date)
        statement = MonitoringStatement(params)
        rows = [
            MonthRow(kind=row.kind, cells=[display_text(row[c.key], c.type) for c in statement.columns],
                     line_id=row["line_id"], rag_level=row["rag_level"] or "",
                     needs_commentary=bool(row["needs_commentary"]))
            for row in statement.rows()
        ]
        columns = [MonthColumn(key=c.key, title=c.title, numeric=c.type in (MONEY, PERCENT))
                   for c in statement.columns]
        return MonthTable(title=statement.title, description=statement.description, columns=columns, rows=rows,
                          known_at=params.known_at)

    def file(self, fmt: str, *, period: Period, user) -> tuple[str, str, bytes]:
        from reports import exports

        _name, content_type, content = exports.render(fmt, year=period.year, as_at=period.end_date, user=user,
                                                      statement=MonitoringStatement.key)
        return f"ringfence-monitoring-{period.start_date:%Y-%m}.{fmt}", content_type, content


source_register(_MonthSource())

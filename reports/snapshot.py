"""Reference data as it stood at a moment, read from django-simple-history's tables.

A statement rebuilt later must show the names, budgets, virements and forecasts that were known when it was first
produced, not today's. Each function is one query (``as_of`` picks the latest history row per object at or before
the moment and drops deleted ones). Instances returned are historical: follow their foreign keys through the ids
and the maps built here, never through the live relation, which would read today's row.
"""

from collections import defaultdict
from datetime import datetime

from funds.models import BudgetLine, BudgetPhase, FinancialYear, Forecast, Fund, Funder, Virement


def funds_as_of(known_at: datetime) -> dict[int, Fund]:
    """Every fund that existed at ``known_at``, by id, in code order."""
    funds = sorted(Fund.history.as_of(known_at), key=lambda f: f.code)
    return {f.pk: f for f in funds}


def funders_as_of(known_at: datetime) -> dict[int, Funder]:
    return {f.pk: f for f in Funder.history.as_of(known_at)}


def budget_lines_as_of(*, year: FinancialYear, known_at: datetime) -> list[BudgetLine]:
    """The year's budget lines as known at the moment, ordered by heading (group them by ``fund_id``)."""
    return sorted(BudgetLine.history.as_of(known_at).filter(year_id=year.pk), key=lambda line: (line.heading, line.pk))


def phases_as_of(*, year: FinancialYear, known_at: datetime) -> list[BudgetPhase]:
    line_ids = BudgetLine.history.as_of(known_at).filter(year_id=year.pk).values("id")
    return list(BudgetPhase.history.as_of(known_at).filter(line_id__in=line_ids))


def virement_moves_as_of(*, year: FinancialYear, known_at: datetime) -> dict[int, object]:
    """Net budget moved into (+) or out of (-) each line by virements approved by ``known_at``. Rejected and
    still-requested virements move nothing."""
    line_ids = BudgetLine.history.as_of(known_at).filter(year_id=year.pk).values("id")
    moves = defaultdict(int)
    for virement in Virement.history.as_of(known_at).filter(
        status=Virement.Status.APPROVED, from_line_id__in=line_ids
    ):
        amount = virement.amount.amount
        moves[virement.to_line_id] += amount
        moves[virement.from_line_id] -= amount
    return moves


def latest_forecasts_as_of(*, year: FinancialYear, known_at: datetime, made_on_or_before) -> dict[int, Forecast]:
    """The latest forecast per line made on or before the as-at date and recorded by ``known_at``."""
    line_ids = BudgetLine.history.as_of(known_at).filter(year_id=year.pk).values("id")
    latest = {}
    for forecast in Forecast.history.as_of(known_at).filter(line_id__in=line_ids, made_on__lte=made_on_or_before):
        current = latest.get(forecast.line_id)
        if current is None or (forecast.made_on, forecast.pk) > (current.made_on, current.pk):
            latest[forecast.line_id] = forecast
    return latest

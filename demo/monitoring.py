"""Budget monitoring for the demo: global RAG thresholds set by the finance director, and the budget holder's
commentary on October 2026's amber and red lines, all but one, so the finance officer's home page shows a line
still waiting for its explanation. The lines are found through the monitoring statement itself (whatever the
demo's October figures are), and everything is written through the services. The thresholds were set in April
2026; the commentary is written the Monday after October's close."""

from datetime import date

from demo.timeline import at, run_stories
from funds.models import BudgetLine, Period
from monitoring.models import BudgetCommentary, RagThreshold
from monitoring.services import commentary_record, rag_threshold_set
from reports.statements.monitoring import MonitoringStatement, monitoring_for_month

MONTH = "2026-10"


def _explanation(row) -> str:
    gap = row["profile_variance"]
    if gap is not None and gap > 0:
        return (f"£{gap:,.2f} below profile ({row['profile_variance_pct']}%): provider instalments are paid "
                "quarterly in arrears, so October's delivery is paid in January. The forecast outturn stands; "
                "the gap closes at the Q3 payment run.")
    return (f"£{-gap:,.2f} above profile ({row['profile_variance_pct']}%): demand has run ahead of the phasing "
            "since the summer. Spending is within the revised budget; a virement from underspending lines goes to "
            "the November meeting if the trend holds.")


def seed_monitoring(users) -> dict:
    """Set the global thresholds and comment on October 2026's amber and red lines but the last one (idempotent:
    does nothing once thresholds exist). Returns what was done."""
    done = {"thresholds": 0, "commented": 0, "left": 0}
    run_stories([monitoring_story(users, done)])
    return done


def monitoring_story(users, done: dict):
    """``done`` receives what was done."""
    if RagThreshold.objects.exists():
        return
    yield at(date(2026, 4, 20), "10:00")
    rag_threshold_set(amber_percent="5", amber_amount="5000", red_percent="10", red_amount="10000",
                      by=users["director"], reason="Agreed by the finance directors' group, April 2026")
    yield at(date(2026, 11, 9), "09:30")
    params = monitoring_for_month(MONTH)
    flagged = [row for row in MonitoringStatement(params).rows() if row["needs_commentary"]]
    commented = flagged[:-1]
    lines = BudgetLine.objects.in_bulk([row["line_id"] for row in commented])
    period = Period.objects.get(Period.MONTHS, start_date=params.as_at.replace(day=1))
    for row in commented:
        commentary_record(line=lines[row["line_id"]], period=period, text=_explanation(row), by=users["finance"],
                          reason="Written for the finance directors' group after the month-end close"
                          if period.is_closed else "")
    done.update({"thresholds": 1, "commented": BudgetCommentary.objects.count(),
                 "left": len(flagged) - len(commented)})

"""What each kind of job does in the worker: call the one service that does the work, then describe the result.

Each kind has two steps. ``perform`` calls the service exactly as the page used to (the same keyword arguments, in
the name of the person who asked), and the service runs in its own transaction, so if it raises nothing was
written. ``describe`` turns what the service returned into the job's result: a sentence, the details its page shows
and, for an import, the full report as a CSV file.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.files.storage import default_storage

from core.background import INCOME_IMPORT, PACK_ISSUE, YEAR_END
from funds.calendar import year_for_date
from funds.models import FinancialYear
from funds.selectors import year_by_start
from income.importing import ImportReport, income_import
from jobs.models import Job
from jobs.progress import ProgressRecorder
from jobs.services import Outcome
from reports.cells import neutralise
from reports.packs import pack_issue
from yearend.services import year_end_run

#: Rows of an import report shown on the job's page; the CSV file has them all.
SHOWN_ROWS = 200


@dataclass(frozen=True)
class Work:
    perform: Callable[[Job, ProgressRecorder], object]
    describe: Callable[[Job, object], Outcome]


# --- income import ------------------------------------------------------------------------------------------------

def _import_perform(job: Job, progress: ProgressRecorder) -> ImportReport:
    check_only = bool(job.parameters.get("check_only"))
    progress(0, 0, "Reading the file")
    with default_storage.open(job.input_file.name, "rb") as file:
        data = file.read()
    counting = "Rows checked" if check_only else "Rows checked and recorded"
    return income_import(name=job.parameters.get("file_name") or "upload", data=data, by=job.requested_by,
                         dry_run=check_only, progress=lambda done, total: progress(done, total, counting))


def _plan_row(plan, result: str) -> dict:
    return {"row": plan.row, "kind": plan.kind_name, "reference": plan.reference, "fund": plan.fund.code,
            "date": f"{plan.date:%d/%m/%Y}", "amount": str(plan.amount),
            "result": f"{result}; {plan.settles}" if plan.settles else result}


def _import_describe(job: Job, report: ImportReport) -> Outcome:
    verb = "would be recorded" if report.dry_run else "recorded"
    rows = ([_plan_row(plan, verb) for plan in report.recorded]
            + [_plan_row(plan, "already imported, skipped") for plan in report.already]) if report.ok else []
    problems = [{"row": p.row, "column": p.column, "message": p.message} for p in report.problems]
    result = {
        "ok": report.ok, "dry_run": report.dry_run, "refused": report.refused,
        "ignored_columns": report.ignored_columns, "rows_total": len(rows), "problems_total": len(problems),
        "rows": rows[:SHOWN_ROWS], "problems": problems[:SHOWN_ROWS], "shown": SHOWN_ROWS,
        "file_sha256": report.file_sha256,
    }
    file = None
    if rows or problems:
        file = (f"income-import-report-job-{job.pk}.csv", _report_csv(rows, problems))
    return Outcome(summary=report.summary(), result=result, file=file)


def _report_csv(rows: list[dict], problems: list[dict]) -> bytes:
    """Every row of the report, as the page shows the first of them (text a spreadsheet would run is made inert)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if problems:
        writer.writerow(["Row", "Column", "Problem"])
        writer.writerows([p["row"], neutralise(p["column"] or "whole row"), neutralise(p["message"])]
                         for p in problems)
    else:
        writer.writerow(["Row", "Kind", "Reference", "Fund", "Date", "Amount", "Result"])
        writer.writerows([r["row"], neutralise(r["kind"]), neutralise(r["reference"]), neutralise(r["fund"]), r["date"],
                          r["amount"], neutralise(r["result"])] for r in rows)
    return out.getvalue().encode("utf-8-sig")


# --- statement pack -----------------------------------------------------------------------------------------------

def _pack_perform(job: Job, progress: ProgressRecorder):
    month = date.fromisoformat(f"{job.parameters['month']}-01")
    progress(0, 0, "Producing every statement and its files")
    return pack_issue(year=year_by_start(year_for_date(month)), month=month, by=job.requested_by,
                      note=job.parameters.get("note", ""))


def _pack_describe(job: Job, pack) -> Outcome:
    return Outcome(summary=f"{pack} issued: its files are kept exactly as issued.",
                   result={"pack_id": pack.pk, "pack": str(pack)})


# --- year end -----------------------------------------------------------------------------------------------------

def _year_end_perform(job: Job, progress: ProgressRecorder):
    year = FinancialYear.objects.get(start_year=job.parameters["start_year"])
    progress(0, 0, "Posting the year end")
    return year_end_run(year=year, by=job.requested_by)


def _year_end_describe(job: Job, result) -> Outcome:
    label = job.parameters.get("year_label", "")
    posted, reversals = len(result.posted), len(result.reversals)
    return Outcome(
        summary=f"Year end of {label} posted: {posted} {'entry' if posted == 1 else 'entries'} in P13 and "
                f"{reversals} accrual {'reversal' if reversals == 1 else 'reversals'}. {label} is closed.",
        result={"start_year": job.parameters["start_year"], "posted": len(result.posted),
                "reversals": len(result.reversals)},
    )


WORK = {
    INCOME_IMPORT: Work(_import_perform, _import_describe),
    PACK_ISSUE: Work(_pack_perform, _pack_describe),
    YEAR_END: Work(_year_end_perform, _year_end_describe),
}

"""The background tasks (Django's tasks API, ``django_tasks``; run by ``python manage.py db_worker``).

A task is given a job's number only. It marks the job running, does the work (``jobs.work``), and ends it done or
failed. It never raises for what it did: a service's refusal ends the job failed with the service's own words; any
other error ends it failed with a plain message for the person who asked, and is logged with its traceback on the
``ringfence.jobs`` logger (the message gives the job's number, to find it). The worker's own record of the task
then reads "successful": the job's row is where the outcome is.

Reminders (issue 15) will be a fourth task here, once they exist.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks import task

from core.background import INCOME_IMPORT, PACK_ISSUE, YEAR_END
from jobs.progress import ProgressRecorder
from jobs.services import job_fail, job_finish, job_refusal_message, job_start

logger = logging.getLogger("ringfence.jobs")


def job_run(job_id: int) -> str:
    """Run one job from start to end; returns the job's final status."""
    from jobs.work import WORK  # the domain services load only where the work runs

    job = job_start(job_id=job_id)
    if job is None:
        return "not queued"
    work = WORK[job.kind]
    progress = ProgressRecorder(job.pk)
    try:
        value = work.perform(job, progress)
    except (ValidationError, PermissionDenied) as refusal:
        message = job_refusal_message(refusal) if isinstance(refusal, ValidationError) else str(refusal)
        logger.info("Job %s (%s) refused: %s", job.pk, job.kind, message)
        return job_fail(job=job, message=f"Refused, nothing was written: {message}").status
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        return job_fail(job=job, message=(
            f"The job stopped because of an unexpected error, so nothing was written. It is logged as job {job.pk}; "
            "try again, and if it fails again tell the system administrator the job's number.")).status
    except BaseException:  # the worker is being stopped (a second Ctrl-C, or the service manager's kill)
        logger.warning("Job %s (%s) interrupted: the worker was stopped", job.pk, job.kind)
        job_fail(job=job, message="The job was interrupted because the background worker was stopped, so nothing "
                                  "was written. Start it again.")
        raise
    try:
        outcome = work.describe(job, value)
        return job_finish(job=job, outcome=outcome, progress=(progress.done, progress.total, progress.message)).status
    except Exception:
        logger.exception("Job %s (%s) did its work but its report failed", job.pk, job.kind)
        return job_fail(job=job, message=(
            f"The work was done and kept, but its report could not be produced. It is logged as job {job.pk}; check "
            "the result on the pages that show it before trying again.")).status


@task()
def income_import_task(job_id: int) -> str:
    return job_run(job_id)


@task()
def pack_issue_task(job_id: int) -> str:
    return job_run(job_id)


@task()
def year_end_task(job_id: int) -> str:
    return job_run(job_id)


TASKS = {INCOME_IMPORT: income_import_task, PACK_ISSUE: pack_issue_task, YEAR_END: year_end_task}

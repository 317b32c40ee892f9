"""Queueing a person's background job and recording how it goes: queued, running, then done or failed.

``job_enqueue`` keeps any uploaded file in storage, writes the job's row and puts its task on the queue in one
transaction (both or neither), and refuses a second pending job with the same key (the database's partial unique
constraint decides, so two clicks at once still queue one): the pending job is returned instead. The status
changes are conditional updates, so a job is started once and finished once whatever else runs.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.background import INCOME_IMPORT, PACK_ISSUE, YEAR_END, Started
from core.roles import FINANCE_DIRECTORS, FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from jobs.models import Job
from jobs.progress import progress_delete, progress_read

logger = logging.getLogger("ringfence.jobs")

#: Who may queue each kind of job, and what it is called in a refusal. The work's own service checks again when
#: the job runs, so a role taken away in the meantime is still refused.
WHO_MAY = {
    INCOME_IMPORT: (FINANCE_OFFICERS, "import income"),
    PACK_ISSUE: (OFFICERS_AND_DIRECTORS, "issue statement packs"),
    YEAR_END: (FINANCE_DIRECTORS, "run the year end"),
}


@dataclass
class Outcome:
    """What a finished job leaves for its page: a sentence, details, and optionally a file (name, bytes)."""

    summary: str
    result: dict = field(default_factory=dict)
    file: tuple[str, bytes] | None = None


def _stored_upload(upload) -> str:
    """Keep the uploaded file in storage under a name nobody can guess; return the stored name."""
    safe = PurePath(upload.name or "upload").name[-100:] or "upload"
    return default_storage.save(f"jobs/input/{uuid.uuid4().hex}/{safe}", upload)


def job_enqueue(*, kind: str, by, parameters: dict, upload=None, dedupe_key: str = "") -> tuple[Job, bool]:
    """Queue a job; returns (job, already_queued). With ``dedupe_key``, a job of the same kind and key that is
    still queued or running is returned instead of queueing another."""
    from jobs.tasks import TASKS  # the tasks import the domain services; this module stays importable without them

    roles, doing = WHO_MAY[kind]
    require_role(by, roles, doing=doing)
    stored = _stored_upload(upload) if upload is not None else ""
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    job = Job.objects.create(requested_by=by, kind=kind, parameters=parameters,
                                             dedupe_key=dedupe_key, input_file=stored)
            except IntegrityError:
                pending = Job.objects.filter(kind=kind, dedupe_key=dedupe_key, status__in=Job.PENDING).first()
                if pending is None:
                    raise
                _delete_file(stored)
                return pending, True
            # The task holds the job's number only: parameters and files are read from the row when it runs.
            result = TASKS[kind].enqueue(job_id=job.pk)
            Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
            job.task_result_id = str(result.id)
    except BaseException:
        _delete_file(stored)
        raise
    logger.info("Job %s (%s) queued by %s as task %s", job.pk, kind, by.get_username(), job.task_result_id)
    job.refresh_from_db()  # with the immediate backend (tests) the job has already run
    return job, False


def job_start_from_page(*, kind: str, by, parameters: dict, upload=None) -> Started:
    """``core.background.background_start``'s implementation: queue the job and say where to follow it."""
    if upload is not None:
        parameters = {**parameters, **_describe_upload(upload)}
    job, already = job_enqueue(kind=kind, by=by, parameters=parameters, upload=upload,
                               dedupe_key=_dedupe_key(kind, parameters))
    return Started(url=reverse("jobs:detail", args=[job.pk]), number=job.pk, already_queued=already)


def _describe_upload(upload) -> dict:
    """The uploaded file's name, size and SHA-256, kept with the job after the file itself is deleted."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"file_name": PurePath(upload.name or "upload").name, "size": upload.size, "sha256": digest.hexdigest()}


def _dedupe_key(kind: str, parameters: dict) -> str:
    """Work that must not be queued twice at once: a month's pack (a second would supersede the first at once)
    and a year's year end. Imports may be: a second import of the same file records nothing twice."""
    if kind == PACK_ISSUE:
        return f"pack:{parameters['month']}"
    if kind == YEAR_END:
        return f"year-end:{parameters['start_year']}"
    return ""


def job_start(*, job_id: int) -> Job | None:
    """Mark a queued job running; None when it is not queued (already run, or gone), so it is run at most once."""
    started = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), progress_message="Started")
    if not started:
        logger.warning("Job %s was not queued when its task ran; nothing done", job_id)
        return None
    return Job.objects.select_related("requested_by").get(pk=job_id)


def job_finish(*, job: Job, outcome: Outcome, progress: tuple[int, int, str] | None = None) -> Job:
    """Record a running job's result: its sentence, details and any file it produced."""
    stored = ""
    if outcome.file is not None:
        name, content = outcome.file
        from django.core.files.base import ContentFile

        stored = default_storage.save(f"jobs/results/{job.pk}/{PurePath(name).name}", ContentFile(content))
    done, total, message = progress or _last_progress(job)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE, finished_at=timezone.now(), summary=outcome.summary, result=outcome.result,
        result_file=stored, progress_done=done, progress_total=total, progress_message=message[:200])
    return _tidy(job)


def job_fail(*, job: Job, message: str) -> Job:
    """Record that a job failed, with a message for the person who asked (the log has the details)."""
    done, total, last = _last_progress(job)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), summary=message, progress_done=done,
        progress_total=total, progress_message=last[:200])
    return _tidy(job)


def job_refusal_message(error: ValidationError) -> str:
    """A service's refusal as one plain paragraph."""
    if hasattr(error, "error_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _last_progress(job: Job) -> tuple[int, int, str]:
    live = progress_read(job.pk)
    if live is None:
        return job.progress_done, job.progress_total, job.progress_message
    return live["done"], live["total"], live["message"]


def _tidy(job: Job) -> Job:
    """A finished job keeps no copy of the file it read (its name, size and SHA-256 stay in its parameters and
    in the work's own record), and no progress file."""
    progress_delete(job.pk)
    if job.input_file:
        _delete_file(job.input_file.name)
        Job.objects.filter(pk=job.pk).update(input_file="")
    return Job.objects.get(pk=job.pk)


def _delete_file(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete the stored file %s", name, exc_info=True)


def jobs_interrupted(*, worker_id: str | None = None) -> list[Job]:
    """End as failed the jobs a stopped worker was running (killed, or the machine went down), so their pages say
    so and the same work can be queued again. With ``worker_id``, the jobs whose task that worker took (run this as
    the worker with that id starts: it cannot be running them any more); without, every running job (only when no
    worker is running at all, as ``make run`` does before it starts its one). Their work wrote nothing: each
    service runs in one transaction, which the database rolled back when the worker stopped."""
    from django_tasks_db.models import DBTaskResult

    running = Job.objects.filter(status=Job.Status.RUNNING)
    if worker_id is not None:
        claimed = [str(task.id) for task in DBTaskResult.objects.filter(status="RUNNING")
                   if task.worker_ids and task.worker_ids[-1] == worker_id]
        running = running.filter(task_result_id__in=claimed)
    ended = []
    for job in running:
        job_fail(job=job, message="The job was interrupted because the background worker stopped while it ran, so "
                                  "nothing was written. Start it again.")
        DBTaskResult.objects.filter(id=job.task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(), exception_class_path="jobs.services.WorkerStopped")
        logger.warning("Job %s (%s) ended as interrupted: its worker had stopped", job.pk, job.kind)
        ended.append(job)
    return ended

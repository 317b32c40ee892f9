"""Which jobs a person may see: their own, and, for finance directors, everyone's (they oversee the work; every
result a job shows is on pages they may already open: income, packs, the year end). Anyone else gets "not
found", so a job's existence is not revealed."""

from django.db.models import QuerySet
from django.http import Http404

from core.roles import FINANCE_DIRECTOR, has_role
from jobs.models import Job
from jobs.progress import progress_read


def jobs_visible_to(user) -> QuerySet[Job]:
    jobs = Job.objects.select_related("requested_by")
    return jobs if has_role(user, FINANCE_DIRECTOR) else jobs.filter(requested_by=user)


def job_for(user, pk) -> Job:
    """The job, if ``user`` may see it; else Http404."""
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404("No such job.")
    return job


def job_progress(job: Job) -> dict:
    """How far the job has got: {"done", "total", "message", "percent"} (percent None when there is no count).
    While it runs, the live figures in storage; otherwise those kept in its row."""
    live = progress_read(job.pk) if job.status == Job.Status.RUNNING else None
    figures = live or {"done": job.progress_done, "total": job.progress_total, "message": job.progress_message}
    figures["percent"] = (100 * figures["done"] // figures["total"]) if figures["total"] else None
    return figures

"""A person's background jobs: the list ("My jobs"), each job's page with its progress and result, and the file a
job produced. Finance officers and directors start jobs, so they have these pages; which jobs each may see is
``jobs.selectors``."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import FINANCE_DIRECTOR, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from jobs.models import Job
from jobs.selectors import job_for, job_progress, jobs_visible_to

#: How often the job's page asks again while the job is queued or running (static/jobs/job.js reads it).
REFRESH_SECONDS = 2


JOBS = Listing("jobs", (
    Column("job", "Job", order="id", value=lambda j: f"Job {j.pk}"),
    Column("what", "What", order="kind", value="title"),
    Column("requested_by", "Asked for by", order="requested_by__last_name", value=lambda j: person(j.requested_by)),
    Column("queued", "Queued", order="queued_at", value="queued_at"),
    Column("status", "Status", order="status", value="get_status_display"),
    Column("result", "Result", value="summary"),
))


@role_required(*OFFICERS_AND_DIRECTORS)
@require_safe
def job_list(request):
    everyone = request.GET.get("who") == "everyone" and has_role(request.user, FINANCE_DIRECTOR)
    jobs = jobs_visible_to(request.user) if everyone else Job.objects.filter(requested_by=request.user)
    table = JOBS.table(request, jobs.select_related("requested_by"), default=("-queued_at", "-id"))
    if table.download:
        return table.response()
    return render(request, "jobs/list.html", {
        "table": table, "page_obj": table.page_obj, "everyone": everyone,
        "is_director": has_role(request.user, FINANCE_DIRECTOR),
    })


@role_required(*OFFICERS_AND_DIRECTORS)
@require_safe
def job_detail(request, pk):
    job = job_for(request.user, pk)
    response = render(request, "jobs/detail.html", {
        "job": job, "progress": job_progress(job), "result": job.result, "refresh_seconds": REFRESH_SECONDS,
        "is_import": job.kind == Job.Kind.INCOME_IMPORT, "mine": job.requested_by_id == request.user.pk,
    })
    response["Cache-Control"] = "no-store"  # the page changes while the job runs
    return response


@role_required(*OFFICERS_AND_DIRECTORS)
@require_safe
def job_file(request, pk):
    job = job_for(request.user, pk)
    if not job.result_file:
        raise Http404("This job produced no file.")
    try:
        handle = job.result_file.open("rb")
    except OSError:
        raise Http404("The job's file is no longer kept.")
    response = FileResponse(handle, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, job.result_file.name.rsplit("/", 1)[-1])
    return response

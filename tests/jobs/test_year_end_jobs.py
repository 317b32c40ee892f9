"""The year end and statement packs as background jobs: what the service decides when the job runs is what the
person is told."""

from django.urls import reverse

from funds.calendar import period_reopen
from funds.models import Period
from jobs.models import Job
from ledger.models import JournalEntry
from tests.jobs.worker import run_worker
from tests.web.conftest import signed_in, text


def test_a_year_end_refused_when_it_runs_ends_failed_in_the_services_words(closed_year, director):
    """Queued while the checklist was met; March is reopened before the worker gets to it."""
    client = signed_in(director)
    response = client.post(reverse("yearend:run", args=[2025]), {"confirm": "on"})
    before = JournalEntry.objects.count()
    period_reopen(period=Period.objects.get(year=closed_year, number=12), by=director, reason="Late invoice")
    run_worker()
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.summary.startswith("Refused, nothing was written: The year end of 2025/26 cannot run yet: All twelve "
                                  "months closed: 1 still open")
    assert JournalEntry.objects.count() == before
    page = text(client.get(response["Location"]))
    assert "The job failed" in page and "1 still open" in page


def test_the_pack_page_queues_one_job_per_month_until_it_has_run(funded_core, year, director, officer):
    director_client, officer_client = signed_in(director), signed_in(officer)
    first = director_client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    second = officer_client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    other = officer_client.post("/statements/packs/issue/", {"month": "2026-02", "confirm": "on"})
    assert first["Location"] == second["Location"] != other["Location"] and Job.objects.count() == 2
    run_worker()
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}
    # Once it has run, the month may be issued again (superseding the pack): a new job.
    again = director_client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    assert again["Location"] != first["Location"] and Job.objects.count() == 3


def test_jobs_of_a_stopped_worker_end_failed_and_the_work_can_be_queued_again(funded_core, year, director):
    """A worker killed in the middle of a pack: the job stays "running" until the worker with that id starts
    again; ``recover_jobs`` ends it as interrupted, and the month may be issued again."""
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from jobs.services import job_start

    client = signed_in(director)
    first = client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    job = Job.objects.get()
    DBTaskResult.objects.get(id=job.task_result_id).claim("worker-1")  # what db_worker does when it takes a task
    job_start(job_id=job.pk)  # ... and then it was killed
    assert client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})["Location"] == \
        first["Location"]
    out = StringIO()
    call_command("recover_jobs", worker_id="worker-2", stdout=out)  # another worker's jobs are left alone
    assert Job.objects.get().status == "running" and out.getvalue() == ""
    call_command("recover_jobs", worker_id="worker-1", stdout=out)
    job.refresh_from_db()
    assert job.status == "failed" and job.summary.startswith("The job was interrupted because the background worker")
    assert f"Job {job.pk} (Statement pack for March 2026, asked for by diana): interrupted" in out.getvalue()
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"
    again = client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    assert again["Location"] != first["Location"] and Job.objects.count() == 2

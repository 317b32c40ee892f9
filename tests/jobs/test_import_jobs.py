"""An income import from the page runs in the background: the page answers at once, the worker does the import,
and the job's page shows how far it has got and then the report. Only the person who asked (and finance
directors) may see it."""

import csv
import io
import logging

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from income.models import AwardLetter
from jobs.models import Job
from jobs.progress import ProgressRecorder
from jobs.services import job_start
from ledger.models import JournalEntry
from tests.income.importing_files import GOOD_ROWS, csv_bytes, xlsx_bytes
from tests.jobs.worker import run_worker
from tests.web.conftest import signed_in, text

URL = "/income/import/"


def upload(client, data, name="income.csv", check_only=True):
    form = {"file": SimpleUploadedFile(name, data)}
    if check_only:
        form["check_only"] = "on"
    return client.post(URL, form)


def test_posting_the_page_queues_the_import_and_writes_nothing_yet(officer_client, officer, core_fund):
    response = upload(officer_client, xlsx_bytes(GOOD_ROWS[:2]), name="income.xlsx", check_only=False)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.requested_by) == ("income_import", "queued", officer)
    assert job.parameters["file_name"] == "income.xlsx" and job.parameters["check_only"] is False
    # The file waits in storage for the worker; the queue holds the job's number only.
    assert default_storage.exists(job.input_file.name)
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == "READY" and task.args_kwargs == {"args": [], "kwargs": {"job_id": job.pk}}
    assert not AwardLetter.objects.exists() and not JournalEntry.objects.exists()
    page = text(officer_client.get(response["Location"]))
    assert "income.xlsx is queued to be imported as job" in page
    assert "Queued. Waiting for the background worker to start it." in page


def test_the_worker_imports_the_file_and_the_job_page_shows_the_report(officer_client, officer, core_fund):
    response = upload(officer_client, xlsx_bytes(GOOD_ROWS[:2]), name="income.xlsx", check_only=False)
    run_worker()
    job = Job.objects.get()
    assert job.status == "done" and job.task_result_id
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    assert AwardLetter.objects.get().recorded_by == officer and JournalEntry.objects.count() == 2
    page = officer_client.get(response["Location"])
    body = page.content.decode()
    assert 'data-finished="true"' in body
    assert "Done. Finished" in text(page)
    assert "Imported 2 rows from income.xlsx (amount column total £625,000.00)." in text(page)
    assert "<td>MOJ-AWD-2526</td>" in body and "settles award letter MOJ-AWD-2526 for 2025/26" in body
    assert (job.progress_done, job.progress_total) == (2, 2)
    # The uploaded copy is gone once the job is over; its name, size and SHA-256 stay with the job.
    assert not job.input_file and len(job.parameters["sha256"]) == 64


def test_the_full_report_is_a_csv_file_kept_with_the_job(officer_client, core_fund):
    upload(officer_client, csv_bytes(GOOD_ROWS[:2]))
    run_worker()
    job = Job.objects.get()
    download = officer_client.get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="income-import-report-job-{job.pk}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Kind", "Reference", "Fund", "Date", "Amount", "Result"]
    assert rows[1] == ["2", "award letter", "MOJ-AWD-2526", "MOJ-CORE", "03/04/2025", "500000.00",
                       "would be recorded"]
    assert len(rows) == 3


def test_checking_only_writes_nothing_even_in_the_worker(officer_client, core_fund):
    response = upload(officer_client, csv_bytes(GOOD_ROWS[:2]))
    run_worker()
    page = text(officer_client.get(response["Location"]))
    assert ("Dry run: 2 rows of income.csv would be recorded (amount column total £625,000.00). "
            "Nothing was written.") in page
    assert "Check passed: nothing written" in page
    assert not JournalEntry.objects.exists()


def test_a_refused_file_is_reported_on_the_job_page_and_nothing_is_written(officer_client, core_fund):
    rows = [GOOD_ROWS[0], ["MOJ-CORE", "20/04/2025", "receipt", "BACS-1", "-1", "", "", "", "", "", ""]]
    response = upload(officer_client, csv_bytes(rows), check_only=False)
    run_worker()
    page = officer_client.get(response["Location"]).content.decode()
    assert Job.objects.get().status == "done"  # the import ran; its answer is a refusal
    assert "Refused: nothing written" in page and "Refused: 1 of 2 rows in income.csv has problems" in page
    assert ('<tr><td class="num">3</td><td>amount</td><td>The amount must be more than £0.00; &#x27;-1&#x27; was '
            'given (a mistake is corrected by a reversal).</td></tr>') in page
    assert not JournalEntry.objects.exists()


def test_an_error_in_the_worker_ends_the_job_failed_with_a_plain_message(officer_client, core_fund, caplog):
    """The stored upload is lost before the worker reads it: the job fails, the person is told in plain words,
    and the traceback is logged with the job's number."""
    response = upload(officer_client, csv_bytes(GOOD_ROWS[:2]), check_only=False)
    job = Job.objects.get()
    default_storage.delete(job.input_file.name)
    with caplog.at_level(logging.ERROR, logger="ringfence.jobs"):
        run_worker()
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at
    assert job.summary == (f"The job stopped because of an unexpected error, so nothing was written. It is logged as "
                           f"job {job.pk}; try again, and if it fails again tell the system administrator the job's "
                           "number.")
    record = next(r for r in caplog.records if r.name == "ringfence.jobs" and r.levelno == logging.ERROR)
    assert record.getMessage() == f"Job {job.pk} (income_import) failed" and record.exc_info[0] is FileNotFoundError
    page = officer_client.get(response["Location"])
    assert "The job failed" in text(page) and "Traceback" not in page.content.decode()
    assert not JournalEntry.objects.exists()


def test_a_refusal_by_the_service_when_the_job_runs_ends_it_failed_with_the_services_words(
        officer_client, officer, core_fund):
    upload(officer_client, csv_bytes(GOOD_ROWS[:2]), check_only=False)
    officer.groups.clear()  # no longer a finance officer by the time the worker runs
    run_worker()
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.summary == "Refused, nothing was written: Only finance officers may import income."
    assert not JournalEntry.objects.exists()


def test_another_officer_cannot_see_the_job_or_its_file(officer_client, officer2_client, director_client,
                                                        commissioner, core_fund):
    upload(officer_client, csv_bytes(GOOD_ROWS[:2]))
    run_worker()
    job = Job.objects.get()
    for url in (reverse("jobs:detail", args=[job.pk]), reverse("jobs:file", args=[job.pk])):
        assert officer_client.get(url).status_code == 200
        assert officer2_client.get(url).status_code == 404
        assert director_client.get(url).status_code == 200  # finance directors oversee every job
        assert signed_in(commissioner).get(url).status_code == 403
    assert f"Job {job.pk}" not in text(officer2_client.get(reverse("jobs:list")))


def test_my_jobs_lists_only_my_jobs_and_directors_may_list_everyones(officer_client, officer2_client,
                                                                    director_client, core_fund):
    upload(officer_client, csv_bytes(GOOD_ROWS[:1]), name="mine.csv")
    upload(officer2_client, csv_bytes(GOOD_ROWS[:1]), name="theirs.csv")
    mine = text(officer_client.get(reverse("jobs:list")))
    assert "Check of mine.csv" in mine and "theirs.csv" not in mine
    assert "theirs.csv" not in text(officer_client.get(reverse("jobs:list"), {"who": "everyone"}))
    assert "No jobs yet." in text(director_client.get(reverse("jobs:list")))
    everyone = text(director_client.get(reverse("jobs:list"), {"who": "everyone"}))
    assert "Check of mine.csv" in everyone and "Check of theirs.csv" in everyone


def test_a_running_job_shows_its_progress_and_updates_itself_without_inline_script(officer_client, core_fund):
    upload(officer_client, csv_bytes(GOOD_ROWS[:2]))
    job = job_start(job_id=Job.objects.get().pk)
    ProgressRecorder(job.pk)(1200, 5000, "Rows checked")
    response = officer_client.get(reverse("jobs:detail", args=[job.pk]))
    body = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert '<progress id="job-progress" max="5000" value="1200">24%</progress>' in body
    assert "Rows checked" in text(response) and "1,200 of 5,000" in text(response)
    assert 'data-finished="false"' in body and '<script src="/static/jobs/job.js" defer></script>' in body
    assert "<script>" not in body  # the content security policy allows scripts from files only


def test_the_import_service_reports_its_progress_row_by_row(officer, core_fund):
    from income.importing import income_import

    calls = []
    report = income_import(name="income.csv", data=csv_bytes(GOOD_ROWS[:2]), by=officer, dry_run=True,
                           progress=lambda done, total: calls.append((done, total)))
    assert report.ok and calls == [(0, 2), (1, 2), (2, 2)]


@pytest.mark.parametrize("who", ["commissioner", "director"])
def test_only_finance_officers_queue_imports(db, request, who, core_fund):
    client = signed_in(request.getfixturevalue(who))
    assert upload(client, csv_bytes(GOOD_ROWS[:1])).status_code == 403
    assert not Job.objects.exists()


def test_the_service_refuses_to_queue_for_someone_without_the_role(commissioner, core_fund, media_root):
    from django.core.exceptions import PermissionDenied

    from core.background import INCOME_IMPORT, background_start

    with pytest.raises(PermissionDenied, match="Only finance officers may import income."):
        background_start(kind=INCOME_IMPORT, by=commissioner, parameters={"check_only": True},
                         upload=SimpleUploadedFile("income.csv", csv_bytes(GOOD_ROWS[:1])))
    assert not Job.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.csv"))  # the file was not kept either

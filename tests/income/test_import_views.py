"""The upload page for bulk income imports. The page queues the import; the background worker runs it
(``run_worker``) and the job's page shows the report (tests/jobs has the job's own behaviour)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from income.models import AwardLetter
from jobs.models import Job
from ledger.models import JournalEntry
from tests.income.importing_files import GOOD_ROWS, csv_bytes, xlsx_bytes
from tests.jobs.worker import media_root, run_worker  # noqa: F401  (fixture)

URL = "/income/import/"


@pytest.fixture(autouse=True)
def own_media(media_root):  # noqa: F811  (the imported fixture)
    return media_root


def upload(client, data, name="income.csv", check_only=True):
    form = {"file": SimpleUploadedFile(name, data)}
    if check_only:
        form["check_only"] = "on"
    return client.post(URL, form)


def imported(client, data, name="income.csv", check_only=True):
    """Upload from the page, let the worker run it, and return the job's page."""
    response = upload(client, data, name=name, check_only=check_only)
    assert response.status_code == 302, response.content.decode()[:500]
    run_worker()
    return client.get(response["Location"])


def test_the_url_is_named():
    assert reverse("income_import") == URL


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url == f"/login/?next={URL}"


@pytest.mark.parametrize("who", ["commissioner", "director", "admin_user"])
def test_only_finance_officers_may_open_it(db, client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert upload(client, b"anything").status_code == 403
    assert not Job.objects.exists()


def test_the_page_explains_the_columns_and_checks_only_by_default(client, officer):
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert '<label for="id_file">Spreadsheet of income</label>' in page
    assert ('<input type="checkbox" name="check_only" aria-describedby="id_check_only_helptext" id="id_check_only" '
            'checked>') in page
    assert "<code>fund_code</code>" in page and 'enctype="multipart/form-data"' in page


def test_checking_a_file_writes_nothing_and_shows_what_would_be_recorded(client, officer, core_fund):
    client.force_login(officer)
    response = imported(client, csv_bytes(GOOD_ROWS[:2]))
    page = response.content.decode()
    assert response.status_code == 200
    assert ("Dry run: 2 rows of income.csv would be recorded (amount column total £625,000.00). "
            "Nothing was written.") in page
    assert "<td>MOJ-AWD-2526</td>" in page and "£500,000.00" in page
    assert not JournalEntry.objects.exists()


def test_the_report_says_which_award_letter_and_year_a_receipt_settles(client, officer, core_fund):
    client.force_login(officer)
    page = imported(client, csv_bytes(GOOD_ROWS[:2])).content.decode()
    assert "<td>would be recorded; settles award letter MOJ-AWD-2526 for 2025/26</td>" in page


def test_unticking_check_only_records_the_file(client, officer, core_fund):
    client.force_login(officer)
    response = imported(client, xlsx_bytes(GOOD_ROWS[:2]), name="income.xlsx", check_only=False)
    assert "Imported 2 rows from income.xlsx (amount column total £625,000.00)." in response.content.decode()
    assert AwardLetter.objects.get().recorded_by == officer
    # Sending the same file again (a refresh, a second click) records nothing twice.
    response = imported(client, xlsx_bytes(GOOD_ROWS[:2]), name="income.xlsx", check_only=False)
    assert "2 already imported, skipped" in response.content.decode()
    assert JournalEntry.objects.count() == 2


def test_failing_rows_are_listed_on_the_page(client, officer, core_fund):
    client.force_login(officer)
    rows = [GOOD_ROWS[0], ["MOJ-CORE", "20/04/2025", "receipt", "BACS-1", "-1", "", "", "", "", "", ""]]
    page = imported(client, csv_bytes(rows), check_only=False).content.decode()
    assert "Refused: 1 of 2 rows in income.csv has problems" in page
    assert ('<tr><td class="num">3</td><td>amount</td><td>The amount must be more than £0.00; &#x27;-1&#x27; was given '
            '(a mistake is corrected by a reversal).</td>'
            '</tr>') in page
    assert not JournalEntry.objects.exists()


def test_a_file_of_another_kind_is_refused_on_the_job_page(client, officer, core_fund):
    client.force_login(officer)
    page = imported(client, b"\x89PNG\r\n\x1a\n", name="income.csv", check_only=False).content.decode()
    assert "Refused: nothing written" in page
    assert "income.csv is named .csv but is a PNG image, not comma-separated text." in page
    assert not JournalEntry.objects.exists()


def test_a_form_without_a_file_is_refused_next_to_the_field_and_queues_nothing(client, officer, core_fund):
    client.force_login(officer)
    response = client.post(URL, {"check_only": "on"})
    assert response.status_code == 200 and 'id="id_file_error"' in response.content.decode()
    assert not Job.objects.exists()


def test_a_body_over_the_limit_is_refused_without_being_read(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.generic("POST", URL, data=b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(11 * 1024 * 1024))
    assert response.status_code == 413
    assert "The file is larger than 10 MB (11.0 MB were sent)" in response.content.decode()
    assert not Job.objects.exists()


def test_the_upload_still_needs_the_csrf_token(officer, core_fund):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(URL, {"file": SimpleUploadedFile("income.csv", csv_bytes(GOOD_ROWS[:1]))})
    assert response.status_code == 403
    assert not JournalEntry.objects.exists() and not Job.objects.exists()

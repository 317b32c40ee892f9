"""reports.downloads: statements downloaded from the page, packs issued and their stored files."""

import hashlib
import io

import openpyxl

from jobs.models import Job
from reports.models import IssuedPack
from tests.jobs.worker import media_root, run_worker  # noqa: F401  (fixture)


def test_the_director_downloads_the_fund_statement_as_excel(director_client, funded_core, year):
    response = director_client.get(
        "/statements/", {"year": "2025", "format": "xlsx", "statement": "fund", "as_at": "31/03/2026"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="ringfence-2025-26-as-at-2026-03-31.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Fund statement" in book.sheetnames
    values = [cell for row in book["Fund statement"].iter_rows(values_only=True) for cell in row]
    assert "MOJ-CORE" in values


def test_a_bad_date_is_shown_on_its_field_and_nothing_is_downloaded(director_client, year):
    response = director_client.get("/statements/", {"year": "2025", "format": "pdf", "as_at": "01/01/2020"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_at"] == [
        "As-at 01/01/2020 is before 2025/26 began; give a date from 01/04/2025."
    ]


def test_a_known_at_moment_in_the_future_is_refused(director_client, year):
    response = director_client.get("/statements/", {"year": "2025", "format": "csv", "known_at": "01/01/2099 09:00"})
    assert response.context["form"].errors["known_at"][0].startswith("Known-at 01/01/2099 09:00 is in the future")


def test_issuing_a_pack_keeps_its_files_for_download(director_client, funded_core, year, media_root):  # noqa: F811
    """The page queues the pack; the background worker issues it; the job's page links to the pack."""
    refused = director_client.post("/statements/packs/issue/", {"month": "2026-03"})
    assert refused.context["form"].errors["confirm"] == ["Tick the box to confirm; this action cannot be undone."]
    response = director_client.post(
        "/statements/packs/issue/", {"month": "2026-03", "note": "Year-end pack", "confirm": "on"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and not IssuedPack.objects.exists()
    # A second click while it is queued queues nothing more: it would supersede the first pack at once.
    again = director_client.post("/statements/packs/issue/", {"month": "2026-03", "confirm": "on"})
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1
    run_worker()
    pack = IssuedPack.objects.get()
    assert pack.note == "Year-end pack" and pack.issued_by == job.requested_by
    job_page = director_client.get(response["Location"]).content.decode()
    assert f"{pack} issued: its files are kept exactly as issued." in job_page
    assert f'href="/statements/packs/{pack.pk}/"' in job_page
    detail = director_client.get(f"/statements/packs/{pack.pk}/").content.decode()
    assert "This is the first pack issued for 2025/26." in detail
    stored = pack.files.get(format="xlsx")
    download = director_client.get(f"/statements/packs/{pack.pk}/files/{stored.pk}/")
    assert hashlib.sha256(download.content).hexdigest() == stored.sha256
    assert f"Pack {pack.pk}" in director_client.get("/statements/").content.decode()


def test_commissioners_do_not_download_statements_here(commissioner_client, db):
    assert commissioner_client.get("/statements/").status_code == 403

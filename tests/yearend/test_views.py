"""The year-end pages: the checklist and plan, the run by a finance director, accruals and repayments."""

import pytest
from django.urls import reverse

from funds.models import FinancialYear
from jobs.models import Job
from ledger.models import JournalEntry
from tests.jobs.worker import media_root, run_worker  # noqa: F401  (fixture)
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in
from yearend.services import funder_owed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(media_root):  # noqa: F811  (the imported fixture)
    return media_root


def run_year_end(client, start_year=2025):
    """Post the run from the page (it queues the year end), then let the background worker run it."""
    response = client.post(reverse("yearend:run", args=[start_year]), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    run_worker()
    return response


def test_director_sees_the_checklist_and_runs_the_year_end(closed_year, director, core_fund):
    client = signed_in(director)
    url = reverse("yearend:year", args=[2025])
    text = page_text(client.get(url))
    assert "Done: All twelve months closed" in text and "Done: Returns in" in text
    assert "Run the year end of 2025/26" in text
    before = JournalEntry.objects.count()
    response = client.post(reverse("yearend:run", args=[2025]), {"confirm": "on"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert JournalEntry.objects.count() == before  # queued: the worker posts it
    run_worker()
    assert JournalEntry.objects.count() == before + 4
    job_page = page_text(client.get(response["Location"]))
    assert "Year end of 2025/26 posted: 3 entries in P13 and 1 accrual reversal. 2025/26 is closed." in job_page
    text = page_text(client.get(url))
    assert "went through its year end" in text and "Run the year end" not in text
    assert "MOJ-CORE: £440,000.00 owed to MoJ" in text


def test_run_without_confirming_writes_nothing(closed_year, director, unchanged_database):
    client = signed_in(director)
    with unchanged_database():
        response = client.post(reverse("yearend:run", args=[2025]), {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in page_text(response)
    assert not Job.objects.exists()


def test_a_checklist_not_met_is_refused_at_once_and_queues_nothing(delivered, year, director):
    response = signed_in(director).post(reverse("yearend:run", args=[2025]), {"confirm": "on"})
    assert response.status_code == 400
    assert "The year end of 2025/26 cannot run yet: All twelve months closed: 12 still open" in page_text(response)
    assert not Job.objects.exists()


def test_a_year_end_already_queued_is_not_queued_again(closed_year, director, core_fund):
    client = signed_in(director)
    first = client.post(reverse("yearend:run", args=[2025]), {"confirm": "on"})
    second = client.post(reverse("yearend:run", args=[2025]), {"confirm": "on"})
    assert first["Location"] == second["Location"] and Job.objects.count() == 1
    assert "is already queued or running" in page_text(client.get(second["Location"]))


def test_officer_sees_the_plan_but_cannot_run_it(delivered, year, officer, unchanged_database):
    client = signed_in(officer)
    text = page_text(client.get(reverse("yearend:year", args=[2025])))
    assert "Not yet: All twelve months closed" in text and "A finance director runs the year end" in text
    with unchanged_database():
        assert client.post(reverse("yearend:run", args=[2025]), {"confirm": "on"}).status_code == 403


def test_commissioner_cannot_open_the_year_end(year, commissioner):
    assert signed_in(commissioner).get(reverse("yearend:index")).status_code == 403


def test_officer_records_an_accrual_and_a_refusal_shows_in_the_form(closed_year, officer, core_fund,
                                                                    unchanged_database):
    client = signed_in(officer)
    url = reverse("yearend:accrual_create", args=[2025])
    with unchanged_database():
        response = client.post(url, {"fund": core_fund.pk, "amount": "1e3", "reason": "Invoice"})
    assert response.status_code == 200 and "£" in page_text(response)
    response = client.post(url, {"fund": core_fund.pk, "amount": "1,250.00", "reason": "March invoice"})
    assert response.status_code == 302
    assert "March invoice" in page_text(client.get(reverse("yearend:year", args=[2025])))


def test_officer_records_a_repayment_after_the_year_end(closed_year, director, officer, core_fund):
    run_year_end(signed_in(director))
    client = signed_in(officer)
    url = reverse("yearend:repayment_create", args=[2025, core_fund.pk])
    assert "£440,000.00 of unspent 2025/26 grant is owed" in page_text(client.get(url))
    response = client.post(url, {"reference": "REM-7", "date": "30/06/2026", "amount": "40,000.00"})
    assert response.status_code == 302
    year = FinancialYear.objects.get(start_year=2025)
    assert str(funder_owed(fund=core_fund, year=year)) == "400000.00"


def test_each_entry_page_links_to_its_document(closed_year, director):
    from income.models import PocaReceipt

    run_year_end(signed_in(director))
    client = signed_in(director)
    owed = JournalEntry.objects.get(source_type="yearend.return")
    page = client.get(reverse("ledger:entry_detail", args=[owed.pk])).content.decode()
    assert "P13, year-end adjustments" in page and f'href="{reverse("yearend:year", args=[2025])}"' in page
    receipt = PocaReceipt.objects.get()
    page = client.get(reverse("ledger:entry_detail", args=[receipt.entry_id])).content.decode()
    assert f'href="{reverse("income:detail", kwargs={"kind": "poca", "pk": receipt.pk})}"' in page

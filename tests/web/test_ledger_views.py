"""ledger.views: the journal, read only."""

from decimal import Decimal

from income.services import poca_receipt_record
from ledger.models import JournalEntry
from tests.web.conftest import text


def test_journal_lists_entries_and_filters_by_fund(director_client, funded_core, poca_fund, officer, year):
    poca_receipt_record(
        fund=poca_fund,
        reference="ARIS-1",
        case_reference="T1",
        date=year.start_date,
        gross_recovered="1000.00",
        agency_share_percent="10",
        by=officer,
    )
    page = text(director_client.get("/journal/?year=2025&fund=POCA"))
    assert "Proceeds of crime T1: 10% of £1,000.00" in page
    assert "Award letter" not in page
    assert "Award letter MOJ-AWD-2526" in text(director_client.get("/journal/?year=2025&q=MOJ-AWD"))


def test_entry_detail_shows_balanced_lines_and_the_hash(officer_client, funded_core, year):
    entry = JournalEntry.objects.get(source_reference="MOJ-AWD-2526")
    response = officer_client.get(f"/journal/{entry.pk}/")
    page = text(response)
    assert "2025/26/000001 Award letter MOJ-AWD-2526: MOJ-CORE 2025/26" in page
    assert "1100 Grant awards receivable MOJ-CORE 2025/26 £500,000.00" in page
    assert "4000 Grant income from funders MOJ-CORE 2025/26 £500,000.00" in page
    assert "Total £500,000.00 £500,000.00" in page
    assert entry.hash in page
    assert response.context["debits"] == Decimal("500000.00")


def test_every_role_may_read_the_journal_but_people_without_one_may_not(commissioner_client, django_user_model, db):
    from tests.web.conftest import signed_in

    assert commissioner_client.get("/journal/").status_code == 200
    nobody = django_user_model.objects.create_user("nobody", password="x-very-long-password-1")
    assert signed_in(nobody).get("/journal/").status_code == 403

"""ledger.correction_views: preparing, reading and deciding correcting journals through the pages."""

from decimal import Decimal

from django.urls import reverse

from ledger import accounts as acc
from ledger.models import CorrectingJournal, JournalEntry
from tests.ledger import test_corrections as shared
from tests.web.conftest import text

# The receipt on the wrong fund and the journal that moves it, as in the service tests (fixtures).
REASON = shared.REASON
property_fund, community_fund, misposted, prepared = (
    shared.property_fund, shared.community_fund, shared.misposted, shared.prepared
)

NEW = reverse("ledger:correction_create")


def form_data(property_fund, community_fund, **changes):
    """The create form for moving the £1,200.00 receipt from PROPERTY to COMMUNITY (lines 5 to 8 left blank)."""
    data = {
        "date": "20/06/2025",
        "reason": REASON,
        "lines-TOTAL_FORMS": "8",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "8",
    }
    rows = [
        (acc.OTHER_INCOME, property_fund, "D"),
        (acc.CASH, property_fund, "C"),
        (acc.CASH, community_fund, "D"),
        (acc.OTHER_INCOME, community_fund, "C"),
    ]
    for i, (code, fund, direction) in enumerate(rows):
        data.update({f"lines-{i}-account": code, f"lines-{i}-fund": str(fund.pk), f"lines-{i}-direction": direction,
                     f"lines-{i}-amount": "1,200.00"})
    data.update(changes)
    return data


def test_an_officer_prepares_a_journal_from_the_form(officer_client, misposted, property_fund, community_fund):
    page = officer_client.get(NEW)
    assert page.status_code == 200
    offered = dict(page.context["lines"].forms[0].fields["account"].choices)
    assert acc.CASH in offered and acc.COMMITMENTS not in offered and acc.YEAR_END_TRANSFERS not in offered

    response = officer_client.post(NEW, form_data(property_fund, community_fund))
    journal = CorrectingJournal.objects.get()
    assert response.status_code == 302 and response.url == reverse("ledger:correction_detail", args=[journal.pk])
    assert journal.status == "prepared" and journal.lines.count() == 4
    assert journal.lines.filter(fund=community_fund, direction="D").get().funding_year.label == "2025/26"


def test_an_unbalanced_form_is_refused_with_the_fund_and_writes_nothing(
    officer_client, misposted, property_fund, community_fund, unchanged_database
):
    data = form_data(property_fund, community_fund, **{"lines-1-amount": "1000.00", "lines-2-amount": "1400.00"})
    with unchanged_database():
        response = officer_client.post(NEW, data)
    assert response.status_code == 200
    page = text(response)
    assert "The journal does not balance within fund PROPERTY 2025/26" in page
    assert "Add £200.00 of credits on PROPERTY 2025/26" in page


def test_a_half_filled_line_and_a_bad_amount_are_shown_on_their_lines(
    officer_client, property_fund, community_fund, unchanged_database
):
    data = form_data(property_fund, community_fund, **{"lines-3-amount": "12e2", "lines-1-account": ""})
    with unchanged_database():
        response = officer_client.post(NEW, data)
    assert response.status_code == 200
    page = text(response)
    assert "Line 2, account: Choose the account, or clear the whole line." in page
    assert "Line 4, amount: '12e2' is written with an exponent" in page


def test_the_preparer_sees_the_journal_but_no_decision_forms(officer_client, prepared):
    response = officer_client.get(reverse("ledger:correction_detail", args=[prepared.pk]))
    page = text(response)
    assert f"Correcting journal {prepared.pk}: £2,400.00" in page  # debits on both funds
    assert "4400 Other income PROPERTY 2025/26" in page
    # Per fund: debits, credits, change to available, available now, available after approval.
    assert "COMMUNITY 2025/26 £1,200.00 £1,200.00 £1,200.00 £0.00 £1,200.00" in page
    assert "PROPERTY 2025/26 £1,200.00 £1,200.00 -£1,200.00 £1,200.00 £0.00" in page
    assert "so someone else (another finance officer or a finance director) must approve or reject it" in page
    assert "Approve and post" not in page


def test_another_officer_approves_and_the_entry_is_linked(officer2_client, prepared):
    detail = reverse("ledger:correction_detail", args=[prepared.pk])
    assert "Approve and post" in text(officer2_client.get(detail))
    response = officer2_client.post(
        reverse("ledger:correction_approve", args=[prepared.pk]),
        {"approve-note": "Matches the bank", "approve-confirm": "on"},
    )
    assert response.status_code == 302 and response.url == detail
    journal = CorrectingJournal.objects.get(pk=prepared.pk)
    assert journal.status == "approved"
    page = text(officer2_client.get(detail))
    assert f"Posted as Entry {journal.entry.reference}" in page
    assert reverse("ledger:entry_detail", args=[journal.entry.pk]) in officer2_client.get(detail).content.decode()


def test_the_preparer_posting_an_approval_is_refused_on_the_page(officer_client, prepared, unchanged_database):
    with unchanged_database():
        response = officer_client.post(reverse("ledger:correction_approve", args=[prepared.pk]),
                                       {"approve-confirm": "on"})
    assert response.status_code == 200
    assert ("A correcting journal is approved by someone other than the person who prepared it: Olivia prepared "
            "this one.") in text(response)


def test_an_approval_needs_the_confirmation_tick(director_client, prepared, unchanged_database):
    with unchanged_database():
        response = director_client.post(reverse("ledger:correction_approve", args=[prepared.pk]), {})
    assert "Tick the box to confirm" in text(response)


def test_a_director_rejects_with_a_note_and_nothing_is_posted(director_client, prepared, unchanged_database):
    url = reverse("ledger:correction_reject", args=[prepared.pk])
    with unchanged_database():
        refused = director_client.post(url, {"reject-note": ""})
    assert "Say why the correcting journal is rejected" in text(refused)
    entries = JournalEntry.objects.count()
    response = director_client.post(url, {"reject-note": "The receipt was right"})
    assert response.status_code == 302
    assert CorrectingJournal.objects.get(pk=prepared.pk).status == "rejected"
    assert JournalEntry.objects.count() == entries
    assert "Rejected" in text(director_client.get(reverse("ledger:correction_detail", args=[prepared.pk])))


def test_the_list_shows_status_funds_and_amount(director_client, prepared):
    page = text(director_client.get(reverse("ledger:correction_list")))
    assert f"Correcting journal {prepared.pk} 20/06/2025 COMMUNITY, PROPERTY" in page
    assert "£2,400.00 Awaiting approval Olivia" in page
    assert "Prepare a correcting journal" not in page  # only finance officers prepare


def test_commissioners_are_refused_every_page(commissioner_client, prepared, unchanged_database):
    urls = [reverse("ledger:correction_list"), NEW, reverse("ledger:correction_detail", args=[prepared.pk])]
    for url in urls:
        assert commissioner_client.get(url).status_code == 403
    with unchanged_database():
        for name in ("ledger:correction_approve", "ledger:correction_reject"):
            url = reverse(name, args=[prepared.pk])
            assert commissioner_client.post(url, {"approve-confirm": "on", "reject-note": "No"}).status_code == 403
            assert commissioner_client.get(url).status_code == 405


def test_directors_read_but_do_not_prepare(director_client, prepared):
    assert director_client.get(NEW).status_code == 403
    assert director_client.get(reverse("ledger:correction_detail", args=[prepared.pk])).status_code == 200


def test_an_approval_that_would_take_a_fund_below_zero_shows_the_shortfall(
    officer2_client, prepared, property_fund, officer, unchanged_database
):
    from datetime import date

    from ledger.posting import CREDIT, DEBIT, Leg, entry_post

    entry_post(date=date(2025, 6, 25), description="Commitment", by=officer,
               legs=[Leg(acc.COMMITMENTS, property_fund, DEBIT, Decimal("500.00")),
                     Leg(acc.COMMITMENT_CONTROL, property_fund, CREDIT, Decimal("500.00"))])
    with unchanged_database():
        response = officer2_client.post(reverse("ledger:correction_approve", args=[prepared.pk]),
                                        {"approve-confirm": "on"})
    assert "£700.00 is available and this needs £1,200.00, £500.00 more than that." in text(response)

"""The monitoring pages: who sees what, downloads, the commentary and threshold forms refusing with a message,
and the officer's home page panel."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Period
from monitoring.models import BudgetCommentary, RagThreshold
from monitoring.services import commentary_record
from tests.rules.conftest import page_text

MONTH = reverse("monitoring:month", args=[2025, 10])


def client_for(client, user):
    client.force_login(user)
    return client


def close_to_october_2025():
    """The month-end closes done up to October 2025 (set directly: closing in order is funds' own test)."""
    Period.objects.filter(start_date__lte=date(2025, 10, 1)).update(is_closed=True)


@pytest.mark.parametrize("who, can_comment", [("officer", True), ("director", False), ("commissioner", False)])
def test_every_role_reads_the_month_with_rag_flags_and_downloads(monitored, commissioner, client, who,
                                                                 can_comment):
    user = commissioner if who == "commissioner" else getattr(monitored, who)
    response = client_for(client, user).get(MONTH)
    text = page_text(response)
    assert response.status_code == 200
    assert "Budget monitoring, October 2025" in text and "Profiled budget to date" in text
    assert "3 amber or red lines have no commentary for October 2025" in text
    assert "NO COMMENTARY: an amber line needs an explanation" in text and "£175,000.00" in text
    commentary_url = reverse("monitoring:commentary", args=[2025, 10, monitored.lines["hubs"].pk])
    assert (commentary_url in response.content.decode()) is can_comment
    for fmt in ("xlsx", "pdf", "csv"):
        assert reverse("monitoring:download", args=[2025, 10, fmt]) in response.content.decode()


def test_a_commissioner_downloads_the_month_in_each_format(monitored, commissioner, client):
    client_for(client, commissioner)
    expected = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
    for fmt, content_type in expected.items():
        response = client.get(reverse("monitoring:download", args=[2025, 10, fmt]))
        assert response.status_code == 200 and response["Content-Type"] == content_type
        assert f'filename="ringfence-monitoring-2025-10.{fmt}"' in response["Content-Disposition"]
    assert client.get(reverse("monitoring:download", args=[2025, 10, "docx"])).status_code == 404


def test_a_month_that_has_not_ended_is_refused_with_a_message(monitored, client):
    today = timezone.localdate()
    response = client_for(client, monitored.director).get(reverse("monitoring:month", args=[today.year,
                                                                                            today.month]))
    assert response.status_code == 404
    assert f"{today:%B %Y} has not ended: its monitoring can be produced from" in page_text(response)
    assert client.get(reverse("monitoring:month", args=[2031, 1])).status_code == 404


def test_the_index_lists_the_months_ended(monitored, client):
    close_to_october_2025()
    response = client_for(client, monitored.officer).get(reverse("monitoring:index"))
    text = page_text(response)
    assert response.status_code == 200 and "Monitoring for October 2025" in text  # the latest closed month
    assert "November 2026" in text and f"{timezone.localdate():%B %Y}" not in text


def test_the_commentary_form_refuses_with_a_message_and_records_commentary(monitored, client, nothing_written):
    close_to_october_2025()
    client_for(client, monitored.officer)
    url = reverse("monitoring:commentary", args=[2025, 10, monitored.lines["hubs"].pk])
    assert client.get(url).status_code == 200
    with nothing_written():
        refused = client.post(url, {"text": "One hub opened late.", "reason": ""})
    assert refused.status_code == 400
    assert "October 2025 is closed; give a reason for commenting after the close." in page_text(refused)
    with nothing_written():
        refused = client.post(url, {"text": " ", "reason": "Late"})
    assert "Write the commentary" in page_text(refused)
    done = client.post(url, {"text": "One hub opened late.", "reason": "Budget holder on leave at the close"})
    assert done.status_code == 302 and done["Location"].endswith(f"{MONTH}#line-{monitored.lines['hubs'].pk}")
    assert BudgetCommentary.objects.get().text == "One hub opened late."
    page = page_text(client.get(MONTH))
    assert "One hub opened late." in page and "2 amber or red lines have no commentary" in page


def test_only_finance_officers_open_the_commentary_form(monitored, client):
    url = reverse("monitoring:commentary", args=[2025, 10, monitored.lines["hubs"].pk])
    assert client_for(client, monitored.director).get(url).status_code == 403
    other_year = reverse("monitoring:commentary", args=[2026, 10, monitored.lines["hubs"].pk])
    assert client_for(client, monitored.officer).get(other_year).status_code == 404


def test_thresholds_are_read_by_officers_and_directors_and_set_by_directors(monitored, commissioner, client,
                                                                            nothing_written):
    listing, setting = reverse("monitoring:thresholds"), reverse("monitoring:threshold_set")
    officer_page = client_for(client, monitored.officer).get(listing)
    assert officer_page.status_code == 200 and setting not in officer_page.content.decode()
    assert "default: no global thresholds set" in page_text(officer_page)
    assert client.get(setting).status_code == 403
    assert client_for(client, commissioner).get(listing).status_code == 403
    client_for(client, monitored.director)
    form = {"fund": "", "amber_percent": "5", "amber_amount": "5000", "red_percent": "4", "red_amount": "10000",
            "reason": "Agreed by the group"}
    with nothing_written():
        refused = client.post(setting, form)
    assert refused.status_code == 400 and "Red 4.00% is below amber 5.00%" in page_text(refused)
    done = client.post(setting, form | {"red_percent": "10"})
    assert done.status_code == 302 and RagThreshold.objects.get().red_percent == 10
    assert "Agreed by the group" in page_text(client.get(listing))


def test_the_officers_home_lists_amber_and_red_lines_without_commentary(monitored, client):
    close_to_october_2025()
    commentary_record(line=monitored.lines["counselling"], period=Period.objects.get(start_date=date(2025, 10, 1)),
                      text="Waiting list cleared early.", by=monitored.officer, reason="After the close")
    response = client_for(client, monitored.officer).get(reverse("home"))
    text = page_text(response)
    assert "Amber and red lines without commentary" in text and "Budget monitoring for October 2025" in text
    assert "AMBER Add commentary on MOJ-CORE Victim support hubs" in text
    assert "RED Add commentary on POCA Helping Communities Fund" in text
    assert "Specialist counselling" not in text
    assert reverse("monitoring:commentary", args=[2025, 10, monitored.lines["hubs"].pk]) in response.content.decode()
    assert "Amber and red lines without commentary" not in page_text(client_for(client, monitored.director)
                                                                        .get(reverse("home")))

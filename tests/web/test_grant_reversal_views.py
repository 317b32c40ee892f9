"""The pages that reverse a grant payment or a clawback: the Reverse link on the grant's page (finance officers,
where the service allows it), the confirm page with its reason and date, refusals in the form, and the reversed
document still listed, marked reversed."""

from datetime import date
from decimal import Decimal

import pytest

from grants.payments import clawback_record, payment_record
from ledger.selectors import fund_available
from tests.web.conftest import text


@pytest.fixture
def payment(payable_grant, officer):
    return payment_record(instalment=payable_grant.instalments.order_by("due_date").first(), amount="15000.00",
                          paid_on=date(2025, 7, 30), reference="BACS 000123", by=officer)


def reverse_url(grant, payment):
    return f"/grants/{grant.pk}/payments/{payment.pk}/reverse/"


def test_an_officer_reverses_a_payment_from_the_grant_page(officer_client, payable_grant, payment, funded_core,
                                                          year):
    detail = officer_client.get(f"/grants/{payable_grant.pk}/").content.decode()
    assert f'href="{reverse_url(payable_grant, payment)}"' in detail
    page = text(officer_client.get(reverse_url(payable_grant, payment)))
    assert "Reverse the payment of £15,000.00 on 30/07/2025" in page
    assert f"Reversing posts the mirror image of journal entry {payment.entry.reference}" in page

    response = officer_client.post(reverse_url(payable_grant, payment),
                                   {"reason": "Recorded against the wrong grant", "on": "05/08/2025"})

    assert response["Location"] == f"/grants/{payable_grant.pk}/"
    payment.refresh_from_db()
    entry = payment.reversal
    assert entry.date == date(2025, 8, 5)
    assert fund_available(fund=funded_core, year=year) == Decimal("440000.00")  # committed again, not spent
    after = officer_client.get(response["Location"])
    page = text(after)
    assert f"The payment of £15,000.00 on 30/07/2025 was reversed by journal entry {entry.reference}." in page
    assert f"Reversed on 05/08/2025 by entry {entry.reference}: Recorded against the wrong grant" in page
    assert "Paid £0.00" in page and "Remaining to pay £60,000.00" in page
    assert f'href="{reverse_url(payable_grant, payment)}"' not in after.content.decode()  # reversed once


def test_a_refused_payment_reversal_shows_why_in_the_form_and_writes_nothing(
        officer_client, payable_grant, payment, officer, unchanged_database):
    clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00", received_on=date(2025, 9, 1),
                    reason="Q1 underspend", by=officer)
    detail = officer_client.get(f"/grants/{payable_grant.pk}/").content.decode()
    assert f'href="{reverse_url(payable_grant, payment)}"' not in detail  # the service would refuse it
    with unchanged_database():
        response = officer_client.post(reverse_url(payable_grant, payment),
                                       {"reason": "Wrong grant", "on": "02/09/2025"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith(
        "£2,500.00 has been clawed back from this line; reverse the clawback first.")


def test_a_payment_reversal_without_a_reason_is_refused_on_the_reason(officer_client, payable_grant, payment,
                                                                      unchanged_database):
    with unchanged_database():
        response = officer_client.post(reverse_url(payable_grant, payment), {"reason": "", "on": "05/08/2025"})
    assert response.context["form"].errors["reason"][0].startswith("Say why the grant payment is being reversed")


def test_an_officer_reverses_a_clawback(officer_client, payable_grant, payment, officer, funded_core, year):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Q1 underspend", by=officer)
    url = f"/grants/{payable_grant.pk}/clawbacks/{clawback.pk}/reverse/"
    assert f'href="{url}"' in officer_client.get(f"/grants/{payable_grant.pk}/").content.decode()
    response = officer_client.post(url, {"reason": "The money had not arrived", "on": "03/09/2025"})
    assert response["Location"] == f"/grants/{payable_grant.pk}/"
    clawback.refresh_from_db()
    assert fund_available(fund=funded_core, year=year) == Decimal("440000.00")
    page = text(officer_client.get(response["Location"]))
    assert (f"Reversed on 03/09/2025 by entry {clawback.reversal.reference}: The money had not arrived") in page


def test_commissioners_cannot_reverse_and_see_no_reverse_link(commissioner_client, payable_grant, payment, officer,
                                                              unchanged_database):
    clawback = clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00",
                               received_on=date(2025, 9, 1), reason="Q1 underspend", by=officer)
    clawback_url = f"/grants/{payable_grant.pk}/clawbacks/{clawback.pk}/reverse/"
    detail = commissioner_client.get(f"/grants/{payable_grant.pk}/").content.decode()
    assert "/reverse/" not in detail
    with unchanged_database():
        for url in (reverse_url(payable_grant, payment), clawback_url):
            assert commissioner_client.get(url).status_code == 403
            assert commissioner_client.post(url, {"reason": "Mine", "on": "03/09/2025"}).status_code == 403


def test_a_clawback_dated_before_the_payment_it_returns_is_refused_on_the_page_naming_both_dates(
        officer_client, payable_grant, payment, unchanged_database):
    """Issue 17 through the form: the service's refusal, next to the date, writing nothing."""
    line = payable_grant.funding_lines.get()
    with unchanged_database():
        response = officer_client.post(f"/grants/{payable_grant.pk}/clawback/", {
            "funding_line": str(line.pk), "amount": "100.00", "received_on": "29/07/2025",
            "reason": "Underspend", "confirm": "on"})
    assert response.status_code == 200
    assert ("The clawback is dated 29/07/2025, before the payment of £15,000.00 on 30/07/2025 it would return: as at "
            f"29/07/2025 only £0.00 paid from MOJ-CORE 2025/26 on {payable_grant.reference} is not already returned. "
            "Date it on or after 30/07/2025.") in text(response)

import csv
import io

from django.urls import reverse

from payments.models import DelegatedLimit, LimitChange, PaymentRun
from tests.payments.conftest import db_state
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in


def test_an_officer_prepares_a_run_and_another_authorises_and_pays_it(due, officer, officer2, payable_grant):
    client = signed_in(officer)
    response = client.post(reverse("payments:run_prepare"), {"pay_on": "30/07/2025"})
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payments:run_detail", args=[run.pk])
    page = page_text(client.get(response["Location"]))
    assert f"{run.reference}: pay on 30/07/2025" in page and "Prepared, awaiting authorisation" in page
    assert "2 , totalling £33,000.00" in page or "2, totalling £33,000.00" in page
    assert "Oscar (£100,000.00)" in page  # whose limit covers it
    assert "Authorise" not in page.split("Take a payee out")[0].split("Payments")[-1]  # not for the preparer

    second = signed_in(officer2)
    response = second.post(reverse("payments:run_authorise", args=[run.pk]), {"confirm": "on"})
    assert response.status_code == 302
    page = page_text(second.get(reverse("payments:run_detail", args=[run.pk])))
    assert "******77 ******19" in page and "******62 ******78" in page
    assert "31926819" not in page and "20-45-77" not in page and "204577" not in page
    download = second.get(reverse("payments:run_file", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="payment-run-{run.reference}.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8"), newline="")))
    assert rows[-1] == ["TRAILER", "", "", "3300000", "2", run.reference]
    response = client.post(reverse("payments:run_pay", args=[run.pk]), {"confirm": "on"})
    assert response.status_code == 302
    assert PaymentRun.objects.get(pk=run.pk).status == "paid"
    listing = page_text(client.get(reverse("payments:run_list")))
    assert f"{run.reference} 30/07/2025 Paid 2 £33,000.00 Olivia Oscar" in listing


def test_a_refusal_is_shown_on_the_page_and_writes_nothing(due, officer):
    client = signed_in(officer)
    client.post(reverse("payments:run_prepare"), {"pay_on": "30/07/2025"})
    run = PaymentRun.objects.get()
    before = db_state()
    response = client.post(reverse("payments:run_authorise", args=[run.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert f"You prepared {run.reference}, so someone else" in page_text(response)
    response = client.get(reverse("payments:run_file", args=[run.pk]), follow=True)
    assert "a payment file is made only for an authorised run" in page_text(response)
    assert db_state() == before


def test_withholding_a_payee_from_the_page(due, officer, org):
    client = signed_in(officer)
    client.post(reverse("payments:run_prepare"), {"pay_on": "30/07/2025"})
    run = PaymentRun.objects.get()
    response = client.post(reverse("payments:run_withhold", args=[run.pk]),
                           {"organisation": org.pk, "reason": "Return queried"})
    assert response.status_code == 302
    page = page_text(client.get(reverse("payments:run_detail", args=[run.pk])))
    assert "Taken out : Return queried" in page or "Taken out: Return queried" in page
    assert "1, totalling £18,000.00" in page


def test_a_director_proposes_a_limit_a_commissioner_approves_it_and_officers_only_read_them(
        director, commissioner, officer, officer2):
    response = signed_in(director).post(reverse("payments:limit_propose"),
                                        {"user": officer2.pk, "amount": "£40,000", "reason": "Para 4.2"})
    change = LimitChange.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payments:limit_change", args=[change.pk])
    assert not DelegatedLimit.objects.exists()  # nothing changes until someone else approves
    response = signed_in(commissioner).post(reverse("payments:limit_change_decide", args=[change.pk]),
                                            {"decision": "approve", "confirm": "on"})
    assert response.status_code == 302
    assert DelegatedLimit.objects.get(user=officer2).amount.amount == 40000
    page = page_text(signed_in(officer).get(reverse("payments:limits")))
    assert "Oscar £40,000.00 Para 4.2 (proposed by Diana, change" in page and "Propose the limit" not in page
    assert signed_in(officer).post(reverse("payments:limit_propose"), {"user": officer2.pk, "amount": "1"}) \
        .status_code == 403

import pytest
from django.urls import reverse

from grants.models import BankChangeRequest, BankDetails
from tests.portal.conftest import db_state, signed_in

pytestmark = pytest.mark.django_db


def test_the_provider_sees_their_details_masked_and_asks_for_a_change(org, provider, other_org):
    client = signed_in(provider)
    page = client.get(reverse("portal:bank_details")).content.decode()
    assert "******77" in page and "******19" in page
    assert "20-45-77" not in page and "31926819" not in page and "55667788" not in page and "******88" not in page
    before = db_state()
    refused = client.post(reverse("portal:bank_details"), {"account_name": "", "sort_code": "12", "account_number": "x",
                                                           "reason": ""}).content.decode()
    assert "Give the name on the account" in refused and "Say why the account is changing" in refused
    assert db_state() == before
    client.post(reverse("portal:bank_details"), {"account_name": "Brindley Survivors Trust", "sort_code": "40-11-62",
                                                 "account_number": "21430019", "reason": "Moved to a new bank"})
    request = BankChangeRequest.objects.get()
    assert (request.organisation, request.requested_by, request.status) == (org, provider, "requested")
    assert BankDetails.objects.get(organisation=org).status == BankDetails.Status.VERIFIED  # nothing changed yet
    page = client.get(reverse("portal:bank_details")).content.decode()
    assert "Requested, waiting for the office" in page and "21430019" not in page

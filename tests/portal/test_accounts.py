"""A provider user who leaves: a finance officer makes the account inactive, with a reason; they can no longer sign
in, and everything they sent stays on record (portal/accounts.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from grants.models import ProviderAccount
from portal.accounts import provider_account_deactivate
from portal.invitations import invitation_accept, invitation_create
from tests.portal.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def test_an_inactive_account_cannot_sign_in_and_its_history_says_who_and_why(provider, officer):
    account = provider.provider_account
    provider_account_deactivate(account=account, by=officer, reason="Amina left Brindley in November")
    account.refresh_from_db()
    provider.refresh_from_db()
    assert not account.is_active and not provider.is_active
    latest = account.history.first()
    assert latest.history_user == officer and latest.history_change_reason == "Amina left Brindley in November"
    assert not Client().login(username="amina", password=PASSWORD)


def test_a_reason_is_required_and_a_refusal_writes_nothing(provider, officer):
    account = provider.provider_account
    before = account.history.count()
    with pytest.raises(ValidationError) as refused:
        provider_account_deactivate(account=account, by=officer, reason="  ")
    assert "Say why the account is made inactive" in refused.value.message_dict["reason"][0]
    account.refresh_from_db()
    provider.refresh_from_db()
    assert account.is_active and provider.is_active and account.history.count() == before


def test_only_finance_officers_make_accounts_inactive(provider, other_provider, commissioner):
    for who in (commissioner, other_provider):
        with pytest.raises(PermissionDenied, match="Only finance officers may make provider accounts inactive"):
            provider_account_deactivate(account=provider.provider_account, by=who, reason="No")
    assert ProviderAccount.objects.get(user=provider).is_active


def test_twice_is_refused_and_the_person_can_be_invited_again(provider, org, officer):
    provider_account_deactivate(account=provider.provider_account, by=officer, reason="Left")
    with pytest.raises(ValidationError, match="already inactive"):
        provider_account_deactivate(account=provider.provider_account, by=officer, reason="Left")
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    back = invitation_accept(token=token, username="amina2", password1=PASSWORD, password2=PASSWORD)
    assert back.provider_account.is_active and back.provider_account.organisation == org


def test_the_officer_makes_an_account_inactive_from_the_organisation_page(provider, org, officer):
    client = signed_in(officer)
    page = client.get(f"/organisations/{org.pk}/").content.decode()
    assert "Make amina inactive" in page
    refused = client.post(f"/portal/office/accounts/{provider.provider_account.pk}/deactivate/", {"reason": ""},
                          follow=True)
    assert "Say why the account is made inactive" in refused.content.decode()
    assert ProviderAccount.objects.get(user=provider).is_active
    done = client.post(f"/portal/office/accounts/{provider.provider_account.pk}/deactivate/",
                       {"reason": "Left the charity"}, follow=True)
    assert "can no longer sign in" in done.content.decode()
    assert not ProviderAccount.objects.get(user=provider).is_active

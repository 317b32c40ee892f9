from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.roles import PROVIDER, has_role
from grants.models import ProviderAccount
from grants.providers import provider_organisation
from portal.invitations import invitation_accept, invitation_create, invitation_withdraw, token_hash
from portal.models import Invitation
from tests.portal.conftest import PASSWORD, db_state

pytestmark = pytest.mark.django_db


def counts():
    return (User.objects.count(), ProviderAccount.objects.count(), Invitation.objects.filter(used_at__isnull=False)
            .count(), db_state())


def test_an_invitation_is_emailed_with_a_single_use_link_and_only_its_hash_is_kept(org, officer,
                                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(organisation=org, email="Amina@Brindley.ORG.UK",
                                              full_name=" Amina  Patel", by=officer)
    assert (invitation.email, invitation.full_name) == ("Amina@brindley.org.uk", "Amina Patel")
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Amina@brindley.org.uk"]
    assert f"http://127.0.0.1:8000/portal/invitation/{token}/" in mail.outbox[0].body


@pytest.mark.parametrize("email, full_name, field, message", [
    ("not-an-email", "Amina Patel", "email", "'not-an-email' is not an email address"),
    ("", "Amina Patel", "email", "Give the person's email address"),
    ("amina@brindley.org.uk", "  ", "full_name", "Give the person's full name"),
    ("olivia@office.example", "Olivia", "email", "already belongs to an active account"),
])
def test_bad_invitations_are_refused_and_write_nothing(org, officer, email, full_name, field, message):
    officer.email = "olivia@office.example"
    officer.save()
    before = Invitation.objects.count()
    with pytest.raises(ValidationError) as refused:
        invitation_create(organisation=org, email=email, full_name=full_name, by=officer)
    assert message in " ".join(refused.value.message_dict[field])
    assert Invitation.objects.count() == before


def test_only_finance_officers_invite(org, commissioner):
    with pytest.raises(PermissionDenied):
        invitation_create(organisation=org, email="a@b.org", full_name="A B", by=commissioner)


def test_accepting_makes_exactly_one_provider_user_tied_to_the_organisation(org, officer):
    invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                          by=officer)
    users, accounts = User.objects.count(), ProviderAccount.objects.count()
    user = invitation_accept(token=token, username="amina", password1=PASSWORD, password2=PASSWORD)
    assert (User.objects.count(), ProviderAccount.objects.count()) == (users + 1, accounts + 1)
    assert (user.email, user.first_name, user.last_name) == ("amina@brindley.org.uk", "Amina", "Patel")
    assert has_role(user, PROVIDER) and provider_organisation(user) == org and user.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.user == user


def test_a_used_invitation_cannot_be_used_again(org, officer):
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    invitation_accept(token=token, username="amina", password1=PASSWORD, password2=PASSWORD)
    before = counts()
    with pytest.raises(ValidationError, match="This invitation was used on .*; sign in instead"):
        invitation_accept(token=token, username="amina2", password1=PASSWORD, password2=PASSWORD)
    assert counts() == before


def test_an_expired_invitation_is_refused_with_its_date(org, officer):
    created = timezone.now() - timedelta(days=8)
    invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                          by=officer, now=created)
    before = counts()
    expiry = timezone.localtime(invitation.expires_at)
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token, username="amina", password1=PASSWORD, password2=PASSWORD)
    assert refused.value.messages == [f"This invitation expired on {expiry:%d/%m/%Y %H:%M}; ask the office for a "
                                      "new one."]
    assert counts() == before


def test_an_unknown_or_withdrawn_invitation_is_refused(org, officer, officer2):
    invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                          by=officer)
    with pytest.raises(ValidationError, match="not recognised"):
        invitation_accept(token=token + "x", username="amina", password1=PASSWORD, password2=PASSWORD)
    invitation_withdraw(invitation=invitation, by=officer2)
    before = counts()
    with pytest.raises(ValidationError, match="withdrawn by the office"):
        invitation_accept(token=token, username="amina", password1=PASSWORD, password2=PASSWORD)
    assert counts() == before


def test_every_password_rule_broken_is_named_at_once_and_nothing_is_written(org, officer):
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token, username="amina", password1="12345678", password2="12345678")
    text = " ".join(refused.value.message_dict["password1"])
    assert "too short" in text and "too common" in text and "entirely numeric" in text
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token, username="", password1=PASSWORD, password2=PASSWORD + "x")
    assert set(refused.value.message_dict) == {"username", "password2"}
    assert counts() == before


def test_a_user_name_already_taken_is_refused(org, officer):
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    with pytest.raises(ValidationError, match="The user name 'OLIVIA' is taken"):
        invitation_accept(token=token, username="OLIVIA", password1=PASSWORD, password2=PASSWORD)


def test_the_invitation_page_opens_the_account_and_signs_the_person_in(org, officer):
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    client = Client()
    url = reverse("portal:invitation_accept", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and b"Brindley Survivors Trust" in page.content
    refused = client.post(url, {"username": "amina", "password1": "short", "password2": "short"})
    assert refused.status_code == 200 and b"too short" in refused.content and not User.objects.filter(
        username="amina").exists()
    done = client.post(url, {"username": "amina", "password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done.url == reverse("portal:home")
    assert client.get(reverse("home")).url == reverse("portal:home")
    assert b"Brindley Survivors Trust" in client.get(reverse("portal:home")).content
    assert Client().get(url).status_code == 200 and b"sign in instead" in Client().get(url).content
    assert Client().get(reverse("portal:invitation_accept", args=["nonsense"])).status_code == 404


def test_a_provider_signs_in_on_the_same_login_page_with_the_same_lock_out(provider, settings):
    client = Client()
    for _ in range(settings.LOCKOUT_FAILURES):
        client.post(reverse("login"), {"username": "amina", "password": "wrong-password-1"})
    locked = client.post(reverse("login"), {"username": "amina", "password": PASSWORD})
    assert b"Too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_the_officer_invites_from_the_organisation_page_and_may_withdraw(org, officer):
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("grants:organisation_detail", args=[org.pk]))
    assert b"Invite someone from this organisation" in page.content
    sent = client.post(reverse("portal:invite", args=[org.pk]), {"full_name": "Amina Patel",
                                                                 "email": "amina@brindley.org.uk"}, follow=True)
    assert b"Invitation sent to amina@brindley.org.uk" in sent.content
    invitation = Invitation.objects.get()
    assert invitation.token_hash.encode() not in sent.content
    client.post(reverse("portal:invitation_withdraw", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.withdrawn_by == officer


def test_where_the_second_factor_is_required_a_new_provider_sets_it_up_first(org, officer, settings):
    settings.RINGFENCE_REQUIRE_SECOND_FACTOR = True
    _invitation, token = invitation_create(organisation=org, email="amina@brindley.org.uk", full_name="Amina Patel",
                                           by=officer)
    client = Client()
    client.post(reverse("portal:invitation_accept", args=[token]),
                {"username": "amina", "password1": PASSWORD, "password2": PASSWORD})
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_enrol"))

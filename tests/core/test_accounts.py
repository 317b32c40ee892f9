"""Accounts: strong passwords, logout on password change, sessions that end when idle."""

from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Event, LoginAttempt

PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "quiet-lantern-orchard-42"


@pytest.mark.parametrize(
    "password, message",
    [
        ("Tr0ub4dor&3", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("739184650273", "This password is entirely numeric."),
        ("Olivia-Sandhurst", "The password is too similar to the last name."),
    ],
)
def test_weak_passwords_are_refused(officer, password, message):
    officer.last_name = "Sandhurst"
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, user=officer)
    assert message in refused.value.messages


def test_a_strong_password_passes(officer):
    assert password_validation.validate_password(NEW_PASSWORD, user=officer) is None


def change(client, old, new1, new2=None):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new1,
                                                    "new_password2": new2 if new2 is not None else new1})


def test_the_password_change_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_password_change_page_has_labelled_fields(client, officer):
    client.force_login(officer)
    page = client.get(reverse("password_change")).content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}">' in page


def test_changing_the_password_ends_this_session_and_every_other(client, officer):
    client.login(username="olivia", password=PASSWORD)
    other_device = Client()
    other_device.login(username="olivia", password=PASSWORD)
    assert other_device.get(reverse("home")).status_code == 200

    response = change(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302 and response.url == reverse("login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your password has been changed and you have been logged out everywhere. Log in with your new password."
    ]
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert other_device.get(reverse("home")).url.startswith(reverse("login"))
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert Event.objects.filter(kind="account.password_changed", actor=officer).count() == 1
    assert LoginAttempt.objects.filter(username="olivia", outcome="logout").count() == 1


def test_the_message_is_shown_on_the_login_page(client, officer):
    client.force_login(officer)
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "Your password has been changed" in response.content.decode()


@pytest.mark.parametrize(
    "old, new1, new2, field, message",
    [
        ("wrong-old-password", NEW_PASSWORD, NEW_PASSWORD, "old_password", "Your old password was entered incorrectly"),
        (PASSWORD, "short1", "short1", "new_password1", "This password is too short"),
        (PASSWORD, "password1234", "password1234", "new_password1", "This password is too common."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password2", "The two password fields didn"),
    ],
)
def test_a_refused_change_keeps_the_old_password_and_the_session(client, officer, old, new1, new2, field, message):
    client.force_login(officer)
    response = change(client, old, new1, new2)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert message.split("'")[0] in response.content.decode().replace("&#x27;", "'")
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    assert not Event.objects.filter(kind="account.password_changed").exists()


def test_settings_end_a_session_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "core.middleware.SessionRefreshMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_request_pushes_the_expiry_forward_at_most_once_a_minute(client, officer):
    client.force_login(officer)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("home")).status_code == 200
    expiry = Session.objects.get(pk=session.pk).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)  # thirty minutes from this request, not from login
    # Within the minute, reading a page writes nothing (on SQLite it never waits for a long write).
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=2))
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date < timezone.now() + timedelta(minutes=3)


def test_an_idle_session_has_ended(client, officer):
    client.force_login(officer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next=/"


def test_the_admins_change_password_link_leads_to_the_page_that_logs_out_everywhere(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response.url == reverse("password_change")


def test_a_short_new_password_and_a_differing_confirmation_are_refused_together(client, officer):
    """Django checked the rules only once the confirmation matched: the person met the mismatch, then the length.
    Every rule the new password breaks and the mismatch now come in the one response, each linked to its field."""
    from tests.web.summary import field_ids, summary_items

    client.force_login(officer)
    response = change(client, PASSWORD, "739184", "739185")

    assert response.status_code == 200
    items = summary_items(response)
    assert items == [
        ("id_new_password1", "This password is too short. It must contain at least 12 characters."),
        ("id_new_password1", "This password is entirely numeric."),
        ("id_new_password2", "The two password fields didn’t match."),
    ]
    assert {target for target, _ in items} <= field_ids(response)
    assert "see the messages below" not in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert Client().login(username="olivia", password=PASSWORD)
    assert not Event.objects.filter(kind="account.password_changed").exists()


def test_a_wrong_old_password_is_reported_with_the_new_passwords_faults(client, officer):
    from tests.web.summary import summary_items

    client.force_login(officer)
    response = change(client, "not-my-password", "short1", "short2")

    items = summary_items(response)
    assert ("id_old_password", "Your old password was entered incorrectly. Please enter it again.") in items
    assert ("id_new_password1", "This password is too short. It must contain at least 12 characters.") in items
    assert ("id_new_password2", "The two password fields didn’t match.") in items


def test_the_login_page_links_a_missing_user_name_to_its_field(client, officer):
    from tests.web.summary import field_ids, summary_items

    response = client.post(reverse("login"), {"username": "", "password": PASSWORD})
    assert summary_items(response) == [("id_username", "This field is required.")]
    assert "id_username" in field_ids(response)


def test_a_wrong_password_at_login_is_a_plain_item_of_the_summary(client, officer):
    from tests.web.summary import summary_items

    response = client.post(reverse("login"), {"username": "olivia", "password": "wrong-password-1"})
    [(target, message)] = summary_items(response)
    assert target == "" and message.startswith("That user name and password do not match.")

"""The administrator's reset of a lost phone (manage.py reset_second_factor), and the admin's read-only view of who
has set up a second factor."""

import getpass
import time
from io import StringIO

import pytest
from django.contrib.admin import AdminSite
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Event
from core.two_factor import second_factor_enrol
from core.two_factor_admin import ReadOnlyDeviceAdmin, device_admins_register

PASSWORD = "correct-horse-battery-9"
KEY = "3132333435363738393031323334353637383930"


def app_code(steps_ahead=0) -> str:
    totp = TOTP(bytes.fromhex(KEY))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrolled(user):
    return second_factor_enrol(user=user, key_hex=KEY, code=app_code(steps_ahead=-1))


def reset(*args) -> str:
    out = StringIO()
    call_command("reset_second_factor", *args, stdout=out)
    return out.getvalue().strip()


def test_a_reset_removes_the_app_and_the_codes_and_records_the_reason(officer):
    _, codes = enrolled(officer)
    StaticToken.objects.filter(token=codes[0]).delete()  # one used

    output = reset("olivia", "--reason", "Phone lost; identity checked by call-back 3/12/2026")

    event = Event.objects.get(kind="account.second_factor_reset")
    assert output == (f"Removed olivia's authenticator app (1) and 9 unused recovery code(s); recorded as event "
                      f"{event.pk}. They sign in with their password alone until they set up a new app from their "
                      f"account page.")
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists() and not StaticToken.objects.exists()
    assert (event.actor, event.object_type, event.object_id) == (None, "auth.user", str(officer.pk))
    assert event.reason == "Phone lost; identity checked by call-back 3/12/2026"
    assert event.data == {"operator": getpass.getuser(), "apps_removed": 1, "recovery_codes_removed": 9}


@override_settings(RINGFENCE_REQUIRE_SECOND_FACTOR=True)
def test_after_a_reset_a_verified_session_must_set_up_a_new_app(client, officer):
    enrolled(officer)
    client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    client.post(reverse("two_factor_verify"), {"code": app_code()})
    assert client.get(reverse("home")).status_code == 200

    output = reset("olivia", "--reason", "Phone replaced")

    assert output.endswith("They will be asked to set up a new app when they next sign in.")
    assert client.get(reverse("home")).url == f"{reverse('two_factor_enrol')}?next=%2F"


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody", "--reason", "Lost"], "There is no user named 'nobody': give the user name they sign in with."),
        (["olivia", "--reason", "  "], 'Give the reason for the reset, e.g. --reason "Phone lost, reported '
                                       '3/12/2026".'),
        (["olivia"], "Error: the following arguments are required: --reason"),
    ],
)
def test_a_reset_without_a_known_user_or_a_reason_is_refused_and_writes_nothing(officer, args, message):
    enrolled(officer)
    with pytest.raises(CommandError) as refused:
        reset(*args)
    assert str(refused.value) == message
    assert TOTPDevice.objects.count() == 1 and StaticToken.objects.count() == 10
    assert not Event.objects.filter(kind="account.second_factor_reset").exists()


def test_resetting_someone_with_nothing_set_up_says_so(officer):
    with pytest.raises(CommandError) as refused:
        reset("olivia", "--reason", "Lost phone")
    assert str(refused.value) == "olivia has no second factor set up: there is nothing to reset."
    assert not Event.objects.filter(kind="account.second_factor_reset").exists()


def test_the_admin_lists_devices_but_cannot_add_change_delete_or_read_keys(admin_user):
    site = AdminSite(name="probe")
    device_admins_register(site)
    request = RequestFactory().get("/")
    request.user = admin_user
    for model in (TOTPDevice, StaticDevice):
        model_admin = site._registry[model]
        assert isinstance(model_admin, ReadOnlyDeviceAdmin)
        assert model_admin.has_view_permission(request)
        assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                    or model_admin.has_delete_permission(request))
        assert "key" not in model_admin.get_fields(request) and not model_admin.get_inlines(request, None)
    totp_urls = {url.name for url in site._registry[TOTPDevice].get_urls()}
    assert not {"otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"} & totp_urls  # django-otp's key pages

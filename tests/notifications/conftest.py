"""Fixtures for the reminders. From the grants tests: Brindley Survivors Trust and a £60,000.00 grant from MOJ-CORE
2025/26 (1 April 2025 to 31 March 2026, quarterly). From the payments tests: delegated limits (Oscar £100,000.00,
Dmitri £1,000,000.00, Diana £250,000.00). Everyone has an email address unless a test takes it away."""

import pytest
from django.contrib.auth.models import Group

from core.roles import PROVIDER
from grants.models import ProviderAccount
from tests.conftest import make_user
from tests.grants.conftest import (  # noqa: F401  (fixtures)
    accepted_grant,
    approved_grant,
    draft_grant,
    fast_password_hashing,
    org,
    payable_grant,
    service,
    submitted_grant,
)
from tests.payments.conftest import director2, limits  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RINGFENCE_SITE_URL = "https://ringfence.example"


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@ringfence.example"
        user.save()
    return users


@pytest.fixture
def staff(officer, officer2, commissioner, commissioner2, director):
    return with_email(officer, officer2, commissioner, commissioner2, director)


@pytest.fixture
def provider(org, officer):  # noqa: F811  (the fixture)
    """Pat, at Brindley Survivors Trust."""
    user = make_user("pat", email="pat@brindley.example")
    user.groups.add(Group.objects.get(name=PROVIDER))
    ProviderAccount.objects.create(user=user, organisation=org, created_by=officer)
    return user

"""The one role check every service makes, and the role sets named after who is in them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from core.roles import (
    COMMISSIONERS_AND_DIRECTORS,
    EVERY_ROLE,
    FINANCE_DIRECTORS,
    FINANCE_OFFICERS,
    OFFICERS_AND_COMMISSIONERS,
    require_role,
)


def test_a_holder_of_the_role_passes(officer, director):
    require_role(officer, FINANCE_OFFICERS, doing="record income")
    require_role(director, COMMISSIONERS_AND_DIRECTORS, doing="decide virements")
    require_role(officer, EVERY_ROLE, doing="produce statements")


@pytest.mark.parametrize(
    "roles, message",
    [
        (FINANCE_OFFICERS, "Only finance officers may record income."),
        (OFFICERS_AND_COMMISSIONERS, "Only finance officers or commissioners may record income."),
        (EVERY_ROLE, "Only finance officers, commissioners or finance directors may record income."),
    ],
)
def test_the_refusal_says_who_may(admin_user, roles, message):
    """A superuser holds no Ringfence role: the admin is not a back door into the services."""
    with pytest.raises(PermissionDenied) as refused:
        require_role(admin_user, roles, doing="record income")
    assert str(refused.value) == message


def test_people_without_the_role_and_nobody_are_refused(commissioner, db):
    for who in (commissioner, AnonymousUser(), None):
        with pytest.raises(PermissionDenied, match="Only finance directors may reopen a closed period."):
            require_role(who, FINANCE_DIRECTORS, doing="reopen a closed period")


def test_an_unknown_role_is_a_programming_error(officer):
    with pytest.raises(ValueError, match="require_role needs roles"):
        require_role(officer, ("Treasurer",), doing="anything")

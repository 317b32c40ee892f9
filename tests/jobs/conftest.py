import pytest

from tests.jobs.worker import media_root  # noqa: F401  (fixture)
from tests.web.conftest import director_client, officer2_client, officer_client  # noqa: F401  (fixtures)
from tests.yearend.conftest import (  # noqa: F401  (fixtures: a year ready for its year end)
    accept_return,
    accepted_grant,
    approved_grant,
    closed_year,
    complete_checks,
    delivered,
    draft_grant,
    fast_password_hashing,
    org,
    service,
    submitted_grant,
)


@pytest.fixture(autouse=True)
def own_media(media_root):  # noqa: F811  (the imported fixture)
    return media_root

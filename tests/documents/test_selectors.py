"""Which documents each person sees on a record."""

import pytest

from documents.selectors import attachments_for
from documents.services import attachment_add, attachment_withdraw
from documents.visibility import may_see, organisation_of
from tests.documents.conftest import CSV_BYTES, PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def test_office_roles_see_everything_providers_only_shared_or_their_own(org, officer, officer2, director, provider,
                                                                        other_provider):
    shared = attachment_add(record=org, upload=upload("agreement.pdf", PDF_BYTES), kind="grant_agreement",
                            by=officer, visible_to_provider=True)
    internal = attachment_add(record=org, upload=upload("checks.csv", CSV_BYTES), kind="evidence", by=officer)
    theirs = attachment_add(record=org, upload=upload("evidence.csv", CSV_BYTES), kind="evidence", by=provider)
    attachment_withdraw(attachment=shared, by=officer2, reason="Superseded")
    assert [a.pk for a in attachments_for(org, user=director)] == [theirs.pk, internal.pk, shared.pk]
    seen = attachments_for(org, user=provider)
    assert [a.pk for a in seen] == [theirs.pk, shared.pk]
    assert [a.is_withdrawn for a in seen] == [False, True]  # withdrawn ones are listed, marked
    assert attachments_for(org, user=other_provider) == []


def test_a_provider_sees_records_of_their_organisation_only(org, other_org, draft_grant, provider, officer):
    assert organisation_of(draft_grant) == org
    assert may_see(provider, org) and may_see(provider, draft_grant)
    assert not may_see(provider, other_org)
    assert may_see(officer, other_org)

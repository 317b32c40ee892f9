"""Publishing and withdrawing: who may, what is kept (bytes, SHA-256, who and when, history), re-publishing
(supersedes), and the refusals, each writing nothing."""

import hashlib
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Event
from grants.models import Decision, Payment
from grants.payments import payment_reverse
from transparency.models import Publication
from transparency.publications import publication_publish, publication_withdraw
from transparency.spending import spending_csv


def test_the_director_publishes_a_month_and_its_bytes_are_kept_with_their_sha256(world, users):
    publication = publication_publish(kind="spending-month", month="2025-07", by=users["director"])
    content = bytes(publication.content)
    assert content == spending_csv(month="2025-07")[0]
    assert (publication.sha256, publication.size, publication.rows) == (hashlib.sha256(content).hexdigest(),
                                                                       len(content), 6)
    assert (publication.key, publication.filename, publication.content_type) == (
        "spending-month:2025-07", "spending-over-500-2025-07.csv", "text/csv; charset=utf-8")
    assert (publication.month, publication.status, publication.published_by) == (date(2025, 7, 1), "published",
                                                                                 users["director"])
    assert publication.history.get().history_user == users["director"]
    event = Event.objects.get(kind="publication.published")
    assert event.actor == users["director"] and event.data["sha256"] == publication.sha256


@pytest.mark.parametrize("who", ["officer", "commissioner"])
def test_only_a_finance_director_publishes_or_withdraws(world, users, unchanged_database, who):
    with unchanged_database(), pytest.raises(PermissionDenied, match="Only finance directors may publish"):
        publication_publish(kind="contracts", by=users[who])
    publication = publication_publish(kind="contracts", by=users["director"])
    with unchanged_database(), pytest.raises(PermissionDenied, match="Only finance directors may withdraw"):
        publication_withdraw(publication=publication, reason="Wrong", by=users[who])


@pytest.mark.parametrize("arguments, field, message", [
    ({"kind": "spending-month"}, "month", "Give the month whose spending to publish"),
    ({"kind": "spending-month", "month": "NOW"}, "month", "has not ended"),
    ({"kind": "spending-month", "month": "2025-08"}, "month", "August 2025 (P5 of 2025/26) is still open"),
    ({"kind": "360giving"}, "year", "Give the financial year of the 360Giving package"),
    ({"kind": "360giving", "year": "2031/32"}, "year", "There is no financial year 2031/32."),
    ({"kind": "360giving", "year": "2024/25"}, "year", "No grants to publish for 2024/25"),
    ({"kind": "annual-report"}, "kind", "'annual-report' is not something Ringfence publishes"),
])
def test_publishing_refusals_write_nothing(world, users, unchanged_database, arguments, field, message):
    if arguments.get("month") == "NOW":
        arguments = {**arguments, "month": f"{timezone.localdate():%Y-%m}"}
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        publication_publish(by=users["director"], **arguments)
    assert message in refused.value.message_dict[field][0]


def test_publishing_again_supersedes_and_keeps_the_old_copy(world, users):
    director = users["director"]
    first = publication_publish(kind="spending-month", month="2025-07", by=director)
    with pytest.raises(ValidationError, match="is already published with exactly these contents"):
        publication_publish(kind="spending-month", month="2025-07", by=director)
    payment_reverse(payment=Payment.objects.get(pk=world["paid_500"].pk), reason="Paid to the wrong grant",
                    by=users["officer"])
    second = publication_publish(kind="spending-month", month="2025-07", by=director)
    first.refresh_from_db()
    assert (first.status, second.status, second.supersedes) == ("superseded", "published", first)
    assert bytes(first.content) != bytes(second.content) and second.rows == first.rows - 1
    assert first.superseded_by == second
    assert Publication.objects.filter(key="spending-month:2025-07", status="published").get() == second


def test_withdrawing_needs_a_reason_and_only_the_public_copy_is_withdrawn(world, users, unchanged_database):
    director = users["director"]
    old = publication_publish(kind="decisions", by=director)
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        publication_withdraw(publication=old, reason="  ", by=director)
    assert "Say why the file is withdrawn" in refused.value.message_dict["reason"][0]
    Decision.objects.filter(pk=world["decisions"]["titled"].pk).update(title="Renamed")
    new = publication_publish(kind="decisions", by=director)
    with unchanged_database(), pytest.raises(ValidationError, match="is superseded, not public"):
        publication_withdraw(publication=old, reason="Mistake", by=director)
    withdrawn = publication_withdraw(publication=new, reason="Names a refuge's supplier in error", by=director)
    assert (withdrawn.status, withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (
        "withdrawn", director, "Names a refuge's supplier in error")
    assert not Publication.objects.filter(status="published").exists()
    again = publication_publish(kind="decisions", by=director)  # a withdrawn file may be published again, afresh
    assert again.supersedes is None and again.status == "published"


def test_the_360giving_package_is_published_as_the_command_writes_it(world, users):
    publication = publication_publish(kind="360giving", year="2025/26", by=users["director"])
    package = json.loads(bytes(publication.content).decode("utf-8"))
    assert (publication.key, publication.filename, publication.content_type) == (
        "360giving:2025/26", "360giving-grants-2025-26.json", "application/json")
    assert publication.rows == len(package["grants"]) == 1  # the refuge's grant is left out
    assert bytes(publication.content).endswith(b"}\n")

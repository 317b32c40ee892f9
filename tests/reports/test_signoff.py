"""Monthly packs and the chief finance officer's sign-off: a pack is for a month that has ended, issuing a month again
supersedes its pack (and measures the movement from it), a finance director signs off a pack that rebuilds exactly,
and a signed pack cannot be deleted."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from core.models import Event
from reports.models import IssuedPack, IssuedPackFile, PackSignOff
from reports.packs import pack_issue, pack_movement
from reports.signoff import STATEMENT_OF_REVIEW, pack_digest, pack_sign_off, pack_statuses, packs_awaiting_sign_off
from tests.reports.conftest import pay

CSV = ("csv",)  # one format keeps these tests quick; the rules do not depend on the format


def manifest_sha256(pack) -> str:
    """The pack's SHA-256 computed independently: sha256sum's lines for the files, sorted by name, hashed."""
    lines = sorted((f.filename, hashlib.sha256(bytes(f.content)).hexdigest()) for f in pack.files.all())
    return hashlib.sha256("".join(f"{digest}  {name}\n" for name, digest in lines).encode()).hexdigest()


def test_a_months_pack_is_as_at_its_last_day(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    assert pack.as_at == date(2025, 12, 31)
    assert pack.parameters["as_at"] == "2025-12-31"


@pytest.mark.parametrize("month, message", [
    ("2099-01", "January 2099 has not ended; its pack can be issued from 01/02/2099."),
    ("2026-05", "May 2026 is not in 2025/26; choose a month from April 2025 to March 2026."),
    ("Octember", "'Octember' is not a month; write it like 2026-10."),
])
def test_a_month_that_has_not_ended_or_is_not_in_the_year_is_refused(scenario, month, message):
    with pytest.raises(ValidationError) as refused:
        pack_issue(year="2025/26", month=month, by=scenario.officer, formats=CSV)
    assert refused.value.message_dict["month"] == [message]
    assert not IssuedPack.objects.exists()


def test_a_director_signs_off_a_pack_with_its_sha256(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    sign_off = pack_sign_off(pack=pack, by=scenario.director, statement="Reviewed at the December FDG.")
    assert sign_off.pack_sha256 == manifest_sha256(pack) == pack_digest(pack)
    assert sign_off.signed_by == scenario.director and sign_off.signed_by_name == "Diana"
    assert sign_off.statement == "Reviewed at the December FDG."
    assert Event.objects.filter(kind="pack.signed_off", object_id=str(pack.pk)).count() == 1
    assert pack_statuses([pack])[pack.pk].label.startswith("Signed off by Diana on ")
    assert packs_awaiting_sign_off() == []


def test_only_a_finance_director_signs_off(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    with pytest.raises(PermissionDenied, match="Only finance directors may sign off statement packs."):
        pack_sign_off(pack=pack, by=scenario.officer)
    assert not PackSignOff.objects.exists()
    assert packs_awaiting_sign_off() == [pack]


def test_a_pack_that_does_not_rebuild_exactly_is_not_signed_off(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    tampered = pack.files.get(filename__endswith="-fund.csv")
    IssuedPackFile.objects.filter(pk=tampered.pk).update(sha256="0" * 64)  # as if the stored file had been altered
    with pytest.raises(ValidationError) as refused:
        pack_sign_off(pack=pack, by=scenario.director)
    assert refused.value.messages == [
        f"Pack {pack.pk} does not rebuild exactly (the files {tampered.filename} differ from what was issued), so it "
        f"cannot be signed off. Run `python manage.py verify_pack {pack.pk}` and issue the pack again."
    ]
    assert not PackSignOff.objects.exists()


def test_a_statement_of_review_is_required_and_a_pack_is_signed_once(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    with pytest.raises(ValidationError) as refused:
        pack_sign_off(pack=pack, by=scenario.director, statement="   ")
    assert refused.value.message_dict["statement"][0].startswith("Write the statement of review you are signing")
    pack_sign_off(pack=pack, by=scenario.director)
    with pytest.raises(ValidationError, match=f"Pack {pack.pk} was already signed off by Diana on "):
        pack_sign_off(pack=pack, by=scenario.director)
    assert PackSignOff.objects.get().statement == STATEMENT_OF_REVIEW


def test_issuing_a_month_again_supersedes_its_pack_and_shows_the_movement(scenario):
    first = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    other_month = pack_issue(year="2025/26", month="2025-11", by=scenario.officer, formats=CSV)
    pay(scenario.core, "5000.00", scenario.officer, date(2025, 12, 10))
    again = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    # measured from the December pack it replaces, not from November's, issued in between
    assert again.parameters["previous_pack"] == first.pk
    core = next(line for line in pack_movement(pack=again) if line.fund == "MOJ-CORE")
    assert core.movement["actual"] == 5000
    statuses = pack_statuses([first, other_month, again])
    assert statuses[first.pk].superseded_by == again
    assert statuses[other_month.pk].superseded_by is None and statuses[again.pk].superseded_by is None
    assert packs_awaiting_sign_off() == [again, other_month]
    with pytest.raises(ValidationError, match=f"superseded by pack {again.pk}.*sign off pack {again.pk} instead"):
        pack_sign_off(pack=first, by=scenario.director)


def test_a_signed_pack_and_its_sign_off_cannot_be_deleted_or_changed_by_django_or_by_sql(scenario):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    pack_sign_off(pack=pack, by=scenario.director)
    with pytest.raises(ProtectedError):
        pack.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reports_issuedpackfile WHERE pack_id = %s", [pack.pk])
            cursor.execute("DELETE FROM reports_issuedpack WHERE id = %s", [pack.pk])
        connection.check_constraints()
    # nor by removing the sign-off first, or changing what it says
    for sql in ("DELETE FROM reports_packsignoff WHERE pack_id = %s",
                "UPDATE reports_packsignoff SET pack_sha256 = 'x' WHERE pack_id = %s"):
        with pytest.raises((IntegrityError, DatabaseError), match="written once"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pack.pk])
    assert IssuedPack.objects.filter(pk=pack.pk).exists()
    assert PackSignOff.objects.get(pack=pack).pack_sha256 == pack_digest(pack)


def test_the_director_signs_off_on_the_pack_page(scenario, client):
    pack = pack_issue(year="2025/26", month="2025-12", by=scenario.officer, formats=CSV)
    client.force_login(scenario.officer)
    assert client.get(f"/statements/packs/{pack.pk}/sign-off/").status_code == 403
    listing = client.get("/statements/").content.decode()
    assert "December 2025" in listing and "Not signed off" in listing
    client.force_login(scenario.director)
    detail = client.get(f"/statements/packs/{pack.pk}/").content.decode()
    assert f'href="/statements/packs/{pack.pk}/sign-off/"' in detail and pack_digest(pack) in detail
    refused = client.post(f"/statements/packs/{pack.pk}/sign-off/", {"statement": "Reviewed."})
    assert refused.status_code == 200 and not PackSignOff.objects.exists()
    done = client.post(f"/statements/packs/{pack.pk}/sign-off/", {"statement": "Reviewed.", "confirm": "on"})
    assert done["Location"] == f"/statements/packs/{pack.pk}/"
    detail = client.get(done["Location"]).content.decode()
    assert "Signed off</strong> by Diana" in detail and "(the same now)" in detail
    assert "Sign off pack" not in detail


def test_the_commands_issue_a_months_pack_and_sign_it_off(scenario):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("issue_pack", "--year", "2025/26", "--month", "2026-02", "--user", scenario.officer.username,
                 "--formats", "csv", stdout=out)
    pack = IssuedPack.objects.get()
    assert pack.as_at == date(2026, 2, 28) and f"Issued pack {pack.pk}" in out.getvalue()
    with pytest.raises(CommandError, match="Only finance directors may sign off statement packs."):
        call_command("sign_off_pack", str(pack.pk), "--user", scenario.officer.username, stdout=StringIO())
    call_command("sign_off_pack", str(pack.pk), "--user", scenario.director.username, stdout=out)
    assert f"Pack {pack.pk} signed off by Diana; pack SHA-256 {manifest_sha256(pack)}" in out.getvalue()


def test_a_pack_or_a_monitoring_download_for_a_month_still_running_is_refused(scenario):
    from django.utils import timezone

    from reports.exports import render

    today = timezone.localdate()
    from funds.calendar import year_for_date, year_open

    year = "2025/26" if today <= date(2026, 3, 31) else year_open(start_year=year_for_date(today)).label
    with pytest.raises(ValidationError) as refused:
        pack_issue(year=year, as_at=today, by=scenario.officer, formats=CSV)
    assert refused.value.message_dict["as_at"] == [
        f"A pack is for a month that has ended: {today:%B %Y} has not ended; its pack can be issued from "
        f"{(today.replace(day=28) + timedelta(days=4)).replace(day=1):%d/%m/%Y}."]
    with pytest.raises(ValidationError, match=f"Budget monitoring is for a month that has ended: {today:%B %Y}"):
        render("csv", year=year, as_at=today, user=scenario.director, statement="monitoring")
    assert not IssuedPack.objects.exists()
    # the other statements may still be produced as at any date
    assert render("csv", year=year, as_at=today, user=scenario.director, statement="fund")[0].endswith("fund.csv")

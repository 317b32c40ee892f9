"""Attaching and withdrawing: who may, what is refused with which message, and that a refusal writes nothing."""

import hashlib
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import Event
from documents.models import Attachment
from documents.services import attachment_add, attachment_check, attachment_withdraw
from documents.sniffing import ACCEPTED
from tests.conftest import make_user
from tests.documents.conftest import CSV_BYTES, PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()) \
        if media_root.exists() else []


def nothing_written(media_root) -> bool:
    return (Attachment.objects.count() == 0 and Attachment.history.count() == 0 and stored_files(media_root) == []
            and not Event.objects.filter(kind__startswith="document.").exists())


def test_a_pdf_is_attached_with_its_sha256_size_and_history(org, officer, media_root):
    attachment = attachment_add(record=org, upload=upload("Grant agreement 2025.pdf", PDF_BYTES),
                                kind="grant_agreement", by=officer, description="Signed copy")
    attachment.refresh_from_db()
    assert attachment.record == org
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.size == len(PDF_BYTES)
    assert attachment.detected_type == "application/pdf"
    assert attachment.original_name == "Grant agreement 2025.pdf"
    assert attachment.uploaded_by == officer and not attachment.visible_to_provider
    # stored under a name the server made, never the person's
    assert attachment.file.name.startswith("documents/") and "Grant" not in attachment.file.name
    assert stored_files(media_root) == [attachment.file.name]
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    history = attachment.history.get()
    assert history.history_user == officer and history.history_change_reason == "Document attached"
    event = Event.objects.get(kind="document.attached")
    assert event.object_type == "grants.organisation" and event.data["sha256"] == attachment.sha256


def test_a_path_in_the_uploaded_name_is_dropped(org, officer):
    attachment = attachment_add(record=org, upload=upload("../../etc/evil\x00.csv", CSV_BYTES), kind="evidence",
                                by=officer)
    assert attachment.original_name == "evil.csv"
    assert ".." not in attachment.file.name and "evil" not in attachment.file.name


@pytest.mark.parametrize("name, content, message", [
    ("page.html", b"<!DOCTYPE html><html><body>x</body></html>",
     f"The file's content is an HTML page, which Ringfence does not accept. Accepted: {ACCEPTED}."),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>',
     f"The file's content is an SVG image, which Ringfence does not accept. Accepted: {ACCEPTED}."),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60,
     f"The file's content is a program (an executable), which Ringfence does not accept. Accepted: {ACCEPTED}."),
    ("letter.png", PDF_BYTES,
     "The file's content is a PDF but its name ends .png. Rename it to end .pdf, or choose the file you meant."),
    ("photo.pdf", PNG_BYTES,
     "The file's content is a PNG image but its name ends .pdf. Rename it to end .png, or choose the file you "
     "meant."),
    ("empty.pdf", b"", "The file is empty. Choose a file with something in it."),
])
def test_refused_files_write_nothing(org, officer, media_root, name, content, message):
    with pytest.raises(ValidationError) as refusal:
        attachment_add(record=org, upload=upload(name, content), kind="evidence", by=officer)
    assert refusal.value.message_dict == {"file": [message]}
    assert nothing_written(media_root)


def test_a_file_over_the_limit_is_refused_naming_its_size_and_the_limit(org, officer, media_root, settings):
    settings.RINGFENCE_UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF_BYTES + b"0" * (1024 * 1024 + 512 * 1024)
    with pytest.raises(ValidationError) as refusal:
        attachment_add(record=org, upload=upload("big.pdf", big), kind="evidence", by=officer)
    assert refusal.value.message_dict == {"file": ["The file is 1.5 MB, over the limit of 1 MB. Choose a smaller "
                                                   "file, or split it."]}
    assert nothing_written(media_root)


def test_the_default_limit_is_ten_megabytes(settings):
    del settings.RINGFENCE_UPLOAD_MAX_BYTES
    with pytest.raises(ValidationError, match="over the limit of 10 MB"):
        attachment_check(upload=upload("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024)))


def test_someone_with_no_role_may_not_attach(org, media_root):
    nobody = make_user("nora")
    with pytest.raises(PermissionDenied):
        attachment_add(record=org, upload=upload("a.pdf", PDF_BYTES), kind="evidence", by=nobody)
    assert nothing_written(media_root)


def test_a_provider_attaches_evidence_to_their_own_organisation_only(org, other_org, provider, media_root):
    mine = attachment_add(record=org, upload=upload("referrals.csv", CSV_BYTES), kind="evidence", by=provider)
    assert mine.visible_to_provider  # their own upload is theirs to see
    with pytest.raises(Http404):
        attachment_add(record=other_org, upload=upload("a.pdf", PDF_BYTES), kind="evidence", by=provider)
    with pytest.raises(ValidationError) as refusal:
        attachment_add(record=org, upload=upload("a.pdf", PDF_BYTES), kind="grant_agreement", by=provider)
    assert refusal.value.message_dict == {"kind": ["Providers add evidence or bank letters; choose one of those."]}
    assert Attachment.objects.count() == 1 and len(stored_files(media_root)) == 1


def test_a_provider_may_not_attach_to_a_service_record(service, provider, media_root):
    with pytest.raises(Http404):
        attachment_add(record=service, upload=upload("a.pdf", PDF_BYTES), kind="evidence", by=provider)
    assert nothing_written(media_root)


def test_withdrawing_keeps_the_file_and_needs_a_reason(org, officer, officer2, commissioner, media_root):
    attachment = attachment_add(record=org, upload=upload("a.pdf", PDF_BYTES), kind="evidence", by=officer)
    with pytest.raises(ValidationError) as refusal:
        attachment_withdraw(attachment=attachment, by=officer2, reason="  ")
    assert refusal.value.message_dict == {"reason": ["Say why the document is withdrawn."]}
    with pytest.raises(PermissionDenied):
        attachment_withdraw(attachment=attachment, by=commissioner, reason="Wrong file")
    done = attachment_withdraw(attachment=attachment, by=officer2, reason="Uploaded to the wrong organisation")
    assert done.is_withdrawn and done.withdrawn_by == officer2
    assert os.path.exists(done.file.path)
    assert [h.history_change_reason for h in done.history.order_by("history_id")] == [
        "Document attached", "Uploaded to the wrong organisation"]
    with pytest.raises(ValidationError, match="already withdrawn"):
        attachment_withdraw(attachment=done, by=officer2, reason="Again")


def test_the_database_refuses_a_withdrawal_without_a_reason(org, officer):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    attachment = attachment_add(record=org, upload=upload("a.pdf", PDF_BYTES), kind="evidence", by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(withdrawn_at=timezone.now(), withdrawn_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(detected_type="text/html")

"""Attaching documents to records, and withdrawing them.

``attachment_check`` reads a file and refuses it, writing nothing, when it is empty, over the size limit
(``settings.RINGFENCE_UPLOAD_MAX_BYTES``), of a type not accepted (read from its bytes: ``documents.sniffing``) or
named as another type. ``attachment_add`` checks who may add to the record first, then the file, then stores it
through the storage API under a name the server makes, with its SHA-256, and records the event.
"""

import hashlib
import unicodedata

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import EVERY_ROLE, FINANCE_OFFICERS, PROVIDERS, require_role
from documents.models import Attachment
from documents.sniffing import DetectedType, Refused, for_extension, sniff
from documents.visibility import PROVIDER_KINDS, PROVIDER_UPLOADS, is_attachable, is_office, label_of, may_see

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MB = 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "RINGFENCE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    text = f"{size / MB:.1f}"
    return text[:-2] if text.endswith(".0") else text


def clean_name(name: str) -> str:
    """The uploaded file's name, safe to show and to offer as the download's name: its last path part only, no
    control characters, at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 199 - len(extension)] + dot + extension) if dot and len(extension) < 20 else name[:200]
    return name or "file"


def _size(upload) -> int:
    if getattr(upload, "size", None) is not None:
        return upload.size
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


def attachment_check(*, upload) -> DetectedType:
    """The type of ``upload`` (a Django ``UploadedFile`` or any named, seekable binary file), read from its content
    and matched against its name; refuses with ``ValidationError({"file": ...})``. Reads only."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    size = _size(upload)
    if size == 0:
        raise ValidationError({"file": "The file is empty. Choose a file with something in it."})
    limit = max_bytes()
    if size > limit:
        raise ValidationError({"file": f"The file is {megabytes(size)} MB, over the limit of {megabytes(limit)} MB. "
                                       "Choose a smaller file, or split it."})
    try:
        handle = upload.file if hasattr(upload, "file") and upload.file is not None else upload
        detected = sniff(handle)
        detected = for_extension(detected, clean_name(upload.name))
    except Refused as refusal:
        raise ValidationError({"file": str(refusal)}) from None
    finally:
        upload.seek(0)
    return detected


def _require_may_attach(by, record, kind: str) -> None:
    if by is None or not getattr(by, "pk", None):
        raise PermissionDenied("Sign in to add documents.")
    if not is_office(by):
        require_role(by, PROVIDERS + EVERY_ROLE, doing="add documents")
        if not may_see(by, record) or label_of(record) not in PROVIDER_UPLOADS:
            raise Http404("No such record.")  # another organisation's record: its existence is not revealed
        if kind not in PROVIDER_KINDS:
            raise ValidationError({"kind": "Providers add evidence or bank letters; choose one of those."})
    if not is_attachable(record):
        raise ValidationError({"record": f"Documents cannot be attached to a {record._meta.verbose_name}."})


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(64 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(*, record, upload, kind: str, by, visible_to_provider: bool = False,
                   description: str = "") -> Attachment:
    """Attach ``upload`` to ``record``. Refused, writing nothing: a record ``by`` may not see (404 for a provider,
    PermissionDenied for someone with no role), a kind not offered, or a file ``attachment_check`` refuses. A
    provider's own upload is always visible to providers."""
    _require_may_attach(by, record, kind)
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": "Choose what kind of document this is."})
    detected = attachment_check(upload=upload)
    sha256 = _sha256(upload)
    original = clean_name(upload.name)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, kind=kind,
        description=(description or "").strip()[:300], original_name=original, size=_size(upload),
        sha256=sha256, detected_type=detected.content_type, uploaded_by=by, uploaded_at=timezone.now(),
        visible_to_provider=bool(visible_to_provider) or not is_office(by),
    )
    attachment.file.save(original, upload, save=False)  # the stored name is attachment_path's, never ``original``
    stored = attachment.file.name
    try:
        save_with_history(attachment, by=by, reason="Document attached")
    except Exception:
        attachment.file.storage.delete(stored)  # no file is kept without its row
        raise
    record_event("document.attached", by=by, obj=record,
                 summary=f"{attachment.get_kind_display()} {original} attached",
                 data={"attachment": attachment.pk, "sha256": sha256, "size": attachment.size})
    return attachment


@transaction.atomic
def attachment_withdraw(*, attachment: Attachment, by, reason: str) -> Attachment:
    """Withdraw a document (finance officers, with a reason). The file and its row are kept, marked withdrawn."""
    require_role(by, FINANCE_OFFICERS, doing="withdraw documents")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the document is withdrawn."})
    row = lock(Attachment.objects.filter(pk=attachment.pk))[0]
    if row.is_withdrawn:
        raise ValidationError({"reason": f"{row.original_name} was already withdrawn on "
                                         f"{timezone.localtime(row.withdrawn_at):%d/%m/%Y}."})
    row.withdrawn_at, row.withdrawn_by, row.withdrawn_reason = timezone.now(), by, reason
    save_with_history(row, by=by, reason=reason)
    record_event("document.withdrawn", by=by, obj=row.record, summary=f"{row.original_name} withdrawn",
                 reason=reason, data={"attachment": row.pk})
    return row

"""Publishing transparency files: a finance director marks a file published, and only then can the public see it.

Rules:
- Only a finance director publishes or withdraws (``require_role``); anyone else is refused.
- Kinds: ``spending-month`` (needs a month that has ended, ``transparency.spending.month_parse``), ``contracts``,
  ``decisions``, ``360giving`` (needs a financial year set up in Ringfence, with at least one grant to publish).
- The file's bytes are produced at the moment of publishing and stored with their SHA-256, size, name, content type,
  who and when: the public copy is exactly what was published, whatever changes afterwards.
- Publishing again what is already public (the same month, the register, the log, the same year's package) replaces
  the public copy: the earlier record is kept, with its bytes, marked superseded, and the new one points at it.
  When the new bytes are identical to the public copy nothing is written and the refusal says so.
- Withdrawing needs a reason; it takes the file off the public page (its address then answers 404) and keeps the
  record, marked withdrawn, with who, when and why. Only the public copy can be withdrawn.
- Everything inside one transaction: a refusal writes nothing.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.roles import FINANCE_DIRECTORS, require_role
from funds.models import FinancialYear
from reports.giving360 import giving360_export
from reports.parameters import year_get
from transparency.contracts import contracts_csv, contracts_filename
from transparency.decisions import decisions_csv, decisions_filename
from transparency.models import Publication
from transparency.spending import month_parse, spending_csv, spending_filename

CSV = "text/csv; charset=utf-8"
JSON = "application/json"
KINDS = {kind.value: kind for kind in Publication.Kind}


@dataclass(frozen=True)
class PublicationFile:
    kind: str
    key: str
    filename: str
    content_type: str
    content: bytes
    rows: int
    month: date | None = None
    year: FinancialYear | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def kind_parse(kind) -> str:
    value = str(getattr(kind, "value", kind) or "").strip().lower()
    if value not in KINDS:
        raise ValidationError({"kind": f"'{str(kind)[:30]}' is not something Ringfence publishes; choose one of "
                                       f"{', '.join(KINDS)}."})
    return value


def publication_key(kind: str, *, month: date | None = None, year: FinancialYear | None = None) -> str:
    if kind == Publication.Kind.SPENDING:
        return f"{kind}:{month:%Y-%m}"
    if kind == Publication.Kind.GIVING360:
        return f"{kind}:{year.label}"
    return kind


def giving360_bytes(package: dict) -> bytes:
    """The package serialised exactly as ``export_360giving`` writes it."""
    return (json.dumps(package, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")


def publication_file(*, kind, month=None, year=None, now: datetime | None = None,
                     today: date | None = None) -> PublicationFile:
    """The file a publication of ``kind`` would hold if published at ``now``; refuses a missing or unended month, a
    year not set up, and a 360Giving year with no grant to publish. Reads only."""
    kind = kind_parse(kind)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if kind == Publication.Kind.SPENDING:
        if month in (None, ""):
            raise ValidationError({"month": "Give the month whose spending to publish, as YYYY-MM, e.g. 2026-10."})
        start = month_parse(month, today=today)
        content, rows = spending_csv(month=start, today=today)
        return PublicationFile(kind, publication_key(kind, month=start), spending_filename(start), CSV, content, rows,
                               month=start)
    if kind == Publication.Kind.GIVING360:
        if year in (None, ""):
            raise ValidationError({"year": "Give the financial year of the 360Giving package, e.g. 2025/26."})
        fy = year_get(year)
        export = giving360_export(year=fy, now=now, as_at=None)
        if not export.published:
            raise ValidationError({"year": f"No grants to publish for {fy.label}: a 360Giving package needs at least "
                                           "one grant awarded in the year and not marked do-not-publish."})
        return PublicationFile(kind, publication_key(kind, year=fy), f"360giving-grants-{fy.start_year}-"
                               f"{(fy.start_year + 1) % 100:02d}.json", JSON, giving360_bytes(export.package),
                               export.published, year=fy)
    if kind == Publication.Kind.CONTRACTS:
        content, rows = contracts_csv()
        return PublicationFile(kind, kind, contracts_filename(today), CSV, content, rows)
    content, rows = decisions_csv()
    return PublicationFile(kind, kind, decisions_filename(today), CSV, content, rows)


@transaction.atomic
def publication_publish(*, kind, month=None, year=None, by, now: datetime | None = None) -> Publication:
    """Produce the file now and make it the public copy (see the module's rules). Returns the new record."""
    require_role(by, FINANCE_DIRECTORS, doing="publish transparency files")
    now = now or timezone.now()
    produced = publication_file(kind=kind, month=month, year=year, now=now)
    current = (Publication.objects.select_for_update()
               .filter(key=produced.key, status=Publication.Status.PUBLISHED).first())
    if current is not None and current.sha256 == produced.sha256:
        raise ValidationError(
            f"{current.title} is already published with exactly these contents (published "
            f"{timezone.localtime(current.published_at):%d/%m/%Y %H:%M} by "
            f"{current.published_by.get_full_name() or current.published_by.get_username()}, SHA-256 "
            f"{current.sha256}); nothing has changed, so there is nothing to publish again."
        )
    if current is not None:
        current.status = Publication.Status.SUPERSEDED
        save_with_history(current, by=by, reason="Superseded by a new publication", clean=False)
    publication = Publication(
        kind=produced.kind, month=produced.month, year=produced.year, key=produced.key, filename=produced.filename,
        content_type=produced.content_type, content=produced.content, size=len(produced.content),
        sha256=produced.sha256, rows=produced.rows, published_by=by, published_at=now, supersedes=current,
    )
    try:
        with transaction.atomic():
            save_with_history(publication, by=by, reason="Published")
    except IntegrityError:  # another director published the same file at the same moment: the unique index held
        raise ValidationError(f"{publication.title} was published by someone else a moment ago; reload the page to "
                              "see the public copy, and publish again only if it needs replacing.")
    summary = f"{publication.title} published ({publication.size:,} bytes, {publication.rows} rows)"
    if current is not None:
        summary += f", superseding the copy published {timezone.localtime(current.published_at):%d/%m/%Y %H:%M}"
    record_event("publication.published", by=by, obj=publication, summary=summary,
                 data={"key": publication.key, "sha256": publication.sha256, "size": publication.size,
                       "supersedes": current.pk if current else None})
    return publication


@transaction.atomic
def publication_withdraw(*, publication: Publication, reason: str, by, now: datetime | None = None) -> Publication:
    """Take the public copy off the public page, with a reason; the record and its bytes are kept."""
    require_role(by, FINANCE_DIRECTORS, doing="withdraw published transparency files")
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.status != Publication.Status.PUBLISHED:
        raise ValidationError(f"{publication.title} ({timezone.localtime(publication.published_at):%d/%m/%Y}) is "
                              f"{publication.get_status_display().lower()}, not public; only the public copy of a "
                              "file is withdrawn.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the file is withdrawn, e.g. 'Names a refuge's supplier in error; "
                                         "a corrected file will follow'."})
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_by = by
    publication.withdrawn_at = now or timezone.now()
    publication.withdrawal_reason = reason
    save_with_history(publication, by=by, reason="Withdrawn from the public page")
    record_event("publication.withdrawn", by=by, obj=publication, reason=reason,
                 summary=f"{publication.title} withdrawn from the public page")
    return publication

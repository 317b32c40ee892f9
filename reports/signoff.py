"""The chief finance officer's sign-off of an issued pack, and which pack is current for a month.

A pack is for the month of its as-at date. Issuing a pack again for the same year and month supersedes the earlier
one (both are kept; the later shows the movement from the earlier). A finance director signs a pack off with a
statement of review; the sign-off records their name, the moment and the pack's SHA-256, and is refused unless the
pack rebuilds exactly (``reports.packs.pack_verify``). A signed pack cannot be deleted.

The pack's SHA-256 (``pack_digest``) is the SHA-256 of its manifest: one line per file, sorted by file name,
``<file SHA-256>  <file name>`` and a newline, as ``sha256sum`` prints it. Anyone holding the files can recompute it
with ``sha256sum * | sort -k2 | sha256sum``.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.roles import FINANCE_DIRECTORS, require_role
from reports.exports import person_label
from reports.models import IssuedPack, IssuedPackFile, PackSignOff
from reports.packs import pack_verify

STATEMENT_OF_REVIEW = (
    "I have reviewed this pack as the chief finance officer. Its statements are a fair account of the budgets, "
    "income, commitments and spending of the funds as at the date shown, and the commentary explains the variances."
)


def pack_manifest(pack: IssuedPack) -> str:
    rows = IssuedPackFile.objects.filter(pack=pack).order_by("filename").values_list("sha256", "filename")
    return "".join(f"{digest}  {name}\n" for digest, name in rows)


def pack_digest(pack: IssuedPack) -> str:
    """The pack's SHA-256: the digest of its manifest of file names and file digests (see the module docstring)."""
    return hashlib.sha256(pack_manifest(pack).encode()).hexdigest()


def month_label(pack: IssuedPack) -> str:
    return f"{pack.as_at:%B %Y}"


def same_month(pack: IssuedPack):
    return IssuedPack.objects.filter(year_id=pack.year_id, as_at__year=pack.as_at.year,
                                     as_at__month=pack.as_at.month)


def pack_superseded_by(pack: IssuedPack) -> IssuedPack | None:
    """The latest pack issued after this one for the same year and month, which replaces it; None if it is current."""
    return (same_month(pack).filter(issued_at__gt=pack.issued_at).exclude(pk=pack.pk)
            .order_by("-issued_at", "-id").first())


def pack_supersedes(pack: IssuedPack) -> IssuedPack | None:
    """The pack for the same year and month issued just before this one, which this one replaces."""
    return (same_month(pack).filter(issued_at__lt=pack.issued_at).exclude(pk=pack.pk)
            .order_by("-issued_at", "-id").first())


@dataclass(frozen=True)
class PackStatus:
    pack: IssuedPack
    sign_off: PackSignOff | None
    superseded_by: IssuedPack | None

    @property
    def label(self) -> str:
        parts = []
        if self.sign_off:
            parts.append(f"Signed off by {self.sign_off.signed_by_name} on "
                         f"{timezone.localtime(self.sign_off.signed_at):%d/%m/%Y %H:%M}")
        else:
            parts.append("Not signed off")
        if self.superseded_by:
            parts.append(f"superseded by pack {self.superseded_by.pk}")
        return "; ".join(parts)


def pack_statuses(packs) -> dict[int, PackStatus]:
    """Sign-off and superseding for a page of packs, in two queries."""
    packs = list(packs)
    sign_offs = {s.pack_id: s for s in PackSignOff.objects.filter(pack__in=packs)}
    months = {(p.year_id, p.as_at.year, p.as_at.month) for p in packs}
    latest = {}
    if months:
        candidates = IssuedPack.objects.filter(year_id__in={m[0] for m in months}).only(
            "id", "year_id", "as_at", "issued_at").order_by("issued_at", "id")
        for other in candidates:
            key = (other.year_id, other.as_at.year, other.as_at.month)
            if key in months:
                latest[key] = other
    result = {}
    for pack in packs:
        newest = latest.get((pack.year_id, pack.as_at.year, pack.as_at.month))
        result[pack.pk] = PackStatus(pack=pack, sign_off=sign_offs.get(pack.pk),
                                     superseded_by=newest if newest and newest.pk != pack.pk else None)
    return result


def packs_awaiting_sign_off():
    """Current packs (not superseded) that nobody has signed off, newest first."""
    unsigned = list(IssuedPack.objects.filter(sign_off__isnull=True).select_related("year", "issued_by")
                    .order_by("-issued_at", "-id"))
    statuses = pack_statuses(unsigned)
    return [p for p in unsigned if statuses[p.pk].superseded_by is None]


@transaction.atomic
def pack_sign_off(*, pack: IssuedPack, by, statement: str = STATEMENT_OF_REVIEW) -> PackSignOff:
    """A finance director records that they reviewed an issued pack. Refused for anyone else, for a pack already
    signed off or superseded, without a statement, and for a pack that does not rebuild exactly."""
    require_role(by, FINANCE_DIRECTORS, doing="sign off statement packs")
    pack = IssuedPack.objects.select_for_update().get(pk=pack.pk)
    existing = PackSignOff.objects.filter(pack=pack).select_related("signed_by").first()
    if existing:
        raise ValidationError(
            f"Pack {pack.pk} was already signed off by {existing.signed_by_name} on "
            f"{timezone.localtime(existing.signed_at):%d/%m/%Y %H:%M}; a pack is signed off once."
        )
    newer = pack_superseded_by(pack)
    if newer:
        raise ValidationError(
            f"Pack {pack.pk} was superseded by pack {newer.pk}, issued for {month_label(pack)} on "
            f"{timezone.localtime(newer.issued_at):%d/%m/%Y %H:%M}; sign off pack {newer.pk} instead."
        )
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": "Write the statement of review you are signing, for example: "
                                            f"“{STATEMENT_OF_REVIEW}”"})
    check = pack_verify(pack=pack)
    if not check.ok:
        different = [name for name, same in check.files.items() if not same]
        detail = (f"the files {', '.join(different)} differ from what was issued" if different
                  else "its figures differ from what was issued")
        raise ValidationError(
            f"Pack {pack.pk} does not rebuild exactly ({detail}), so it cannot be signed off. Run "
            f"`python manage.py verify_pack {pack.pk}` and issue the pack again."
        )
    sign_off = PackSignOff(pack=pack, statement=statement, signed_by=by, signed_by_name=person_label(by),
                           signed_at=timezone.now(), pack_sha256=pack_digest(pack))
    save_with_history(sign_off, by=by, reason=f"Pack {pack.pk} signed off")
    record_event("pack.signed_off", by=by, obj=pack, summary=f"{pack} signed off by {sign_off.signed_by_name}",
                 data={"pack_sha256": sign_off.pack_sha256})
    return sign_off

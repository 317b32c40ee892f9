"""The chain head, anchored outside the database.

The hash chain proves the journal unaltered only while its head cannot be rewritten: someone who owns the database
can change a line, re-hash every entry after it and rebuild the kept balances, and ``verify_ledger`` alone would
pass. So at each month-end close and each issued pack, the head (how many entries, and the last entry's hash) is
appended to an **anchor file** outside the database, each line signed with HMAC-SHA256 under a key the database never
holds (``RINGFENCE_ANCHOR_KEY``) and chained to the line before it. ``verify_ledger --anchors PATH`` then fails unless
the ledger, recomputed from its lines, still passes through every anchored head.

One JSON object per line, fields in a fixed order::

    {"seq": 3, "at": "2026-11-02T09:14:05Z", "event": "period closed: 2026/27 P7 (October 2026)",
     "entries": 1834, "head": "<sha-256 of entry 1834>", "previous": "<mac of line 2>", "mac": "<hmac>"}

The file is opened for appending only and synced to disk before the close or the issue commits; if it cannot be
written, the close or the issue is refused. An auditor keeps their own copy (README, "Anchoring the ledger").
"""

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from ledger.models import ChainHead

FIELDS = ("seq", "at", "event", "entries", "head", "previous")
GENESIS_MAC = "0" * 64


@dataclass(frozen=True)
class Anchor:
    seq: int
    at: str
    event: str
    entries: int
    head: str
    previous: str
    mac: str


def anchor_path() -> Path | None:
    path = getattr(settings, "RINGFENCE_ANCHOR_PATH", "")
    return Path(path) if path else None


def _key() -> bytes:
    key = getattr(settings, "RINGFENCE_ANCHOR_KEY", "")
    if not key:
        raise ImproperlyConfigured("RINGFENCE_ANCHOR_KEY must be set to anchor the ledger (README, configuration).")
    return key.encode()


def _mac(key: bytes, body: dict) -> str:
    message = json.dumps([body[name] for name in FIELDS], separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchors_read(path: Path, *, key: bytes | None = None) -> tuple[list[Anchor], list[str]]:
    """Every anchor in the file and every problem with the file itself: a line that is not an anchor, a signature
    that does not match (a line written without the key, or changed), a line missing or out of order."""
    key = key if key is not None else _key()
    anchors, problems = [], []
    previous = GENESIS_MAC
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return [], [f"anchor file {path}: cannot be read ({error.strerror or error})"]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(**{name: data[name] for name in (*FIELDS, "mac")})
        except (ValueError, KeyError, TypeError):
            problems.append(f"anchor file line {number}: not an anchor record")
            continue
        if not hmac.compare_digest(_mac(key, data), str(anchor.mac)):
            problems.append(
                f"anchor file line {number}: signature does not match (written without the key, or changed)"
            )
            continue
        if anchor.previous != previous or anchor.seq != len(anchors) + 1:
            problems.append(f"anchor file line {number}: anchor {anchor.seq} does not follow the one before it "
                            "(an anchor was removed, reordered or copied from another file)")
        anchors.append(anchor)
        previous = anchor.mac
    return anchors, problems


def anchor_record(*, event: str) -> Anchor | None:
    """Append the current chain head to the anchor file, signed. Returns None when no anchor file is configured
    (development without ``RINGFENCE_ANCHOR_PATH``); production settings require one. Raises ValidationError, so the
    calling close or issue is refused and rolled back, when the file cannot be written."""
    path = anchor_path()
    if path is None:
        return None
    key = _key()
    head = ChainHead.objects.filter(pk=1).first()
    entries, last_hash = (head.entries, head.last_hash) if head is not None else (0, "0" * 64)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existing, problems = anchors_read(path, key=key) if path.exists() else ([], [])
        if problems:
            raise ValidationError(
                f"The ledger's anchor file {path} is damaged ({problems[0]}), so no new anchor was written and "
                "nothing was done. Restore the file from the auditor's copy, then try again."
            )
        body = {
            "seq": len(existing) + 1,
            "at": timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event": event,
            "entries": entries,
            "head": last_hash,
            "previous": existing[-1].mac if existing else GENESIS_MAC,
        }
        body["mac"] = _mac(key, body)
        line = (json.dumps(body, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, line)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise ValidationError(
            f"The ledger's anchor file {path} could not be written ({error.strerror or error}), so nothing was done. "
            "Check the disk and the file's permissions, then try again."
        )
    return Anchor(**body)


def anchor_problems(path: Path, hashes_by_count: dict[int, str], total: int) -> list[str]:
    """Compare the anchors with the chain recomputed from the lines: ``hashes_by_count`` maps an entry count to
    the hash of that entry (the chain's head after that many entries)."""
    anchors, problems = anchors_read(path)
    if not anchors and not problems:
        problems.append(f"anchor file {path}: holds no anchor")
    for anchor in anchors:
        if anchor.entries > total:
            problems.append(
                f"anchor {anchor.seq} ({anchor.event}, {anchor.at}): recorded {anchor.entries} entries but the "
                f"ledger now has {total} (entries were removed)"
            )
        elif hashes_by_count.get(anchor.entries, "0" * 64) != anchor.head:
            problems.append(
                f"anchor {anchor.seq} ({anchor.event}, {anchor.at}): the ledger no longer leads to the recorded head "
                f"after {anchor.entries} entries (recorded {anchor.head[:12]}, now "
                f"{hashes_by_count.get(anchor.entries, '0' * 64)[:12]}): entries up to then were changed and re-hashed"
            )
    return problems

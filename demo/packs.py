"""Issued statement packs for the demo: the finance directors' group received the Q2 and Q3 2025/26 packs, so the
director's downloads show issued packs, their hashes and the movement between them."""

from datetime import date

from reports.models import IssuedPack
from reports.packs import pack_issue

DEMO_PACKS = [
    (date(2025, 9, 30), "Quarter 2 pack for the finance directors' group"),
    (date(2025, 12, 31), "Quarter 3 pack for the finance directors' group"),
]


def seed_packs(users) -> list[IssuedPack]:
    """Issue the demo's packs for 2025/26 (only when none has been issued yet)."""
    if IssuedPack.objects.exists():
        return []
    return [pack_issue(year="2025/26", as_at=as_at, by=users["director"], note=note) for as_at, note in DEMO_PACKS]

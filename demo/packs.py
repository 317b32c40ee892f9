"""Issued statement packs for the demo: the finance directors' group received the Q2 and Q3 2025/26 packs, and the
monthly packs of 2026/27: September's is signed off by the chief finance officer; October's waits for their
sign-off, so the director's home and the statements page show both kinds, with hashes and the movement between them."""

from datetime import date

from reports.models import IssuedPack
from reports.packs import pack_issue
from reports.signoff import pack_sign_off

DEMO_PACKS = [
    (date(2025, 9, 30), "Quarter 2 pack for the finance directors' group"),
    (date(2025, 12, 31), "Quarter 3 pack for the finance directors' group"),
]

MONTHLY_PACKS = [
    # month, note, signed off by the director
    ("2026-09", "September 2026 monitoring pack for the finance directors' group", True),
    ("2026-10", "October 2026 monitoring pack for the finance directors' group", False),
]


def seed_packs(users) -> list[IssuedPack]:
    """Issue the demo's packs for 2025/26, each signed off by the director once reviewed (only when none has been
    issued yet)."""
    if IssuedPack.objects.exists():
        return []
    packs = [pack_issue(year="2025/26", as_at=as_at, by=users["director"], note=note) for as_at, note in DEMO_PACKS]
    for pack in packs:
        pack_sign_off(pack=pack, by=users["director"])
    return packs


def seed_monthly_packs(users, *, today: date) -> list[IssuedPack]:
    """The officer issues September's and October's 2026/27 packs once the months' commentary is in; the director
    signs September's off. Only when no 2026/27 pack exists yet, and only for months that have ended by ``today``."""
    if IssuedPack.objects.filter(year__start_year=2026).exists():
        return []
    issued = []
    for month, note, signed in MONTHLY_PACKS:
        year, number = map(int, month.split("-"))
        if today < date(year + number // 12, number % 12 + 1, 1):
            continue
        pack = pack_issue(year="2026/27", month=month, by=users["finance"], note=note)
        if signed:
            pack_sign_off(pack=pack, by=users["director"])
        issued.append(pack)
    return issued

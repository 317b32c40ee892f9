"""Issued statement packs for the demo: the finance directors' group received the Q2 and Q3 2025/26 packs, and the
monthly packs of 2026/27: September's is signed off by the chief finance officer; October's waits for their
sign-off, so the director's home and the statements page show both kinds, with hashes and the movement between them.
Each pack is issued a few days after its month's close, and signed off a few days after that."""

from datetime import date

from demo.timeline import at, run_stories
from reports.models import IssuedPack
from reports.packs import pack_issue
from reports.signoff import pack_sign_off

DEMO_PACKS = [
    # as at, note, issued on, signed off on
    (date(2025, 9, 30), "Quarter 2 pack for the finance directors' group", date(2025, 10, 14), date(2025, 10, 16)),
    (date(2025, 12, 31), "Quarter 3 pack for the finance directors' group", date(2026, 1, 14), date(2026, 1, 16)),
]

MONTHLY_PACKS = [
    # month, note, issued on, signed off by the director on (None: waiting)
    ("2026-09", "September 2026 monitoring pack for the finance directors' group", date(2026, 10, 8),
     date(2026, 10, 9)),
    ("2026-10", "October 2026 monitoring pack for the finance directors' group", date(2026, 11, 10), None),
]


def seed_packs(users) -> list[IssuedPack]:
    """Issue the demo's packs for 2025/26, each signed off by the director once reviewed (only when none has been
    issued yet)."""
    issued = []
    run_stories([packs_story(users, issued)])
    return issued


def packs_story(users, issued: list):
    if IssuedPack.objects.exists():
        return
    for as_at, note, issue_on, sign_on in DEMO_PACKS:
        yield at(issue_on, "10:00")
        pack = pack_issue(year="2025/26", as_at=as_at, by=users["director"], note=note)
        issued.append(pack)
        yield at(sign_on, "15:00")
        pack_sign_off(pack=pack, by=users["director"])


def seed_monthly_packs(users, *, today: date) -> list[IssuedPack]:
    issued = []
    run_stories([monthly_packs_story(users, issued, today=today)])
    return issued


def monthly_packs_story(users, issued: list, *, today: date):
    """The officer issues September's and October's 2026/27 packs once the months are closed and commented on; the
    director signs September's off. Only when no 2026/27 pack exists yet, and only for months that have ended by
    ``today`` (the day the demo is loaded)."""
    if IssuedPack.objects.filter(year__start_year=2026).exists():
        return
    for month, note, issue_on, sign_on in MONTHLY_PACKS:
        year, number = map(int, month.split("-"))
        if today < date(year + number // 12, number % 12 + 1, 1):
            continue
        yield at(min(issue_on, today), "10:00")
        pack = pack_issue(year="2026/27", month=month, by=users["finance"], note=note)
        issued.append(pack)
        if sign_on:
            yield at(min(sign_on, today), "15:00")
            pack_sign_off(pack=pack, by=users["director"])

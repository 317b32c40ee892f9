"""Transparency for the demo: the finance director publishes October 2026's spending over £500, the contracts
register, the decision log and the 2025/26 360Giving package, so an anonymous visitor finds them on /transparency/.
October's file has a refuge's grant payment redacted with its reason (Willowbrook Refuge Trust's grant is marked
do-not-publish)."""

from datetime import date

from demo.timeline import at, run_stories
from transparency.models import Publication
from transparency.publications import publication_publish

PUBLISHED = [
    {"kind": Publication.Kind.SPENDING, "month": date(2026, 10, 1)},
    {"kind": Publication.Kind.CONTRACTS},
    {"kind": Publication.Kind.DECISIONS},
    {"kind": Publication.Kind.GIVING360, "year": "2025/26"},
]


def seed_transparency(users) -> list[Publication]:
    """Publish the demo's files (only when nothing has been published yet)."""
    published = []
    run_stories([transparency_story(users, published)])
    return published


def transparency_story(users, published: list):
    """The finance director publishes the files on 12/11/2026, a week after October's close."""
    if Publication.objects.exists():
        return
    for n, what in enumerate(PUBLISHED):
        yield at(date(2026, 11, 12), f"10:{n * 10:02d}")
        published.append(publication_publish(by=users["director"], **what))

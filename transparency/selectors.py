"""Reads for the transparency pages: what is public now, and the full record for the management page."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from transparency.models import Publication

PUBLIC_FIELDS = ("id", "kind", "month", "year", "key", "filename", "content_type", "size", "sha256", "rows",
                 "published_at", "status")


@dataclass(frozen=True)
class PublicListing:
    spending: list[Publication]  # newest month first
    contracts: Publication | None
    decisions: Publication | None
    giving360: list[Publication]  # newest year first

    @property
    def empty(self) -> bool:
        return not (self.spending or self.contracts or self.decisions or self.giving360)


def public_publications() -> QuerySet:
    """Only the public copies, without their bytes."""
    return (Publication.objects.filter(status=Publication.Status.PUBLISHED).select_related("year")
            .only(*PUBLIC_FIELDS))


def public_listing() -> PublicListing:
    records = list(public_publications())
    by_kind = {kind: [p for p in records if p.kind == kind] for kind in Publication.Kind.values}
    return PublicListing(
        spending=sorted(by_kind[Publication.Kind.SPENDING], key=lambda p: p.month, reverse=True),
        contracts=next(iter(by_kind[Publication.Kind.CONTRACTS]), None),
        decisions=next(iter(by_kind[Publication.Kind.DECISIONS]), None),
        giving360=sorted(by_kind[Publication.Kind.GIVING360], key=lambda p: p.year.start_year, reverse=True),
    )


MONTH_SLUG = re.compile(r"([0-9]{4})-([0-9]{2})")
YEAR_SLUG = re.compile(r"([0-9]{4})-([0-9]{2})")


def public_file(*, kind: str, slug: str = "") -> Publication | None:
    """The public copy behind a public address, or None (unpublished, withdrawn, superseded, or no such thing)."""
    if kind == Publication.Kind.SPENDING:
        match = MONTH_SLUG.fullmatch(slug)
        if not match or not 1 <= int(match.group(2)) <= 12:
            return None
        key = f"{kind}:{date(int(match.group(1)), int(match.group(2)), 1):%Y-%m}"
    elif kind == Publication.Kind.GIVING360:
        match = YEAR_SLUG.fullmatch(slug)
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            return None
        key = f"{kind}:{match.group(1)}/{match.group(2)}"
    else:
        key = kind
    return Publication.objects.filter(key=key, status=Publication.Status.PUBLISHED).first()


def public_slug(publication: Publication) -> str:
    """The part of the public address that names the month or year: 2026-10, 2025-26."""
    if publication.kind == Publication.Kind.SPENDING:
        return f"{publication.month:%Y-%m}"
    if publication.kind == Publication.Kind.GIVING360:
        return publication.year.label.replace("/", "-")
    return ""


def publication_history() -> QuerySet:
    """Every publication ever made, newest first, without the bytes, for the management page."""
    return (Publication.objects.select_related("year", "published_by", "withdrawn_by", "supersedes")
            .defer("content", "supersedes__content"))


def decision_log_rows(publication: Publication) -> list:
    """The rows of a published decision log (``transparency.decisions.DecisionRow``), read back from its stored
    bytes, so the page shows exactly what was published."""
    from transparency.decisions import DecisionRow

    reader = csv.reader(io.StringIO(bytes(publication.content).decode("utf-8")))
    next(reader, None)
    return [DecisionRow(number, title, date.fromisoformat(day), maker, status, reason)
            for number, title, day, maker, status, reason in reader]

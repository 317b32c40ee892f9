"""Issuing packs to the finance directors' group, rebuilding them, and the movement between two issues.

``pack_issue`` produces the statements for a year, as-at date and known-at moment, renders the files, and stores
them with their SHA-256 and the parameters. ``pack_verify`` rebuilds an issued pack from those parameters and
compares figures and bytes. ``pack_movement`` compares a pack's per-fund figures with the pack issued before it
(for the same year); the same comparison appears as a "Movement since the previous pack" statement in the pack.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.roles import OFFICERS_AND_DIRECTORS, require_role
from ledger.anchors import anchor_record
from reports.exports import FORMATS, Pack, pack_build, person_label, render_files
from reports.models import IssuedPack, IssuedPackFile
from reports.parameters import StatementParameters, month_end, parameters_parse
from reports.registry import LINE, MONEY, SUBTOTAL, TEXT, TOTAL, Column, Row, Statement, statement_classes

FIGURES = [
    ("revised", "Revised budget"),
    ("awarded", "Income awarded"),
    ("received", "Income received"),
    ("committed", "Committed"),
    ("actual", "Actual"),
    ("available", "Available"),
    ("forecast", "Forecast outturn"),
]


def fund_summary(rows) -> dict:
    """Per-fund totals from the fund statement's rows, as text (exact, JSON-safe)."""
    return {
        row["fund"]: {"name": row["heading"].removeprefix("Total "),
                      **{key: f"{row[key] or Decimal(0):.2f}" for key, _ in FIGURES}}
        for row in rows if row.kind == SUBTOTAL
    }


class MovementStatement(Statement):
    """Not in the registry: added to a pack when a previous pack exists for the year."""

    key = "movement"
    order = 60
    title = "Movement since the previous pack"
    short_title = "Movement"
    columns = [
        Column("fund", "Fund", TEXT, width=14),
        Column("name", "Name", TEXT, width=30),
        *[Column(key, f"{title} movement", MONEY, summable=True, width=15) for key, title in FIGURES],
    ]

    def __init__(self, params: StatementParameters, *, previous: IssuedPack):
        super().__init__(params)
        self.previous = previous
        self.description = (
            f"Per fund, this pack's figures less those of pack {previous.pk}, issued "
            f"{timezone.localtime(previous.issued_at):%d/%m/%Y %H:%M} by {previous.parameters.get('issued_by', '')} "
            f"(as at {previous.as_at:%d/%m/%Y}, known at {timezone.localtime(previous.known_at):%d/%m/%Y %H:%M}). "
            "A fund in only one of the two packs counts as zero in the other."
        )

    def rows(self):
        from reports.statements.fund import FundStatement

        current = fund_summary(FundStatement(self.params).rows())
        totals = {key: Decimal("0.00") for key, _ in FIGURES}
        for line in movement_lines(self.previous.summary, current):
            movement = line.movement
            for key, value in movement.items():
                totals[key] += value
            yield Row(LINE, {"fund": line.fund, "name": line.name, **movement})
        yield Row(TOTAL, {"fund": "All funds", "name": "Total movement", **totals})


@dataclass
class MovementLine:
    fund: str
    name: str
    previous: dict
    current: dict

    @property
    def movement(self) -> dict:
        return {key: self.current[key] - self.previous[key] for key, _ in FIGURES}


def movement_lines(previous: dict, current: dict) -> list[MovementLine]:
    zero = {key: Decimal("0.00") for key, _ in FIGURES}
    lines = []
    for code in sorted(set(previous) | set(current)):
        before, after = previous.get(code), current.get(code)
        lines.append(MovementLine(
            fund=code, name=(after or before)["name"],
            previous={key: Decimal(before[key]) for key, _ in FIGURES} if before else dict(zero),
            current={key: Decimal(after[key]) for key, _ in FIGURES} if after else dict(zero),
        ))
    return lines


def pack_previous(pack: IssuedPack) -> IssuedPack | None:
    """The pack this one's movement is measured from, as recorded when it was issued: the pack it superseded for
    the same month, else the pack issued for the same year just before it."""
    if "previous_pack" in pack.parameters:
        previous_pk = pack.parameters["previous_pack"]
        return IssuedPack.objects.filter(pk=previous_pk).first() if previous_pk else None
    return (IssuedPack.objects.filter(year_id=pack.year_id, issued_at__lt=pack.issued_at)
            .exclude(pk=pack.pk).order_by("-issued_at", "-id").first())


def pack_movement(*, pack: IssuedPack, previous: IssuedPack | None = None) -> list[MovementLine]:
    """Per fund: previous figures, this pack's figures (and ``.movement``), from the summaries stored at issue."""
    previous = previous or pack_previous(pack)
    return movement_lines(previous.summary if previous else {}, pack.summary)


def _require_issuer(user):
    require_role(user, OFFICERS_AND_DIRECTORS, doing="issue statement packs")


def _build(params: StatementParameters, *, keys, issued_by: str, issued_at, previous: IssuedPack | None) -> Pack:
    extra = [MovementStatement(params, previous=previous)] if previous is not None else []
    return pack_build(params, keys=keys, issued_by=issued_by, issued_at=issued_at, issued=True, extra=extra)


@transaction.atomic
def pack_issue(*, year, by, month=None, as_at=None, known_at=None, formats=FORMATS, note: str = "") -> IssuedPack:
    """Issue a pack: produce every statement, render the files, store them with their hashes. Known-at defaults
    to the moment of issue, so the pack shows what was recorded when it was issued.

    A pack is for the month of its as-at date. Give ``month`` ("2026-10", or a date in it) for the month's pack,
    as at its last day: refused until the month has ended. A pack issued again for the same month supersedes the
    earlier one (``reports.signoff``) and its movement statement is measured from it."""
    _require_issuer(by)
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValidationError({"formats": f"Choose formats from {', '.join(FORMATS)}; {', '.join(unknown)} "
                                          "is not one." if unknown else "Choose at least one format."})
    now = timezone.now()
    if month is not None:
        if as_at is not None:
            raise ValidationError({"month": "Give a month or an as-at date, not both."})
        as_at = month_end(month, today=timezone.localdate(now))
    params = parameters_parse(year=year, as_at=as_at, known_at=known_at, now=now)
    if month is None:  # a pack is for a month that has ended, whatever date it is given as at
        try:
            month_end(params.as_at, today=timezone.localdate(now))
        except ValidationError as refused:
            raise ValidationError({"as_at": f"A pack is for a month that has ended: {refused.messages[0]}"})
    if month is not None and not params.year.start_date <= params.as_at <= params.year.end_date:
        raise ValidationError({"month": f"{params.as_at:%B %Y} is not in {params.year.label}; choose a month from "
                                        f"{params.year.start_date:%B %Y} to {params.year.end_date:%B %Y}."})
    packs = IssuedPack.objects.filter(year=params.year).order_by("-issued_at", "-id")
    # A pack issued again for the same month supersedes the one before it, and its movement is measured from it.
    previous = (packs.filter(as_at__year=params.as_at.year, as_at__month=params.as_at.month).first()
                or packs.first())
    keys = [cls.key for cls in statement_classes()]
    label = person_label(by)
    pack = _build(params, keys=keys, issued_by=label, issued_at=now, previous=previous)
    fund = pack.get("fund")
    issued = IssuedPack(
        year=params.year, as_at=params.as_at, known_at=params.known_at, issued_by=by, issued_at=now,
        parameters={**params.as_dict(), "statements": keys, "formats": formats, "issued_by": label,
                    "previous_pack": previous.pk if previous else None},
        figures_hash=pack.figures_hash, summary=fund_summary(fund.rows) if fund else {}, note=(note or "").strip(),
    )
    save_with_history(issued, by=by, reason=f"Pack issued: {params.year.label} as at {params.as_at:%d/%m/%Y}")
    for fmt in formats:
        for filename, content_type, content in render_files(pack, fmt):
            save_with_history(IssuedPackFile(
                pack=issued, format=fmt, filename=filename, content_type=content_type, content=content,
                size=len(content), sha256=hashlib.sha256(content).hexdigest(),
            ), by=by, reason="Pack file stored", clean=False)
    record_event("pack.issued", by=by, obj=issued, summary=f"{issued} issued ({', '.join(formats)})",
                 data={"figures_hash": pack.figures_hash})
    anchor_record(event=f"pack {issued.pk} issued: {params.year.label} as at {params.as_at:%d/%m/%Y}")
    return issued


def pack_rebuild(pack: IssuedPack) -> tuple[Pack, list[tuple[str, str, str, bytes]]]:
    """Produce an issued pack again from its stored parameters: (built pack, [(format, name, type, bytes)])."""
    p = pack.parameters
    params = parameters_parse(year=pack.year, as_at=pack.as_at, known_at=pack.known_at)
    previous = IssuedPack.objects.filter(pk=p.get("previous_pack")).first() if p.get("previous_pack") else None
    built = _build(params, keys=p["statements"], issued_by=p["issued_by"], issued_at=pack.issued_at,
                   previous=previous)
    files = [(fmt, name, content_type, content) for fmt in p["formats"]
             for name, content_type, content in render_files(built, fmt)]
    return built, files


@dataclass
class PackCheck:
    figures_match: bool
    files: dict  # filename -> True when the rebuilt file has the stored SHA-256

    @property
    def ok(self) -> bool:
        return self.figures_match and all(self.files.values())


def pack_verify(*, pack: IssuedPack) -> PackCheck:
    """Rebuild an issued pack and compare its figures hash and each file's SHA-256 with what was stored."""
    built, files = pack_rebuild(pack)
    stored = {f.filename: f.sha256 for f in pack.files.all()}
    rebuilt = {name: hashlib.sha256(content).hexdigest() for _fmt, name, _type, content in files}
    return PackCheck(
        figures_match=built.figures_hash == pack.figures_hash,
        files={name: rebuilt.get(name) == digest for name, digest in stored.items()},
    )

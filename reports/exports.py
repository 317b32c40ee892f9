"""Building a pack of statements and rendering it: the entry points for commands and web pages.

``render(format, year=, as_at=, known_at=, user=)`` returns ``(filename, content_type, bytes)`` for a download.
``pack_build`` produces every statement's rows once; the renderers (``reports.renderers``) turn them into files.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.roles import EVERY_ROLE, require_role
from reports.cells import plain_text
from reports.parameters import StatementParameters, month_end, parameters_parse
from reports.registry import Row, Statement, statement_classes, statement_get

PACK_TITLE = "Statements for the finance directors' group"
FORMATS = ("xlsx", "pdf", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


@dataclass
class BuiltStatement:
    statement: Statement
    rows: list[Row]


@dataclass
class Pack:
    params: StatementParameters
    statements: list[BuiltStatement]
    issued_by: str
    issued_at: datetime
    issued: bool = False
    title: str = PACK_TITLE
    figures_hash: str = field(default="")

    def get(self, key: str) -> BuiltStatement | None:
        return next((b for b in self.statements if b.statement.key == key), None)


def figures_hash(params: StatementParameters, statements: list[BuiltStatement]) -> str:
    """SHA-256 of the parameters and every cell of every statement, as text: equal figures, equal hash."""
    content = [
        params.as_dict(),
        [
            [built.statement.key, [c.key for c in built.statement.columns],
             [[row.kind, [plain_text(row[c.key], c.type) for c in built.statement.columns]] for row in built.rows]]
            for built in statements
        ],
    ]
    return hashlib.sha256(json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def pack_build(
    params: StatementParameters, *, keys: list[str] | None = None, issued_by: str = "",
    issued_at: datetime | None = None, issued: bool = False, extra: list[Statement] = (),
) -> Pack:
    """Produce the statements (all registered ones, or those named in ``keys``) for the parameters."""
    classes = [statement_get(k) for k in keys] if keys else statement_classes()
    statements = [BuiltStatement(cls(params), []) for cls in classes] + [BuiltStatement(s, []) for s in extra]
    for built in statements:
        built.rows = list(built.statement.rows())
    pack = Pack(params=params, statements=statements, issued_by=issued_by, issued_at=issued_at or timezone.now(),
                issued=issued)
    pack.figures_hash = figures_hash(params, statements)
    return pack


def file_stem(params: StatementParameters) -> str:
    return f"ringfence-{params.year.label.replace('/', '-')}-as-at-{params.as_at.isoformat()}"


def render_files(pack: Pack, fmt: str) -> list[tuple[str, str, bytes]]:
    """The files of a pack in one format: one workbook, one PDF, or one CSV per statement."""
    from reports.renderers import csv as csv_renderer
    from reports.renderers import pdf as pdf_renderer
    from reports.renderers import xlsx as xlsx_renderer

    stem = file_stem(pack.params)
    if fmt == "xlsx":
        return [(f"{stem}.xlsx", CONTENT_TYPES["xlsx"], xlsx_renderer.render(pack))]
    if fmt == "pdf":
        return [(f"{stem}.pdf", CONTENT_TYPES["pdf"], pdf_renderer.render(pack))]
    if fmt == "csv":
        return [(f"{stem}-{built.statement.key}.csv", CONTENT_TYPES["csv"], csv_renderer.render_statement(built))
                for built in pack.statements]
    raise ValidationError({"format": f"Unknown format '{fmt}'; choose one of {', '.join(FORMATS)}."})


def zip_files(files: list[tuple[str, str, bytes]], when: datetime) -> bytes:
    stamp = timezone.localtime(when)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, _type, content in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, stamp.hour,
                                                              stamp.minute, stamp.second)), content)
    return buffer.getvalue()


def person_label(user) -> str:
    if user is None:
        return "manage.py (command line)"
    return user.get_full_name() or user.get_username()


def require_reader(user) -> None:
    """Statements are for finance staff, commissioners and finance directors (None: a trusted command)."""
    if user is None:
        return
    if not getattr(user, "is_superuser", False):
        require_role(user, EVERY_ROLE, doing="produce statements")


def render(fmt: str, *, year, as_at=None, known_at=None, user=None, statement: str | None = None
           ) -> tuple[str, str, bytes]:
    """One download: the whole pack (or one statement) as xlsx or pdf; as csv, one statement's CSV file, or a zip
    of one CSV per statement. Returns (filename, content_type, bytes)."""
    require_reader(user)
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Unknown format '{fmt}'; choose one of {', '.join(FORMATS)}."})
    params = parameters_parse(year=year, as_at=as_at, known_at=known_at)
    if statement is not None:
        try:
            cls = statement_get(statement)
        except KeyError as error:
            raise ValidationError({"statement": str(error.args[0])})
        if getattr(cls, "month_ended_only", False):  # the monitoring statement is for a month that has ended
            try:
                month_end(params.as_at, today=timezone.localdate())
            except ValidationError as refused:
                raise ValidationError({"as_at": f"{cls.title} is for a month that has ended: {refused.messages[0]}"})
    pack = pack_build(params, keys=[statement] if statement else None, issued_by=person_label(user))
    files = render_files(pack, fmt)
    if len(files) == 1:
        return files[0]
    return f"{file_stem(params)}-csv.zip", CONTENT_TYPES["zip"], zip_files(files, pack.issued_at)

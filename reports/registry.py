"""One registry of statement classes (the pretix exporter pattern).

A statement declares its columns and yields rows from a few efficient queries; it knows nothing of Excel, PDF or
CSV. Renderers turn any statement's rows into a file. Rows are of three kinds: ``line`` (detail), ``subtotal``
(closes the group of lines before it: one fund) and ``total`` (the whole statement). A subtotal's figure equals
the sum of its group's lines wherever those lines carry the figure; the total equals the sum of the subtotals (or
of the lines, in a statement without subtotals). Renderers rely on that to write live ``SUM`` formulas.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from reports.parameters import StatementParameters

LINE = "line"
SUBTOTAL = "subtotal"
TOTAL = "total"

TEXT = "text"
MONEY = "money"
PERCENT = "percent"  # percentage points, e.g. Decimal("2.50") for 2.5%
INTEGER = "integer"
NUMBER = "number"  # a quantity that is not money, e.g. an outcome target (Decimal)
DATE = "date"
MOMENT = "moment"  # an aware datetime


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    type: str = TEXT
    summable: bool = False  # subtotal and total rows carry its sum (and renderers write SUM formulas)
    width: int = 12  # characters, a hint for renderers


@dataclass
class Row:
    kind: str
    values: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.values.get(key)


class Statement:
    """Base class. Subclasses set ``key``, ``title``, ``description`` and ``columns`` and implement ``rows``."""

    key: str = ""
    order: int = 100  # place in a pack
    title: str = ""
    short_title: str = ""  # sheet names are at most 31 characters
    description: str = ""
    columns: list[Column] = []

    def __init__(self, params: StatementParameters):
        self.params = params

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError

    @classmethod
    def available(cls) -> bool:
        """Whether the statement can be produced in this installation (e.g. the grants models exist)."""
        return True


_REGISTRY: dict[str, type[Statement]] = {}


def register(cls: type[Statement]) -> type[Statement]:
    if not cls.key or cls.key in _REGISTRY:
        raise ValueError(f"Statement key {cls.key!r} is empty or already registered.")
    _REGISTRY[cls.key] = cls
    return cls


def statement_classes() -> list[type[Statement]]:
    """Every statement that can be produced, in the order they appear in a pack."""
    import reports.statements  # noqa: F401  (registers the statement classes)

    return sorted((cls for cls in _REGISTRY.values() if cls.available()), key=lambda cls: (cls.order, cls.key))


def statement_get(key: str) -> type[Statement]:
    classes = {cls.key: cls for cls in statement_classes()}
    if key not in classes:
        raise KeyError(f"Unknown statement '{key}'; choose from {', '.join(classes)}.")
    return classes[key]

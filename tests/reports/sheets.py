"""Reading Excel files back independently: openpyxl for the cells, and a small evaluator for the SUM formulas
the statements write, so a test can check that every formula computes the statement's own figure."""

import io
import re
from decimal import Decimal

import openpyxl
from openpyxl.utils import range_boundaries

CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _split_args(text: str) -> list[str]:
    args, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            args.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    args.append(current)
    return [a.strip() for a in args if a.strip()]


def _number(value) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    assert isinstance(value, (int, float)), f"SUM over a non-number: {value!r}"
    return Decimal(str(value))


def evaluate(ws, expression) -> Decimal:
    """The value of a cell or of an expression of SUMs over cells and ranges, as Excel would compute it."""
    if isinstance(expression, str) and expression.startswith("="):
        expression = expression[1:]
    if not isinstance(expression, str):
        return _number(expression)
    text = expression.strip()
    if text.startswith("SUM(") and text.endswith(")"):
        return sum((evaluate(ws, arg) for arg in _split_args(text[4:-1])), Decimal(0))
    if ":" in text:
        min_col, min_row, max_col, max_row = range_boundaries(text)
        total = Decimal(0)
        for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                total += value_of(ws, cell)
        return total
    assert CELL.match(text), f"unexpected formula part {text!r}"
    return value_of(ws, ws[text])


def value_of(ws, cell) -> Decimal:
    if cell.data_type == "f":
        return evaluate(ws, cell.value)
    return _number(cell.value)


def row_of(ws, column_letter: str, text: str) -> int:
    matches = [c.row for c in ws[column_letter] if c.value == text]
    assert len(matches) == 1, f"{len(matches)} rows with {text!r} in column {column_letter}"
    return matches[0]

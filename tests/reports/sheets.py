"""Reading Excel files back independently: openpyxl for the cells, and a small evaluator for the formulas the
statements write (SUM totals, variance differences and ROUND percentages), so a test can check that every formula
computes the statement's own figure."""

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
from openpyxl.utils import range_boundaries


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _number(value) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    assert isinstance(value, (int, float)), f"SUM over a non-number: {value!r}"
    return Decimal(str(value))


TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)"
                   r"|(?P<fn>SUM|ROUND)\(|(?P<op>[-+*/(),]))")


def evaluate(ws, expression) -> Decimal:
    """The value of a cell or of a formula as Excel would compute it. The formulas the statements write use only
    SUM over cells and ranges, ROUND, numbers, cell references and + - * / with brackets; anything else fails."""
    if isinstance(expression, str) and expression.startswith("="):
        expression = expression[1:]
    if not isinstance(expression, str):
        return _number(expression)
    tokens, position = [], 0
    text = expression.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        assert match and match.end() > position, f"unexpected formula part {text[position:]!r}"
        tokens.append(match)
        position = match.end()
    parser = _Parser(ws, tokens)
    value = parser.expression()
    assert parser.done(), f"unexpected formula part in {text!r}"
    return value


class _Parser:
    def __init__(self, ws, tokens):
        self.ws, self.tokens, self.i = ws, tokens, 0

    def done(self) -> bool:
        return self.i == len(self.tokens)

    def _peek_op(self):
        return self.tokens[self.i].group("op") if self.i < len(self.tokens) else None

    def _expect(self, op):
        assert self._peek_op() == op, f"expected {op!r}"
        self.i += 1

    def expression(self) -> Decimal:
        value = self.term()
        while self._peek_op() in ("+", "-"):
            op = self._peek_op()
            self.i += 1
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self) -> Decimal:
        value = self.factor()
        while self._peek_op() in ("*", "/"):
            op = self._peek_op()
            self.i += 1
            value = value * self.factor() if op == "*" else value / self.factor()
        return value

    def factor(self) -> Decimal:
        token = self.tokens[self.i]
        self.i += 1
        if token.group("num"):
            return Decimal(token.group("num"))
        if token.group("op") == "-":
            return -self.factor()
        if token.group("op") == "(":
            value = self.expression()
            self._expect(")")
            return value
        if token.group("fn") == "SUM":
            total = self._sum_arg()
            while self._peek_op() == ",":
                self.i += 1
                total += self._sum_arg()
            self._expect(")")
            return total
        if token.group("fn") == "ROUND":
            value = self.expression()
            self._expect(",")
            places = int(self.expression())
            self._expect(")")
            return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        ref = token.group("ref")
        assert ref and ":" not in ref, f"unexpected formula part {token.group(0)!r}"
        return value_of(self.ws, self.ws[ref.replace("$", "")])

    def _sum_arg(self) -> Decimal:
        token = self.tokens[self.i]
        ref = token.group("ref")
        if ref and ":" in ref:
            self.i += 1
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            total = Decimal(0)
            for row in self.ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
                for cell in row:
                    total += value_of(self.ws, cell)
            return total
        return self.expression()


def value_of(ws, cell) -> Decimal:
    if cell.data_type == "f":
        return evaluate(ws, cell.value)
    return _number(cell.value)


def row_of(ws, column_letter: str, text: str) -> int:
    matches = [c.row for c in ws[column_letter] if c.value == text]
    assert len(matches) == 1, f"{len(matches)} rows with {text!r} in column {column_letter}"
    return matches[0]

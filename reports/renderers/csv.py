"""CSV: one file per statement, for people who load figures into their own tools.

UTF-8 with a byte-order mark (so Excel reads the pound sign and accents), one header row, then every row. The first
column says whether a row is a ``line``, a ``subtotal`` (one fund or provider) or the ``total``. Amounts are plain
numbers (1234.56), dates ISO (2025-12-31); text is neutralised against formula injection: a CSV has no cell types,
so text a spreadsheet would run as a formula keeps a leading apostrophe (``'=2+3 Formula Trust``), where the Excel
outputs show it as written in a string cell (``reports.cells``). A statement whose column titles cannot carry the
variance sign convention (``csv_sign_convention``) states it as the title of a last, empty column, so the one header
row says it and every row keeps its shape.
"""

import csv
import io

from funds.selectors import VARIANCE_CONVENTION
from reports.cells import neutralise, plain_text

SIGN_CONVENTION_TITLE = f"Sign convention. {VARIANCE_CONVENTION}"


def render_statement(built) -> bytes:
    columns = built.statement.columns
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    note = getattr(built.statement, "csv_sign_convention", False)
    writer.writerow(["Row"] + [neutralise(c.title) for c in columns] + ([SIGN_CONVENTION_TITLE] if note else []))
    for row in built.rows:
        writer.writerow([row.kind] + [plain_text(row[c.key], c.type) for c in columns] + ([""] if note else []))
    return buffer.getvalue().encode("utf-8-sig")

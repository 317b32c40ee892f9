"""CSV: one file per statement, for people who load figures into their own tools.

UTF-8 with a byte-order mark (so Excel reads the pound sign and accents), one header row, then every row. The
first column says whether a row is a ``line``, a ``subtotal`` (one fund or provider) or the ``total``. Amounts are
plain numbers (1234.56), dates ISO (2025-12-31); text is neutralised against formula injection.
"""

import csv
import io

from reports.cells import neutralise, plain_text


def render_statement(built) -> bytes:
    columns = built.statement.columns
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Row"] + [neutralise(c.title) for c in columns])
    for row in built.rows:
        writer.writerow([row.kind] + [plain_text(row[c.key], c.type) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")

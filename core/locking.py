"""Row locks for read-then-write on money. Locks are taken in one fixed order, everywhere:
funds (by id) -> ledger chain head. Grants and instalments are locked by their services after the funds.

A lock outside a transaction would be released at once and protect nothing, so these helpers refuse to run
outside ``transaction.atomic()``: a silent race becomes a loud error.
"""

from django.db import connection


def require_transaction():
    if not connection.in_atomic_block:
        raise RuntimeError("Row locks only hold inside transaction.atomic(); this call was made outside one.")


def lock(queryset):
    """Lock the rows of ``queryset`` (ordered by primary key to avoid deadlocks) and return them as a list."""
    require_transaction()
    return list(queryset.select_for_update().order_by("pk"))

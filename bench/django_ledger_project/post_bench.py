"""django-ledger's side of ``bench/posting_compare_bench.py``, run with the Python of its own virtual environment.

    var/bench/django-ledger-venv/bin/python bench/django_ledger_project/post_bench.py setup
    var/bench/django-ledger-venv/bin/python bench/django_ledger_project/post_bench.py post --entries 1000

with BENCH_DL_DATABASE_URL naming an empty database (``setup``) or the one ``setup`` prepared (``post``). Prints one
line ``BENCH-RESULT {json}`` for the benchmark to read.

``setup`` migrates django-ledger and makes what its own code needs before an entry can be posted: a user, an entity
(``EntityModel.create_entity``, financial year from April as Ringfence's), its default chart of accounts with the
accounts django-ledger ships, activated (``populate_default_coa``), and one ledger (``create_ledger``).

``post`` posts N balanced two-line journal entries one at a time, each in its own transaction, the way django-ledger
posts them itself (its receipts and data import call exactly this): ``LedgerModel.commit_txs(je_timestamp=now,
je_txs=[debit cash, credit operational income], je_posted=True)``. That checks the lines balance, refuses a closed
period or a locked ledger, saves a ``JournalEntryModel`` (numbered under a row lock of the entity's
``EntityStateModel`` sequence), bulk-inserts its two ``TransactionModel`` rows, then saves the entry again with
``verify=True, post_on_verify=True``: it reads the lines back, checks balance and chart of accounts, works out the
activity, and marks the entry posted and locked. Amounts are Decimal with two places, as Ringfence's.
"""

import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

RESULT_MARK = "BENCH-RESULT "  # as bench/common.py


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_ledger_project.settings"
    import django

    django.setup()


def prepare() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_ledger.models import EntityModel

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(username="bench", password=None)
    entity = EntityModel.create_entity(name="Bench Body", use_accrual_method=True, admin=user, fy_start_month=4)
    entity.populate_default_coa(activate_accounts=True)
    entity.create_ledger(name="Bench ledger", posted=True)
    return {"accounts": entity.get_default_coa_accounts().count()}


def backend_cpu_seconds(connection) -> float | None:
    """CPU used so far by this connection's PostgreSQL backend (as bench/posting_compare_bench.py reads it)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post(entries: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_ledger.io import roles
    from django_ledger.models import EntityModel, JournalEntryModel, TransactionModel

    entity = EntityModel.objects.get(name="Bench Body")
    ledger = entity.ledgermodel_set.get(name="Bench ledger")
    cash = entity.get_default_account_for_role(roles.ASSET_CA_CASH)
    income = entity.get_default_account_for_role(roles.INCOME_OPERATIONAL)

    def one(n: int):
        amount = Decimal(100 + n % 20000) / 100 + 1
        return ledger.commit_txs(
            je_timestamp=timezone.now(), je_desc=f"Cash received {n}", je_origin="bench", je_posted=True,
            je_txs=[
                {"account": cash, "amount": amount, "tx_type": "debit", "description": "Cash received"},
                {"account": income, "amount": amount, "tx_type": "credit", "description": "Income"},
            ])

    before = JournalEntryModel.objects.count()
    with CaptureQueriesContext(connection) as ctx:  # one entry outside the timing: its queries
        je, _ = one(0)
    assert je.posted and je.locked, "django-ledger did not post and lock the entry"
    server_before, cpu_before = backend_cpu_seconds(connection), time.process_time()
    start = time.perf_counter()
    for n in range(1, entries + 1):
        one(n)
    seconds = time.perf_counter() - start
    result = {"entries": entries, "seconds": seconds, "queries_per_entry": len(ctx.captured_queries),
              "client_cpu_s": time.process_time() - cpu_before, "vendor": connection.vendor}
    server_after = backend_cpu_seconds(connection)
    if server_before is not None and server_after is not None:
        result["server_cpu_s"] = server_after - server_before
    result["posted_and_locked"] = JournalEntryModel.objects.filter(posted=True, locked=True).count() - before
    result["transactions"] = TransactionModel.objects.count()
    assert result["posted_and_locked"] == entries + 1, "not every entry was posted and locked"
    return result


def main() -> None:
    command = sys.argv[1]
    setup_django()
    if command == "setup":
        result = prepare()
    elif command == "post":
        result = post(int(sys.argv[sys.argv.index("--entries") + 1]))
    else:
        raise SystemExit(f"unknown command {command!r}: setup or post")
    import django_ledger

    result["version"] = getattr(django_ledger, "__version__", "?")
    print(RESULT_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

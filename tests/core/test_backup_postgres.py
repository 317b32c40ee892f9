"""PostgreSQL: pg_dump -Fc, pg_restore into a fresh database, then verify_ledger on it (README, "Backups and
restore")."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from ledger.models import JournalEntry, JournalLine
from ledger.reference import ensure_reference_data

BASE = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL; on SQLite "
                       "the backup is tested by tests/core/test_backup_sqlite.py."),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("createdb")),
                       reason="the PostgreSQL client programs (pg_dump, pg_restore, createdb) are not installed"),
]


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "PG"))}
    env.update({"PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"] or ""})
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=BASE, env=env or pg_env(), capture_output=True, text=True, timeout=600)


# Data must be committed for pg_dump (another connection) to see it; serialized_rollback puts back the rows the
# migrations made (groups, chart of accounts) when an earlier transactional test has flushed them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pg_dump_and_pg_restore_into_a_fresh_database_keep_a_sound_ledger(tmp_path):
    ensure_reference_data()
    call_command("seed_demo", stdout=StringIO())
    entries, lines = JournalEntry.objects.count(), JournalLine.objects.count()
    assert entries > 50
    db = connection.settings_dict
    dump = tmp_path / "ringfence.dump"
    fresh = f"{db['NAME']}_restored"

    result = run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), db["NAME"])
    assert result.returncode == 0, result.stderr
    run("dropdb", "--if-exists", fresh)
    assert run("createdb", fresh).returncode == 0
    try:
        result = run("pg_restore", "--no-owner", "--exit-on-error", "-d", fresh, str(dump))
        assert result.returncode == 0, result.stderr
        user = db["USER"] or ""
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        url = f"postgresql://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{fresh}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env["DATABASE_URL"] = url
        result = run(sys.executable, "manage.py", "verify_ledger", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"Ledger OK: {entries} entries, {lines} lines, chain intact")
        # The append-only triggers are restored with the data.
        result = run("psql", "-v", "ON_ERROR_STOP=1", "-d", fresh, "-c", "DELETE FROM ledger_journalline")
        assert result.returncode != 0 and "append-only" in result.stderr
    finally:
        run("dropdb", "--if-exists", fresh)

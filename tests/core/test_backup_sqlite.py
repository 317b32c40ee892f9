"""Back up, restore, and prove the restored ledger sound (README, "Backups and restore")."""

import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from ledger.models import JournalEntry, JournalLine

BASE = Path(settings.BASE_DIR)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="backup_sqlite copies the SQLite database; "
                                 "PostgreSQL is backed up with pg_dump (tests/core/test_backup_postgres.py).")


def manage(*args, database_url: str) -> subprocess.CompletedProcess:
    """Run a command in a fresh process against a database file, as an operator would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True,
                          timeout=300)


def database_file(path: Path) -> Path:
    """The test database (seeded inside this test's transaction) written out as a live SQLite file.

    SQLite's backup API cannot copy from a connection in the middle of a write transaction, which is where a test's
    data lives, so the file is rebuilt from an SQL dump (tables, rows, then indexes and triggers)."""
    with sqlite3.connect(path) as target:
        target.executescript(";\n".join(connection.connection.iterdump()) + ";")
    return path


@pytest.fixture
def seeded(db, tmp_path) -> Path:
    call_command("seed_demo", stdout=StringIO())
    return database_file(tmp_path / "ringfence.sqlite3")


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@sqlite_only
def test_a_seeded_database_is_backed_up_restored_and_verified(seeded, tmp_path):
    entries, lines = JournalEntry.objects.count(), JournalLine.objects.count()
    assert entries > 50
    backup = tmp_path / "backup.sqlite3"

    result = manage("backup_sqlite", str(backup), database_url=f"sqlite:///{seeded}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Backed up to {backup}: ")
    assert f"{entries:,} journal entries, integrity ok, SHA-256 " in result.stdout

    # Restore: with the application stopped, put the backup in place of the live file.
    restored = tmp_path / "restored" / "ringfence.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    assert (count(restored, "ledger_journalentry"), count(restored, "ledger_journalline")) == (entries, lines)
    with sqlite3.connect(restored) as copy:  # the append-only triggers come back with the data
        for table in ("ledger_journalentry", "ledger_journalline"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                copy.execute(f"DELETE FROM {table}")

    result = manage("verify_ledger", database_url=f"sqlite:///{restored}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Ledger OK: {entries} entries, {lines} lines, chain intact")


@sqlite_only
def test_a_damaged_restore_is_caught_by_verify_ledger(funded_core, tmp_path):
    """The check after a restore means something: a copy edited behind the triggers' back fails it."""
    live = database_file(tmp_path / "ringfence.sqlite3")
    backup = tmp_path / "backup.sqlite3"
    assert manage("backup_sqlite", str(backup), database_url=f"sqlite:///{live}").returncode == 0
    with sqlite3.connect(backup) as copy:
        for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            copy.execute(f'DROP TRIGGER "{name}"')
        copy.execute("UPDATE ledger_journalline SET amount = '1.00'")
    result = manage("verify_ledger", database_url=f"sqlite:///{backup}")
    assert result.returncode == 1
    assert "content does not match its hash" in result.stdout


@sqlite_only
def test_an_existing_backup_is_not_overwritten_by_accident(funded_core, tmp_path):
    live = database_file(tmp_path / "ringfence.sqlite3")
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(b"yesterday's backup")
    result = manage("backup_sqlite", str(backup), database_url=f"sqlite:///{live}")
    assert result.returncode == 1
    assert "already exists; choose a new name, or add --force to replace it" in result.stderr
    assert backup.read_bytes() == b"yesterday's backup"
    assert manage("backup_sqlite", str(backup), "--force", database_url=f"sqlite:///{live}").returncode == 0
    assert count(backup, "ledger_journalentry") == 1
    assert not list(tmp_path.glob(".*.partial"))


@sqlite_only
def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(CommandError, match="There is no folder .*nowhere to write the backup into"):
        call_command("backup_sqlite", str(tmp_path / "nowhere" / "b.sqlite3"))


@pytest.mark.skipif(connection.vendor == "sqlite", reason="on SQLite backup_sqlite is the way (tested above)")
@pytest.mark.django_db
def test_backup_sqlite_points_postgresql_users_to_pg_dump(tmp_path):
    with pytest.raises(CommandError, match="The database is PostgreSQL: back it up with pg_dump -Fc"):
        call_command("backup_sqlite", str(tmp_path / "b.sqlite3"))

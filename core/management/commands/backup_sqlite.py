"""python manage.py backup_sqlite PATH

A consistent copy of the SQLite database while the application runs, through SQLite's online backup API: the
copy is made in one step under a shared lock, so writers wait for it (a few seconds for a large ledger) and the copy
is the database exactly as it stood at one moment, never half a posting. The copy is written beside PATH under a
temporary name, checked with PRAGMA integrity_check, then renamed into place, so PATH is either a whole, checked
backup or absent. For PostgreSQL use pg_dump (README, "Backups and restore").
"""

import hashlib
import os
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the SQLite database to PATH with SQLite's online backup API (consistent while in use)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="where to write the backup, e.g. var/backup-2026-03-31.sqlite3")
        parser.add_argument("--force", action="store_true", help="replace PATH if it exists")

    def handle(self, *args, path, force, **options):
        if connection.vendor != "sqlite":
            raise CommandError("The database is PostgreSQL: back it up with pg_dump -Fc (README, 'Backups and "
                               "restore'); backup_sqlite is for the embedded SQLite database only.")
        target = Path(path)
        if target.exists() and not force:
            raise CommandError(f"{target} already exists; choose a new name, or add --force to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {target.parent} to write the backup into.")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        connection.ensure_connection()
        source = connection.connection
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination, pages=-1)  # all pages in one step: one consistent snapshot
            result = destination.execute("PRAGMA integrity_check").fetchone()[0]
            entries = destination.execute("SELECT COUNT(*) FROM ledger_journalentry").fetchone()[0]
        finally:
            destination.close()
        if result != "ok":
            partial.unlink(missing_ok=True)
            raise CommandError(f"The copy failed SQLite's integrity check ({result}); no backup was written.")
        os.replace(partial, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        self.stdout.write(
            f"Backed up to {target}: {target.stat().st_size:,} bytes, {entries:,} journal entries, integrity ok, "
            f"SHA-256 {digest}."
        )

"""A pack's sign-off cannot be written over either: SQLite's ``INSERT OR REPLACE`` deletes the row it conflicts with
without firing DELETE triggers, so a BEFORE INSERT trigger refuses any insert that meets an existing sign-off; on
PostgreSQL ``TRUNCATE`` (which fires no DELETE trigger) is refused by a statement trigger (ledger 0009's function)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER reports_signoff_no_replace BEFORE INSERT ON reports_packsignoff
       WHEN EXISTS (SELECT 1 FROM reports_packsignoff WHERE id = NEW.id OR pack_id = NEW.pack_id)
       BEGIN SELECT RAISE(ABORT, 'reports_packsignoff is written once: a sign-off cannot be replaced'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS reports_signoff_no_replace"]
POSTGRES = [
    """CREATE TRIGGER reports_packsignoff_no_truncate BEFORE TRUNCATE ON reports_packsignoff
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()""",
]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS reports_packsignoff_no_truncate ON reports_packsignoff"]


def create(apps, schema_editor):
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_sign_off_cannot_be_changed"), ("ledger", "0009_database_guards")]
    operations = [migrations.RunPython(create, drop)]

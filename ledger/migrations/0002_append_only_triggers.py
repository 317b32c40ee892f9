"""Posted journal entries and lines are append-only, enforced by the database itself.

The triggers refuse UPDATE and DELETE on both tables whatever issues them: the ORM, QuerySet.update(), the
admin, or raw SQL. They also refuse an entry into a closed period, or dated outside its period.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'ledger_journalentry is append-only: posted entries cannot be changed; post a reversing entry'); END""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'ledger_journalentry is append-only: posted entries cannot be deleted; post a reversing entry'); END""",
    """CREATE TRIGGER ledger_line_no_update BEFORE UPDATE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'ledger_journalline is append-only: posted lines cannot be changed; post a reversing entry'); END""",
    """CREATE TRIGGER ledger_line_no_delete BEFORE DELETE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'ledger_journalline is append-only: posted lines cannot be deleted; post a reversing entry'); END""",
    """CREATE TRIGGER ledger_entry_open_period BEFORE INSERT ON ledger_journalentry
       WHEN (SELECT is_closed OR NEW.date < start_date OR NEW.date > end_date FROM funds_period WHERE id = NEW.period_id)
       BEGIN SELECT RAISE(ABORT, 'journal entries may only be posted into an open period that contains their date'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete",
    "DROP TRIGGER IF EXISTS ledger_line_no_update",
    "DROP TRIGGER IF EXISTS ledger_line_no_delete",
    "DROP TRIGGER IF EXISTS ledger_entry_open_period",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION '% is append-only: posted rows cannot be %d; post a reversing entry',
           TG_TABLE_NAME, lower(TG_OP) USING ERRCODE = 'restrict_violation';
       END $$""",
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_journalentry
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE TRIGGER ledger_line_append_only BEFORE UPDATE OR DELETE ON ledger_journalline
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE OR REPLACE FUNCTION ledger_require_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM funds_period p WHERE p.id = NEW.period_id
                    AND (p.is_closed OR NEW.date < p.start_date OR NEW.date > p.end_date)) THEN
           RAISE EXCEPTION 'journal entries may only be posted into an open period that contains their date'
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_entry_open_period BEFORE INSERT ON ledger_journalentry
       FOR EACH ROW EXECUTE FUNCTION ledger_require_open_period()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_line_append_only ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_entry_open_period ON ledger_journalentry",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
    "DROP FUNCTION IF EXISTS ledger_require_open_period()",
]


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    statements = POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    # After funds 0002: SQLite rebuilds funds_period to change its constraints, which a trigger naming that table
    # does not survive. A later migration that rebuilds funds_period on SQLite must drop and recreate these.
    dependencies = [("ledger", "0001_initial"), ("funds", "0002_year_end_and_adjustments_period")]
    operations = [migrations.RunPython(create, drop)]

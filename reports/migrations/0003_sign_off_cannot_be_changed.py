"""A pack's sign-off is written once: the database refuses to change or delete it, whatever issues the statement
(the ORM, QuerySet.update(), the admin, raw SQL). With the sign-off's foreign key protecting its pack, a signed pack
therefore cannot be deleted either. (On SQLite a later migration that rebuilds reports_packsignoff must recreate
these triggers, as ledger/migrations/0002 explains for the journal.)"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER reports_signoff_no_update BEFORE UPDATE ON reports_packsignoff
       BEGIN SELECT RAISE(ABORT, 'reports_packsignoff is written once: a sign-off cannot be changed'); END""",
    """CREATE TRIGGER reports_signoff_no_delete BEFORE DELETE ON reports_packsignoff
       BEGIN SELECT RAISE(ABORT, 'reports_packsignoff is written once: a sign-off cannot be deleted'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS reports_signoff_no_update", "DROP TRIGGER IF EXISTS reports_signoff_no_delete"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION reports_signoff_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'reports_packsignoff is written once: a sign-off cannot be %d', lower(TG_OP)
           USING ERRCODE = 'restrict_violation';
       END $$""",
    """CREATE TRIGGER reports_signoff_written_once BEFORE UPDATE OR DELETE ON reports_packsignoff
       FOR EACH ROW EXECUTE FUNCTION reports_signoff_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS reports_signoff_written_once ON reports_packsignoff",
    "DROP FUNCTION IF EXISTS reports_signoff_refuse_change()",
]


def create(apps, schema_editor):
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_pack_sign_off")]
    operations = [migrations.RunPython(create, drop)]

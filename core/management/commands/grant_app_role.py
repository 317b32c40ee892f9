"""Give the application's PostgreSQL role what it needs to run, and nothing that would let it get round the guards.

Production runs with two roles (README, "Deployment: the database roles"): the **owner**, which owns every table and
runs ``migrate``, and the **application role** in DATABASE_URL, which the web server and the worker use. The
application role can read and write rows through the triggers, but it does not own the tables, so it cannot disable
or drop a trigger, alter a constraint, or TRUNCATE; on the append-only tables it cannot even issue UPDATE or DELETE.
Run this as the owner after every ``migrate`` (new tables need their grants)::

    DATABASE_URL=postgresql://owner@host/ringfence python manage.py migrate
    DATABASE_URL=postgresql://owner@host/ringfence python manage.py grant_app_role ringfence_app
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# Written once and never changed: the application may only read and insert.
APPEND_ONLY = ["ledger_journalentry", "ledger_journalline", "reports_packsignoff"]


class Command(BaseCommand):
    help = "Grant the application's (non-owner) PostgreSQL role the privileges it needs, as the tables' owner."

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's role, e.g. ringfence_app (it must already exist).")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles (README, deployment).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"There is no role {role!r}. Create it first: CREATE ROLE {role} LOGIN PASSWORD '...';"
                )
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
            if owner == role:
                raise CommandError(f"Run this as the tables' owner, not as {role} itself.")
        name = connection.ops.quote_name(role)
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        statements = [
            f"GRANT CONNECT ON DATABASE {database} TO {name}",
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
            *[f"REVOKE UPDATE, DELETE ON {table} FROM {name}" for table in APPEND_ONLY],
            f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {name}",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{role} may read and write rows (through the triggers) but owns nothing: it cannot disable triggers, "
            f"alter tables or TRUNCATE, and may only insert into {', '.join(APPEND_ONLY)}."
        )

"""The database itself checks what the ring fence relies on, whatever path a change takes.

1. An entry balances, in total and within each fund and funding year, and has at least two lines. Lines are written
   before their entry (``ledger.posting``): a line may only be written for an entry that does not exist yet, and the
   entry row may only be written once its lines are all there and balance. The foreign key from line to entry is
   checked at commit (Django creates it DEFERRABLE INITIALLY DEFERRED on both databases), so a line without its entry
   cannot be committed; once the entry exists no line can join it. On SQLite, which has no commit-time trigger, that
   ordering *is* the commit-time check. On PostgreSQL a deferred constraint trigger checks every new entry and every
   new line's entry again at commit, which also closes a race between two transactions writing lines for one id.
2. ``INSERT OR REPLACE`` / ``REPLACE INTO`` (SQLite) deletes the row it conflicts with without firing DELETE triggers;
   BEFORE INSERT triggers do fire, so they refuse any insert that would meet an existing entry, line, kept balance
   or position (reports 0004 does the same for pack sign-offs). ``TRUNCATE`` (PostgreSQL, including ``TRUNCATE ... CASCADE`` from a referenced table) fires
   no DELETE trigger either; a statement trigger refuses it on every guarded table.
3. A kept fund position (``ledger_fundposition``) changes only by exactly what the fund's journal lines say: each row
   records the last line it counts (``through_line``), and an UPDATE must move it forward by the sum of the fund's
   lines after the old value up to the new one; an INSERT must equal the sum of the lines up to it; DELETE is
   refused. An edited position (+£1m) is refused, so the ring fence cannot be widened from below the application.
   Kept balances (``ledger_balance``) may only grow and are never deleted; ``verify_ledger`` recomputes them.
4. The chain head can only point at the newest entry's hash.

The application connects, in production, as a role that does not own these tables, so it cannot disable the
triggers (README, "Deployment: the database roles"); only the owner that runs migrations can.
"""

from django.db import migrations, models

GUARDED = [
    "ledger_journalentry",
    "ledger_journalline",
    "ledger_fundposition",
    "ledger_balance",
    "ledger_chainhead",
]

SQLITE_PENCE = "CAST(ROUND(l.amount * 100) AS INTEGER)"
PG_PENCE = "(l.amount * 100)::bigint"


def _position_sums(pence: str, lower: str, upper: str, fund: str, year: str) -> str:
    """(limit, committed, actual) pence of a fund's lines with ids in (lower, upper]."""
    signed = f"CASE l.direction WHEN 'D' THEN {pence} ELSE -{pence} END"
    return (
        f"SELECT COALESCE(SUM(CASE a.role WHEN 'limit' THEN -({signed}) ELSE 0 END), 0) AS dl, "
        f"COALESCE(SUM(CASE a.role WHEN 'committed' THEN {signed} ELSE 0 END), 0) AS dc, "
        f"COALESCE(SUM(CASE a.role WHEN 'actual' THEN {signed} ELSE 0 END), 0) AS da "
        f"FROM ledger_journalline l JOIN ledger_account a ON a.id = l.account_id "
        f"WHERE l.fund_id = {fund} AND l.funding_year_id = {year} AND l.id > {lower} AND l.id <= {upper}"
    )


UNBALANCED_SQLITE = (
    "(SELECT COUNT(*) FROM ledger_journalline WHERE entry_id = NEW.id) < 2 OR EXISTS ("
    f"SELECT 1 FROM ledger_journalline l WHERE l.entry_id = NEW.id GROUP BY l.fund_id, l.funding_year_id "
    f"HAVING SUM(CASE l.direction WHEN 'D' THEN {SQLITE_PENCE} ELSE -{SQLITE_PENCE} END) <> 0)"
)

SQLITE = [
    # 1. Lines first, then their entry, which must balance.
    """CREATE TRIGGER ledger_line_before_its_entry BEFORE INSERT ON ledger_journalline
       WHEN EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id)
       BEGIN SELECT RAISE(ABORT, 'ledger_journalline: no line can be added to a posted entry; post a new entry'); END""",
    """CREATE TRIGGER ledger_line_no_replace BEFORE INSERT ON ledger_journalline
       WHEN EXISTS (SELECT 1 FROM ledger_journalline WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'ledger_journalline is append-only: a posted line cannot be replaced'); END""",
    """CREATE TRIGGER ledger_entry_no_replace BEFORE INSERT ON ledger_journalentry
       WHEN EXISTS (SELECT 1 FROM ledger_journalentry
                    WHERE id = NEW.id OR hash = NEW.hash OR (year_id = NEW.year_id AND number = NEW.number))
       BEGIN SELECT RAISE(ABORT, 'ledger_journalentry is append-only: a posted entry cannot be replaced'); END""",
    f"""CREATE TRIGGER ledger_entry_balanced BEFORE INSERT ON ledger_journalentry
       WHEN {UNBALANCED_SQLITE}
       BEGIN SELECT RAISE(ABORT, 'ledger_journalentry: an entry needs at least two lines written before it, balanced in total and within each fund and funding year'); END""",
    # 3. Kept positions move only by what the lines say.
    """CREATE TRIGGER ledger_position_no_delete BEFORE DELETE ON ledger_fundposition
       BEGIN SELECT RAISE(ABORT, 'ledger_fundposition is kept by posting: a position cannot be deleted'); END""",
    f"""CREATE TRIGGER ledger_position_insert_from_lines BEFORE INSERT ON ledger_fundposition
       WHEN EXISTS (SELECT 1 FROM ledger_fundposition
                    WHERE id = NEW.id OR (fund_id = NEW.fund_id AND funding_year_id = NEW.funding_year_id))
         OR NOT EXISTS (SELECT 1 FROM ({_position_sums(SQLITE_PENCE, "0", "NEW.through_line", "NEW.fund_id",
                                                        "NEW.funding_year_id")}) s
                        WHERE s.dl = NEW.limit_pence AND s.dc = NEW.committed_pence AND s.da = NEW.actual_pence)
       BEGIN SELECT RAISE(ABORT, 'ledger_fundposition is kept by posting: a new position must equal the sum of its fund''s journal lines'); END""",
    f"""CREATE TRIGGER ledger_position_update_from_lines BEFORE UPDATE ON ledger_fundposition
       WHEN NEW.id <> OLD.id OR NEW.fund_id <> OLD.fund_id OR NEW.funding_year_id <> OLD.funding_year_id
         OR NEW.through_line < OLD.through_line
         OR NOT EXISTS (SELECT 1 FROM ({_position_sums(SQLITE_PENCE, "OLD.through_line", "NEW.through_line",
                                                        "NEW.fund_id", "NEW.funding_year_id")}) s
                        WHERE s.dl = NEW.limit_pence - OLD.limit_pence AND s.dc = NEW.committed_pence - OLD.committed_pence
                          AND s.da = NEW.actual_pence - OLD.actual_pence)
       BEGIN SELECT RAISE(ABORT, 'ledger_fundposition is kept by posting: a position changes only by the sum of the journal lines posted since'); END""",
    """CREATE TRIGGER ledger_balance_no_delete BEFORE DELETE ON ledger_balance
       BEGIN SELECT RAISE(ABORT, 'ledger_balance is kept by posting: a balance cannot be deleted'); END""",
    """CREATE TRIGGER ledger_balance_only_grows BEFORE UPDATE ON ledger_balance
       WHEN NEW.id <> OLD.id OR NEW.fund_id <> OLD.fund_id OR NEW.account_id <> OLD.account_id
         OR NEW.funding_year_id <> OLD.funding_year_id OR NEW.date <> OLD.date OR NEW.posted_on <> OLD.posted_on
         OR NEW.debit_pence < OLD.debit_pence OR NEW.credit_pence < OLD.credit_pence
       BEGIN SELECT RAISE(ABORT, 'ledger_balance is kept by posting: a balance only grows as lines are posted'); END""",
    """CREATE TRIGGER ledger_balance_no_replace BEFORE INSERT ON ledger_balance
       WHEN EXISTS (SELECT 1 FROM ledger_balance WHERE id = NEW.id OR (funding_year_id = NEW.funding_year_id
                    AND fund_id = NEW.fund_id AND account_id = NEW.account_id AND date = NEW.date
                    AND posted_on = NEW.posted_on))
       BEGIN SELECT RAISE(ABORT, 'ledger_balance is kept by posting: a balance cannot be replaced'); END""",
    # 4. The chain head points at the newest entry.
    f"""CREATE TRIGGER ledger_chainhead_follows_entries BEFORE UPDATE ON ledger_chainhead
       WHEN NEW.entries < OLD.entries OR NEW.last_hash IS NOT
            COALESCE((SELECT hash FROM ledger_journalentry ORDER BY id DESC LIMIT 1), '{"0" * 64}')
       BEGIN SELECT RAISE(ABORT, 'ledger_chainhead points at the newest entry''s hash and only moves forward'); END""",
    """CREATE TRIGGER ledger_chainhead_no_delete BEFORE DELETE ON ledger_chainhead
       BEGIN SELECT RAISE(ABORT, 'ledger_chainhead cannot be deleted'); END""",
    """CREATE TRIGGER ledger_chainhead_no_replace BEFORE INSERT ON ledger_chainhead
       WHEN EXISTS (SELECT 1 FROM ledger_chainhead) OR EXISTS (SELECT 1 FROM ledger_journalentry)
       BEGIN SELECT RAISE(ABORT, 'ledger_chainhead is created once, before the first entry'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_line_before_its_entry", "ledger_line_no_replace", "ledger_entry_no_replace", "ledger_entry_balanced",
        "ledger_position_no_delete", "ledger_position_insert_from_lines", "ledger_position_update_from_lines",
        "ledger_balance_no_delete", "ledger_balance_only_grows", "ledger_balance_no_replace",
        "ledger_chainhead_follows_entries", "ledger_chainhead_no_delete", "ledger_chainhead_no_replace",
    )
]

POSTGRES = [
    # 1. Lines first, then their entry; balanced when the entry is written and again at commit.
    """CREATE OR REPLACE FUNCTION ledger_line_before_its_entry() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id) THEN
           RAISE EXCEPTION 'ledger_journalline: no line can be added to a posted entry (%); post a new entry',
             NEW.entry_id USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_line_before_its_entry BEFORE INSERT ON ledger_journalline
       FOR EACH ROW EXECUTE FUNCTION ledger_line_before_its_entry()""",
    f"""CREATE OR REPLACE FUNCTION ledger_check_entry_balanced(entry bigint, written boolean) RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         IF written AND NOT EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = entry) THEN
           RAISE EXCEPTION 'ledger_journalline: lines of entry % were committed without their entry', entry
             USING ERRCODE = 'check_violation';
         END IF;
         -- MATERIALIZED: read the entry's own lines through the entry_id index, then group them (left to itself
         -- the planner may scan the fund index for them).
         IF (WITH l AS MATERIALIZED (SELECT fund_id, funding_year_id, direction, amount FROM ledger_journalline
                                     WHERE entry_id = entry),
                  f AS (SELECT SUM(CASE l.direction WHEN 'D' THEN {PG_PENCE} ELSE -{PG_PENCE} END) AS diff,
                               COUNT(*) AS n FROM l GROUP BY l.fund_id, l.funding_year_id)
             SELECT COALESCE(SUM(n), 0) < 2 OR COALESCE(bool_or(diff <> 0), false) FROM f) THEN
           RAISE EXCEPTION 'ledger_journalentry %: an entry needs at least two lines, balanced in total and within each fund and funding year', entry
             USING ERRCODE = 'check_violation';
         END IF;
       END $$""",
    """CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM ledger_check_entry_balanced(NEW.id, TG_WHEN = 'AFTER');
         RETURN NEW;
       END $$""",
    """CREATE OR REPLACE FUNCTION ledger_line_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM ledger_check_entry_balanced(NEW.entry_id, true);
         RETURN NULL;
       END $$""",
    """CREATE CONSTRAINT TRIGGER ledger_entry_balanced_at_commit AFTER INSERT ON ledger_journalentry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()""",
    """CREATE CONSTRAINT TRIGGER ledger_line_entry_balanced_at_commit AFTER INSERT ON ledger_journalline
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_line_entry_balanced()""",
    # 2. TRUNCATE, from any table, cascading or not.
    """CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION '% cannot be truncated: the ledger is append-only', TG_TABLE_NAME
           USING ERRCODE = 'restrict_violation';
       END $$""",
    *[
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"""
        for table in GUARDED
    ],
    # 3. Kept positions move only by what the lines say.
    f"""CREATE OR REPLACE FUNCTION ledger_position_from_lines() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         lower bigint := 0;
         s record;
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'ledger_fundposition is kept by posting: a position cannot be deleted'
             USING ERRCODE = 'restrict_violation';
         END IF;
         IF TG_OP = 'UPDATE' THEN
           IF NEW.id <> OLD.id OR NEW.fund_id <> OLD.fund_id OR NEW.funding_year_id <> OLD.funding_year_id
              OR NEW.through_line < OLD.through_line THEN
             RAISE EXCEPTION 'ledger_fundposition is kept by posting: a position only moves forward'
               USING ERRCODE = 'restrict_violation';
           END IF;
           lower := OLD.through_line;
         END IF;
         {_position_sums(PG_PENCE, "lower", "NEW.through_line", "NEW.fund_id", "NEW.funding_year_id")} INTO s;
         IF TG_OP = 'UPDATE' AND (s.dl <> NEW.limit_pence - OLD.limit_pence OR s.dc <> NEW.committed_pence - OLD.committed_pence
                                  OR s.da <> NEW.actual_pence - OLD.actual_pence)
            OR TG_OP = 'INSERT' AND (s.dl <> NEW.limit_pence OR s.dc <> NEW.committed_pence OR s.da <> NEW.actual_pence) THEN
           RAISE EXCEPTION 'ledger_fundposition is kept by posting: a position changes only by the sum of the journal lines posted since'
             USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_position_from_lines BEFORE INSERT OR UPDATE OR DELETE ON ledger_fundposition
       FOR EACH ROW EXECUTE FUNCTION ledger_position_from_lines()""",
    """CREATE OR REPLACE FUNCTION ledger_balance_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.fund_id <> OLD.fund_id OR NEW.account_id <> OLD.account_id
            OR NEW.funding_year_id <> OLD.funding_year_id OR NEW.date <> OLD.date OR NEW.posted_on <> OLD.posted_on
            OR NEW.debit_pence < OLD.debit_pence OR NEW.credit_pence < OLD.credit_pence THEN
           RAISE EXCEPTION 'ledger_balance is kept by posting: a balance only grows as lines are posted'
             USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_balance_only_grows BEFORE UPDATE OR DELETE ON ledger_balance
       FOR EACH ROW EXECUTE FUNCTION ledger_balance_only_grows()""",
    # 4. The chain head points at the newest entry.
    """CREATE OR REPLACE FUNCTION ledger_chainhead_follows_entries() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR NEW.entries < OLD.entries OR NEW.last_hash IS DISTINCT FROM
              COALESCE((SELECT hash FROM ledger_journalentry ORDER BY id DESC LIMIT 1), repeat('0', 64)) THEN
           RAISE EXCEPTION 'ledger_chainhead points at the newest entry''s hash and only moves forward'
             USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_chainhead_follows_entries BEFORE UPDATE OR DELETE ON ledger_chainhead
       FOR EACH ROW EXECUTE FUNCTION ledger_chainhead_follows_entries()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_line_before_its_entry ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_entry_balanced_at_commit ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_line_entry_balanced_at_commit ON ledger_journalline",
    *[f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}" for table in GUARDED],
    "DROP TRIGGER IF EXISTS ledger_position_from_lines ON ledger_fundposition",
    "DROP TRIGGER IF EXISTS ledger_balance_only_grows ON ledger_balance",
    "DROP TRIGGER IF EXISTS ledger_chainhead_follows_entries ON ledger_chainhead",
    "DROP FUNCTION IF EXISTS ledger_line_before_its_entry()",
    "DROP FUNCTION IF EXISTS ledger_entry_balanced()",
    "DROP FUNCTION IF EXISTS ledger_line_entry_balanced()",
    "DROP FUNCTION IF EXISTS ledger_check_entry_balanced(bigint, boolean)",
    "DROP FUNCTION IF EXISTS ledger_refuse_truncate()",
    "DROP FUNCTION IF EXISTS ledger_position_from_lines()",
    "DROP FUNCTION IF EXISTS ledger_balance_only_grows()",
    "DROP FUNCTION IF EXISTS ledger_chainhead_follows_entries()",
]


def positions_through_their_last_line(apps, schema_editor):
    """Each kept position so far counts every line of its fund and year posted before this migration."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_fundposition SET through_line = COALESCE((SELECT MAX(l.id) FROM ledger_journalline l "
            "WHERE l.fund_id = ledger_fundposition.fund_id "
            "AND l.funding_year_id = ledger_fundposition.funding_year_id), 0)"
        )


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    statements = POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_correcting_line_budget_line")]
    operations = [
        migrations.AddField(
            model_name="fundposition",
            name="through_line",
            field=models.BigIntegerField(
                default=0,
                help_text="The id of the last journal line counted in this row. The database refuses any change to "
                "the row that is not exactly the sum of the fund's lines after the old value up to the new one "
                "(migration 0009).",
            ),
        ),
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["fund", "funding_year", "id"], name="ledger_line_fund_year_idx"
            ),
        ),
        migrations.RunPython(positions_through_their_last_line, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]

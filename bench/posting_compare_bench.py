#!/usr/bin/env python
"""Posting side by side (issue 14): Ringfence and django-ledger 0.8.5 posting the same balanced two-line journal
entry, in the same run, on the same database server.

What is measured, each on an empty database of its own (PostgreSQL: on the server in ``BENCH_PG_URL``; SQLite: a
file in a temporary folder):

(a) Ringfence, one entry at a time: ``ledger.posting.entry_post`` (every rule checked; funds and chain head locked;
    numbered, hashed and chained; lines, kept balances and fund position written; one transaction per entry), one
    writer, N entries: cash received (debit cash, credit proceeds-of-crime income) on one fund, today.
(b) Ringfence in batches: ``ledger.posting.entries_post``, the same entries, B of them per call (one transaction,
    funds and chain head locked once per batch, every entry checked as (a) checks it).
(c) django-ledger 0.8.5, one entry at a time, the way its own code posts one (its receipts and its data import call
    exactly this): ``LedgerModel.commit_txs(je_timestamp=now, je_txs=[debit cash, credit operational income],
    je_posted=True)``, which checks the lines balance and the period is open, saves a ``JournalEntryModel``
    (numbered under a row lock of the entity's sequence), bulk-inserts its two ``TransactionModel`` rows, reads
    them back to verify balance and chart of accounts and marks the entry posted and locked; one transaction per
    entry. See ``bench/django_ledger_project/post_bench.py``.

django-ledger runs in a virtual environment of its own, ``var/bench/django-ledger-venv`` (made by this script on
first use from ``bench/django_ledger_project/requirements.txt``: the same Django and psycopg pins as Ringfence,
plus django-ledger 0.8.5 and what it needs), as a subprocess with the minimal settings in
``bench/django_ledger_project/settings.py``; Ringfence's part runs in subprocesses of this venv. The systems take
turns, round after round (``--rounds``), so each sees the same load; a round's entries are timed after the
database is set up and one entry is posted untimed (its queries are counted). Besides the wall time, the CPU each
entry cost is reported: this process's (Python: Django, the driver, hashing) and, on PostgreSQL, the server
backend's (read from /proc, the server being on this machine), since on shared cores the CPU moves less with the
load than the wall time does.

``--baseline REV`` also measures Ringfence as it was at git revision REV (exported with ``git archive`` into
``var/bench/ringfence-REV``; its own database), so a change to posting is compared with what it replaced in one run.

    .venv/bin/python bench/posting_compare_bench.py                       # both databases, 3 rounds
    .venv/bin/python bench/posting_compare_bench.py --db postgres --baseline HEAD
    .venv/bin/python bench/posting_compare_bench.py --quick               # SQLite, a few hundred entries

Aims (issue 14): Ringfence batch posting at least 2,000 entries/s on PostgreSQL; single-entry posting at least
twice what it was on both databases.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    RESULT_MARK,
    ROOT,
    create_database,
    emit_result,
    machine,
    print_machine,
    print_table,
    progress,
)

DL_DIR = ROOT / "bench" / "django_ledger_project"
DL_VENV = ROOT / "var" / "bench" / "django-ledger-venv"
DL_PYTHON = DL_VENV / "bin" / "python"
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
BATCH_AIM = 2000


# --- Ringfence's part (a child process of this venv, pointed at a source tree) -----------------------------------


def rf_django(args) -> None:
    """Django for the Ringfence tree in ``args.tree`` (this checkout, or an exported revision)."""
    sys.path.insert(0, args.tree)
    from bench.common import django_setup

    django_setup(args.url, migrate=args.child == "rf-setup")


def rf_world():
    from django.contrib.auth.models import User

    from funds.models import Fund

    return User.objects.get(username="bench-officer"), Fund.objects.get(code="POCA")


def backend_cpu_seconds(connection) -> float | None:
    """CPU used so far by this connection's PostgreSQL backend (the server runs on this machine)."""
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


def rf_child(args) -> dict:
    rf_django(args)
    from datetime import date
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ledger import accounts as acc
    from ledger.posting import CREDIT, DEBIT, EntryDraft, Leg, entries_post, entry_post

    if args.child == "rf-setup":
        from bench.ledger_scenario import setup_reference

        today = date.today()
        current = today.year if today.month >= 4 else today.year - 1
        setup_reference(current, current)
        return {"ok": True}
    officer, fund = rf_world()
    today = date.today()

    def legs(n: int) -> list:
        amount = Decimal(100 + n % 20000) / 100 + 1
        return [Leg(acc.CASH, fund, DEBIT, amount), Leg(acc.POCA_INCOME, fund, CREDIT, amount)]

    def single(n: int):
        entry_post(date=today, description=f"Cash received {n}", legs=legs(n), by=officer,
                   source_type="bench.compare")

    def batch(first: int, size: int):
        entries_post(date=today, by=officer,
                     drafts=[EntryDraft(f"Cash received {n}", legs(n)) for n in range(first, first + size)])

    size = args.batch_size
    with CaptureQueriesContext(connection) as ctx:  # untimed: one entry, or one batch, and its queries
        single(0) if args.mode == "single" else batch(0, size)
    per_entry_queries = len(ctx.captured_queries) / (1 if args.mode == "single" else size)
    server_before, cpu_before = backend_cpu_seconds(connection), time.process_time()
    start = time.perf_counter()
    if args.mode == "single":
        for n in range(1, args.entries + 1):
            single(n)
    else:
        for first in range(1, args.entries + 1, size):
            batch(first, min(size, args.entries + 1 - first))
    seconds = time.perf_counter() - start
    result = {"entries": args.entries, "seconds": seconds, "queries_per_entry": per_entry_queries,
              "client_cpu_s": time.process_time() - cpu_before}
    server_after = backend_cpu_seconds(connection)
    if server_before is not None and server_after is not None:
        result["server_cpu_s"] = server_after - server_before
    return result


# --- django-ledger's part (its own venv) ----------------------------------------------------------------------------


def ensure_dl_venv() -> None:
    """var/bench/django-ledger-venv with the pinned django-ledger 0.8.5, made once."""
    check = "import django, django_ledger, psycopg; assert django.get_version() == '5.2.19'"
    if DL_PYTHON.exists() and subprocess.run([str(DL_PYTHON), "-c", check], capture_output=True).returncode == 0:
        return
    progress(f"making {DL_VENV.relative_to(ROOT)} (django-ledger 0.8.5 and its requirements)")
    DL_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(DL_VENV)], check=True)
    subprocess.run([str(DL_PYTHON), "-m", "pip", "install", "--quiet", "-r", str(DL_DIR / "requirements.txt")],
                   check=True)


def export_tree(rev: str) -> Path:
    """Ringfence's files as at ``rev`` (git archive), in var/bench/ringfence-<rev>."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    folder = ROOT / "var" / "bench" / f"ringfence-{sha}"
    if not (folder / "manage.py").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run(command: list[str], env: dict | None = None) -> dict:
    """A child process; its result comes back as the JSON line after RESULT_MARK, or an error."""
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    progress(f"FAILED (exit {proc.returncode}): {' '.join(command[1:4])}: {tail}")
    return {"error": tail[:200]}


class System:
    """One system on one database: how to set it up and how to post a round of entries."""

    def __init__(self, name: str, db: str, *, tree: Path | None = None, modes=("single",)):
        self.name, self.db, self.tree, self.modes = name, db, tree, modes
        self.url = self.drop = None
        self.rounds = {mode: [] for mode in modes}

    def create(self, index: int) -> None:
        names = {0: "ringfence_bench_post", 1: "ringfence_bench_post_base", 2: "ringfence_bench_dl"}
        self.url, self.drop = create_database(self.db, names[index])

    def command(self, child: str, mode: str = "", args=None) -> tuple[list[str], dict]:
        if self.tree is None:  # django-ledger
            extra = ["post", "--entries", str(args.entries)] if child == "post" else ["setup"]
            return [str(DL_PYTHON), str(DL_DIR / "post_bench.py"), *extra], {"BENCH_DL_DATABASE_URL": self.url}
        extra = ["--mode", mode, "--entries", str(args.batch_entries if mode == "batch" else args.entries),
                 "--batch-size", str(args.batch_size)] if child == "post" else []
        return [sys.executable, __file__, "--child", "rf-" + child, "--url", self.url, "--tree", str(self.tree),
                *extra], {}

    def setup(self) -> bool:
        result = run(*self.command("setup"))
        return "error" not in result

    def round(self, args) -> None:
        for mode in self.modes:
            self.rounds[mode].append(run(*self.command("post", mode, args)))


def rows_for(systems: list[System]) -> list[list[str]]:
    rows = []
    for s in systems:
        for mode, results in s.rounds.items():
            label = {"single": "one entry per transaction, one writer",
                     "batch": f"batch ({s.batch_size} entries per transaction)"}[mode]
            ok = [r for r in results if "error" not in r]
            if not ok:
                error = results[0]["error"] if results else "not run"
                rows.append([s.name, NAMES[s.db], label, "-", "-", f"failed: {error}", "", ""])
                continue
            entries = sum(r["entries"] for r in ok)
            seconds = sum(r["seconds"] for r in ok)
            rates = [r["entries"] / r["seconds"] for r in ok]
            cpu = sum(r.get("client_cpu_s", 0) for r in ok) / entries * 1000
            server = [r["server_cpu_s"] for r in ok if "server_cpu_s" in r]
            cpu_text = f"{cpu:.2f}" + (f" + {sum(server) / entries * 1000:.2f}" if server else "")
            spread = f" ({min(rates):,.0f}-{max(rates):,.0f})" if len(rates) > 1 else ""
            queries = statistics.mean(r["queries_per_entry"] for r in ok)
            rows.append([s.name, NAMES[s.db], label, f"{entries:,}", f"{seconds:.2f}",
                         f"**{entries / seconds:,.0f}**{spread}", f"{queries:.2f}", cpu_text])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--entries", type=int, default=1000, help="entries per round posted one at a time")
    parser.add_argument("--batch-entries", type=int, default=5000, help="entries per round posted in batches")
    parser.add_argument("--batch-size", type=int, default=500, help="entries per entries_post call")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="REV", help="also measure Ringfence as at git revision REV")
    parser.add_argument("--no-django-ledger", action="store_true", help="leave django-ledger out")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--quick", action="store_true", help="smoke check: SQLite, 200 + 1,000 entries, one round")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        emit_result(rf_child(args))
        return
    if args.quick:
        args.db, args.entries, args.batch_entries, args.batch_size, args.rounds = "sqlite", 200, 1000, 250, 1
    info = machine()
    print_machine(info)
    if not args.no_django_ledger:
        ensure_dl_venv()
    trees = [("Ringfence (this checkout)", ROOT)]
    if args.baseline:
        trees.append((f"Ringfence at {args.baseline}", export_tree(args.baseline)))
    systems = []
    for db in (["postgres", "sqlite"] if args.db == "both" else [args.db]):
        here = [System(name, db, tree=tree, modes=("single", "batch")) for name, tree in trees]
        if not args.no_django_ledger:
            here.append(System("django-ledger 0.8.5", db))
        for index, s in enumerate(here):
            s.batch_size = args.batch_size
            s.create(index if s.tree is not None else 2)
            progress(f"{s.name} on {NAMES[db]}: setting up")
            if not s.setup():
                s.rounds = {mode: [{"error": "setup failed"}] for mode in s.modes}
        ready = [s for s in here if all("error" not in r for rs in s.rounds.values() for r in rs)]
        for number in range(1, args.rounds + 1):
            for s in ready:
                progress(f"{NAMES[db]} round {number}/{args.rounds}: {s.name}")
                s.round(args)
        for s in here:
            if not args.keep:
                s.drop()
        systems += here
    print(f"\nPosting side by side ({args.rounds} round(s); per round {args.entries:,} entries one at a time and "
          f"{args.batch_entries:,} in batches of {args.batch_size:,}; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})\n")
    print_table(["system", "database", "mode", "entries", "seconds", "entries/s (rounds)", "queries/entry",
                 "CPU ms/entry (client + server)"], rows_for(systems))
    for s in systems:
        if s.db == "postgres" and s.tree == ROOT and s.rounds.get("batch"):
            ok = [r for r in s.rounds["batch"] if "error" not in r]
            if ok:
                rate = sum(r["entries"] for r in ok) / sum(r["seconds"] for r in ok)
                print(f"\nAim: batch posting on PostgreSQL >= {BATCH_AIM:,} entries/s: "
                      f"{'MET' if rate >= BATCH_AIM else 'NOT MET'} ({rate:,.0f}).")


if __name__ == "__main__":
    main()

"""Running the real background worker inside a test, and a storage of its own for each test.

``run_worker()`` runs django-tasks-db's ``db_worker`` command in batch mode (every queued task, then it exits), as
the worker beside ``make run`` does. Two things are held still around it, as Django's test client does for
requests: the worker's ``close_old_connections`` (it would close the test's connection, inside the test's
transaction, on PostgreSQL) and the signal handlers it installs for a clean stop (they would outlive the command).
"""

import signal

import pytest
from django.core.management import call_command

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_worker() -> None:
    from django_tasks_db.management.commands import db_worker

    handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    recycle = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command("db_worker", batch=True, reload=False, interval=0, startup_delay=False, verbosity=0)
    finally:
        db_worker.close_old_connections = recycle
        for number, handler in handlers.items():
            signal.signal(number, handler)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and produced files go to a folder of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT

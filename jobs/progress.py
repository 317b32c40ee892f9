"""Live progress of a running job, kept beside the database rather than in it.

The work a job does runs in one transaction (an import is all or nothing), so anything it wrote to the database
would stay invisible to the job's page until the end. A second connection does not help on SQLite, whose one
writer is the import itself for as long as it runs. So while a job runs, its "n of m" and message go to a small
JSON file through Django's storage API, which the job's page reads; when the job ends, the last figures are kept
in the job's row and the file is deleted. Writes are throttled (at most every half second, and always the last
one), and a reader that finds the file missing or half written shows the figures in the row instead.
"""

import json
import logging
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

logger = logging.getLogger("ringfence.jobs")

MINIMUM_INTERVAL = 0.5  # seconds between two writes of the progress file


def progress_name(job_id: int) -> str:
    return f"jobs/progress/{job_id}.json"


class ProgressRecorder:
    """The ``progress(done, total)`` callback handed to a service. ``message`` says what the counts are of."""

    def __init__(self, job_id: int, *, message: str = "", interval: float = MINIMUM_INTERVAL):
        self.job_id = job_id
        self.message = message
        self.interval = interval
        self.done = 0
        self.total = 0
        self._written_at = float("-inf")

    def __call__(self, done: int, total: int, message: str | None = None) -> None:
        self.done, self.total = max(0, min(done, total)), max(0, total)
        if message is not None:
            self.message = message
        now = time.monotonic()
        if self.done < self.total and now - self._written_at < self.interval:
            return
        self._written_at = now
        progress_write(self.job_id, done=self.done, total=self.total, message=self.message)


def progress_write(job_id: int, *, done: int, total: int, message: str) -> None:
    """Replace the job's progress file. Progress is only information: a storage error is logged, never raised."""
    name = progress_name(job_id)
    content = json.dumps({"done": done, "total": total, "message": message[:200]}).encode()
    try:
        default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
    except OSError:
        logger.warning("Could not write the progress of job %s", job_id, exc_info=True)


def progress_read(job_id: int) -> dict | None:
    """The last progress written for the job: {"done", "total", "message"}, or None when there is none to read."""
    try:
        with default_storage.open(progress_name(job_id)) as file:
            data = json.loads(file.read())
        done, total, message = int(data["done"]), int(data["total"]), str(data["message"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"done": min(done, total), "total": total, "message": message}


def progress_delete(job_id: int) -> None:
    try:
        default_storage.delete(progress_name(job_id))
    except OSError:
        logger.warning("Could not delete the progress file of job %s", job_id, exc_info=True)

"""Starting long work in the background, from pages in any app.

An income import, a statement pack and the year end can take longer than a person should wait for a page (and
longer than the web server's timeout), so their pages queue the work and answer at once with the address of a page
that follows it. The queue, the worker's tasks and those pages are the ``jobs`` app; but income, reports and yearend
sit to its left in the layering (``tests/test_layering.py``) and may not import it. So they call
``background_start`` here, and ``jobs`` plugs its implementation in when Django starts (``JobsConfig.ready``): the
pages depend on this one function, never on the app that carries it out.

The same services still do the work (``income.importing.income_import``, ``reports.packs.pack_issue``,
``yearend.services.year_end_run``), only in the worker; management commands call them directly, in the foreground.
"""

from collections.abc import Callable
from dataclasses import dataclass

# The kinds of background work a page may start.
INCOME_IMPORT = "income_import"
PACK_ISSUE = "pack_issue"
YEAR_END = "year_end"
KINDS = (INCOME_IMPORT, PACK_ISSUE, YEAR_END)


@dataclass(frozen=True)
class Started:
    """What a page needs to answer: where the job is followed, its number, and whether the same work was already
    queued (then nothing new was queued: issuing a pack or running a year end twice by a double click)."""

    url: str
    number: int
    already_queued: bool = False


_starter: Callable[..., Started] | None = None


def background_register(starter: Callable[..., Started]) -> None:
    """Called once by the app that runs background work (``jobs``)."""
    global _starter
    _starter = starter


def background_start(*, kind: str, by, parameters: dict, upload=None) -> Started:
    """Queue ``kind`` of work for ``by``; ``parameters`` must be JSON-safe; ``upload`` is an uploaded file the work
    reads (kept in storage for the worker, never in the queue itself)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of background work {kind!r}; one of {', '.join(KINDS)}.")
    if _starter is None:
        raise RuntimeError("No app runs background work: add 'jobs' to INSTALLED_APPS.")
    return _starter(kind=kind, by=by, parameters=parameters, upload=upload)

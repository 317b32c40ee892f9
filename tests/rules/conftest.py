"""The rule x path matrix: each business rule is tried through every path that could break it (service call, web
form, import file, admin) and must be refused there with the same message, leaving the database unchanged.

``database_state()`` is a fingerprint of every table the application owns (row count and highest primary key of
each concrete model, history tables included), so "writes nothing" is checked for the whole database, not for the
one table a test happens to think of.
"""

import html
import re

import pytest
from django.apps import apps
from django.db.models import Max

APP_LABELS = {"core", "funds", "ledger", "corporate", "income", "grants", "spending", "payments", "banking", "yearend",
              "monitoring", "reports", "transparency"}


def database_state() -> dict[str, tuple[int, object]]:
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in APP_LABELS or model._meta.proxy or not model._meta.managed:
            continue
        manager = model._base_manager
        state[model._meta.label] = (manager.count(), manager.aggregate(m=Max("pk"))["m"])
    return state


def page_text(response) -> str:
    """A page's visible text with entities decoded and whitespace collapsed, for comparing messages."""
    body = response.content.decode()
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture
def unchanged_database(db):
    """Use as ``with unchanged_database():`` around an attempt that must write nothing."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = database_state()
        yield
        after = database_state()
        changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        assert not changed, f"A refused attempt wrote to the database: {changed}"

    return check

"""Minimal settings to run django-ledger 0.8.5 for ``bench/posting_compare_bench.py``: its models only, no pages.

Runs in its own virtual environment (var/bench/django-ledger-venv), never in Ringfence's: nothing here imports
Ringfence. The database comes from BENCH_DL_DATABASE_URL (postgresql://user:password@host:port/name or
sqlite:///path), set by the benchmark.
"""

import os
from urllib.parse import unquote, urlsplit


def _database(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path)}
    return {
        "ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "", "PORT": str(parts.port or ""),
    }


SECRET_KEY = "bench-only-django-ledger-settings-not-used-anywhere-else"
DEBUG = False  # as Ringfence's side is measured: no query log kept in memory
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
TIME_ZONE = "Europe/London"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "treebeard",
    "django_ledger",
]
DATABASES = {"default": _database(os.environ["BENCH_DL_DATABASE_URL"])}
LOGIN_URL = "/login/"
DJANGO_LEDGER_USE_DEPRECATED_BEHAVIOR = False

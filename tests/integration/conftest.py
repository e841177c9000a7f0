"""Integration tests start real Celery processes, which must see the test database.

pytest-django keeps the SQLite test database in memory, out of reach of another process, so as
soon as these tests are collected the SQLite test database becomes a file. PostgreSQL needs
nothing: the subprocesses are pointed at the test_<name> database.
"""

from __future__ import annotations

import shutil
import tempfile

from django.conf import settings

_scratch: str | None = None


def pytest_configure(config):
    global _scratch
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"].endswith("sqlite3") and not test.get("NAME"):
        _scratch = tempfile.mkdtemp(prefix="zhiku-test-db-")
        test["NAME"] = f"{_scratch}/test_zhiku.sqlite3"


def pytest_unconfigure(config):
    if _scratch:
        shutil.rmtree(_scratch, ignore_errors=True)

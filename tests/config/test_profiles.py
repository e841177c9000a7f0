"""The settings profiles, checked by starting `manage.py check` with a controlled environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(tmp_path, *args, **kb_env):
    """Run manage.py with os.environ minus every KB_* and DJANGO_* variable, plus `kb_env`."""
    # DJANGO_* too: other tests set e.g. DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "DJANGO_"))}
    environ.setdefault("KB_DATA_DIR", str(tmp_path / "var"))
    environ.update(kb_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**overrides):
    values = {
        "KB_PROFILE": "production",
        "KB_SECRET_KEY": secrets.token_urlsafe(60),
        "KB_ALLOWED_HOSTS": "kb.example.com",
        # check --deploy does not connect, so no server needs to run
        "KB_DATABASE_URL": "postgresql://zhiku:p%40ss@db.example.com:5432/zhiku",
        "KB_BROKER_URL": "redis://redis.example.com:6379/0",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_embedded_profile_needs_no_variable(tmp_path):
    result = _manage(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    # The generated secret key is kept in the data directory for the next start.
    assert len((tmp_path / "var" / "secret_key").read_text().strip()) >= 50


@pytest.mark.parametrize(
    "missing", ["KB_SECRET_KEY", "KB_ALLOWED_HOSTS", "KB_DATABASE_URL", "KB_BROKER_URL"]
)
def test_production_refuses_to_start_without_a_mandatory_variable(tmp_path, missing):
    result = _manage(tmp_path, "check", **_production_env(**{missing: None}))
    assert result.returncode != 0
    assert missing in result.stderr
    assert "SettingError" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = _manage(tmp_path, "check", **_production_env(KB_SECRET_KEY="short-key"))
    assert result.returncode != 0
    assert "KB_SECRET_KEY" in result.stderr


def test_production_with_mandatory_variables_passes_the_deploy_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KB_DEBUG", "maybe"),
        ("KB_PROFILE", "staging"),
        ("KB_HEARTBEAT_INTERVAL", "0"),
        ("KB_DATABASE_URL", "mysql://u:p@h/db"),
    ],
)
def test_a_bad_value_fails_with_the_variable_named(tmp_path, variable, value):
    result = _manage(tmp_path, "check", **{variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("config.parsers.SettingError:")
    assert variable in last_line


def test_embedded_broker_folders_are_made_when_celery_is_configured(tmp_path):
    """Not at settings import: a `manage.py check` leaves no broker folder behind."""
    assert _manage(tmp_path, "check").returncode == 0
    broker = tmp_path / "var" / "broker"
    assert not broker.exists()

    result = _manage(
        tmp_path, "shell", "-c", "from config.celery import app; app.conf.broker_transport_options"
    )
    assert result.returncode == 0, result.stderr
    assert {p.name for p in broker.iterdir()} == {"queue", "control", "processed"}

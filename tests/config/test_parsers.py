"""Each KB_* parser accepts good values and names the variable when it rejects a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import parsers as env
from config.parsers import SettingError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_bool_accepts(raw, expected):
    assert env.get_bool("KB_FLAG", default=not expected, env={"KB_FLAG": raw}) is expected


def test_bool_default_when_unset():
    assert env.get_bool("KB_FLAG", default=True, env={}) is True
    assert env.get_bool("KB_FLAG", default=False, env={}) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "真"])
def test_bool_rejects(raw):
    with pytest.raises(SettingError, match="KB_FLAG"):
        env.get_bool("KB_FLAG", default=False, env={"KB_FLAG": raw})


def test_int_accepts_and_defaults():
    assert env.get_int("KB_N", 5, env={"KB_N": " 42 "}) == 42
    assert env.get_int("KB_N", 5, env={"KB_N": "1"}, minimum=1) == 1
    assert env.get_int("KB_N", 5, env={}) == 5
    assert env.get_int("KB_N", 5, env={"KB_N": ""}) == 5


@pytest.mark.parametrize(
    ("raw", "message"), [("ten", "not an integer"), ("1.5", "not an integer"), ("0", "minimum")]
)
def test_int_rejects(raw, message):
    with pytest.raises(SettingError, match=f"KB_N.*{message}"):
        env.get_int("KB_N", 5, env={"KB_N": raw}, minimum=1)


def test_choice():
    choices = ("tantivy", "elasticsearch")
    assert env.get_choice("KB_BACKEND", choices, "tantivy", env={}) == "tantivy"
    assert env.get_choice(
        "KB_BACKEND", choices, "tantivy", env={"KB_BACKEND": "elasticsearch"}
    ) == ("elasticsearch")
    with pytest.raises(SettingError, match="KB_BACKEND.*tantivy, elasticsearch"):
        env.get_choice("KB_BACKEND", choices, "tantivy", env={"KB_BACKEND": "solr"})


def test_str_required():
    assert env.get_str("KB_S", "d", env={}) == "d"
    assert env.get_str("KB_S", env={"KB_S": " v "}) == "v"
    for environ in ({}, {"KB_S": "  "}):
        with pytest.raises(SettingError, match="KB_S must be set"):
            env.get_str("KB_S", env=environ, required=True)


def test_list():
    assert env.get_list("KB_L", env={"KB_L": "a.example.com, b.example.com,,"}) == [
        "a.example.com",
        "b.example.com",
    ]
    assert env.get_list("KB_L", ["x"], env={}) == ["x"]
    assert env.get_list("KB_L", ["x"], env={"KB_L": ""}) == []


def test_path(tmp_path):
    assert env.get_path("KB_P", Path("/default"), env={"KB_P": str(tmp_path)}) == tmp_path
    assert env.get_path("KB_P", tmp_path / "d", env={}) == tmp_path / "d"


@pytest.mark.parametrize(
    "raw", ["redis://localhost:6379/0", "amqp://guest:guest@mq:5672//", "rediss://r.example.com"]
)
def test_url_accepts(raw):
    assert env.get_url("KB_BROKER_URL", ("redis", "rediss", "amqp"), env={"KB_BROKER_URL": raw})


@pytest.mark.parametrize("raw", ["http://localhost:6379", "localhost:6379", "redis://", "redis:"])
def test_url_rejects(raw):
    with pytest.raises(SettingError, match="KB_BROKER_URL.*redis or amqp"):
        env.get_url("KB_BROKER_URL", ("redis", "amqp"), env={"KB_BROKER_URL": raw})


def test_url_required():
    assert env.get_url("KB_U", ("http",), env={}) is None
    with pytest.raises(SettingError, match="KB_U"):
        env.get_url("KB_U", ("http",), env={}, required=True)


def test_database_url_postgresql_with_escaped_password():
    parsed = env.parse_database_url(
        "KB_DATABASE_URL", "postgresql://user:p%40ss@host:5433/db?sslmode=require"
    )
    assert parsed == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "db",
        "USER": "user",
        "PASSWORD": "p@ss",
        "HOST": "host",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_url_postgres_alias_without_port():
    parsed = env.parse_database_url("KB_DATABASE_URL", "postgres://zhiku@db.internal/zhiku")
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["PASSWORD"]) == ("db.internal", "", "")


def test_database_url_sqlite_absolute_and_relative():
    absolute = env.parse_database_url("KB_DATABASE_URL", "sqlite:////abs/path/zhiku.db")
    assert absolute == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/abs/path/zhiku.db"}
    relative = env.parse_database_url("KB_DATABASE_URL", "sqlite:///var/zhiku.db")
    assert relative["NAME"] == "var/zhiku.db"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://u:p@h/db", "scheme 'mysql'"),
        ("postgresql://u:p@h:5432/", "names no database"),
        ("postgresql://u:p@h:notaport/db", "bad port"),
        ("sqlite:///", "names no SQLite file"),
        ("sqlite:////", "names no SQLite file"),
    ],
)
def test_database_url_rejects(raw, message):
    with pytest.raises(SettingError, match=f"KB_DATABASE_URL.*{message}"):
        env.parse_database_url("KB_DATABASE_URL", raw)

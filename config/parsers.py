"""Small typed parsers for KB_* environment variables.

Each parser fails fast with a message naming the variable and the accepted values, so a typo in a
deployment is caught at start-up rather than at the first request (paperless-ngx
src/paperless/settings/parsers.py, zulip zproject/config.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class SettingError(Exception):
    """A KB_* variable is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, env: Mapping[str, str] | None) -> str | None:
    env = os.environ if env is None else env
    value = env.get(name)
    return None if value is None else value.strip()


def get_str(name: str, default: str | None = None, *, env=None, required=False) -> str | None:
    """Return a string setting; raise if required and missing or empty."""
    value = _raw(name, env)
    if value in (None, ""):
        if required:
            raise SettingError(f"{name} must be set (it has no default in this profile).")
        return default
    return value


def get_bool(name: str, default: bool, *, env=None) -> bool:
    """Return a boolean setting from 1/0, true/false, yes/no, on/off."""
    value = _raw(name, env)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(
        f"{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
    )


def get_int(name: str, default: int, *, env=None, minimum: int | None = None) -> int:
    """Return an integer setting, optionally bounded below."""
    value = _raw(name, env)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={number} is below the minimum of {minimum}.")
    return number


def get_list(name: str, default: list[str] | None = None, *, env=None) -> list[str]:
    """Return a comma-separated list setting with blanks removed."""
    value = _raw(name, env)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def get_choice(name: str, choices: tuple[str, ...], default: str, *, env=None) -> str:
    """Return a setting that must be one of `choices`."""
    value = _raw(name, env)
    if value in (None, ""):
        return default
    if value not in choices:
        raise SettingError(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def get_path(name: str, default: Path, *, env=None) -> Path:
    """Return an absolute path setting."""
    value = _raw(name, env)
    return Path(value).expanduser().resolve() if value else default.resolve()


def get_url(name: str, schemes: tuple[str, ...], *, env=None, required=False) -> str | None:
    """Return a URL setting whose scheme is one of `schemes`."""
    value = get_str(name, env=env, required=required)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise SettingError(f"{name}={value!r} is not a URL of scheme {' or '.join(schemes)}.")
    return value


_DB_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def parse_database_url(name: str, value: str) -> dict:
    """Turn postgresql://user:pass@host:port/db?opt=v or sqlite:///path into a DATABASES entry."""
    parts = urlsplit(value)
    engine = _DB_ENGINES.get(parts.scheme)
    if engine is None:
        raise SettingError(f"{name} has scheme {parts.scheme!r}; use postgresql:// or sqlite:///.")
    if engine.endswith("sqlite3"):
        # sqlite:////abs/path is absolute, sqlite:///rel/path relative (SQLAlchemy's convention).
        path = unquote(parts.path)[1:]
        if not path or path == "/":
            raise SettingError(f"{name}={value!r} names no SQLite file.")
        return {"ENGINE": engine, "NAME": path}
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name:
        raise SettingError(f"{name}={value!r} names no database.")
    try:
        port = parts.port
    except ValueError:
        raise SettingError(f"{name}={value!r} has a bad port.") from None
    return {
        "ENGINE": engine,
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }

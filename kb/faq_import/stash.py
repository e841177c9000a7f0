"""Uploaded FAQ files kept between preview and import, under MEDIA_ROOT but never web-served.

The preview is re-parsed from the stashed file rather than kept in the session: a file of a few
thousand answers would bloat every request of the session, and parsing again at import time is
what makes the import check the database as it is then, not as it was at preview.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

STASH_DIR = "faq-import-stash"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class StashNotFound(Exception):
    """The stashed upload does not exist (expired, imported, or another user's)."""


@dataclass
class Stash:
    token: str
    data: bytes
    filename: str
    options: dict


def _user_dir(user) -> Path:
    return Path(settings.MEDIA_ROOT) / STASH_DIR / str(int(user.pk))


def _paths(user, token: str) -> tuple[Path, Path]:
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise StashNotFound
    folder = _user_dir(user)
    return folder / token, folder / f"{token}.json"


def stash_upload(user, data: bytes, *, filename: str, options: dict) -> str:
    """Keep an uploaded file and its import options for `user`; return the token naming them."""
    _purge_old(user)
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(user, token)
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_bytes(data)
    meta_path.write_text(json.dumps({"filename": filename, "options": options}))
    return token


def load_stash(user, token: str) -> Stash:
    """Return the file `user` stashed under `token`; raise StashNotFound."""
    data_path, meta_path = _paths(user, token)
    try:
        meta = json.loads(meta_path.read_text())
        data = data_path.read_bytes()
    except (OSError, ValueError):
        raise StashNotFound from None
    return Stash(token=token, data=data, filename=meta["filename"], options=meta["options"])


def update_stash_options(user, token: str, options: dict) -> None:
    """Replace the import options kept with a stashed file."""
    stash = load_stash(user, token)
    _data_path, meta_path = _paths(user, token)
    meta_path.write_text(json.dumps({"filename": stash.filename, "options": options}))


def discard_stash(user, token: str) -> None:
    """Delete a stashed file; nothing happens if it is already gone."""
    try:
        paths = _paths(user, token)
    except StashNotFound:
        return
    for path in paths:
        path.unlink(missing_ok=True)


def _purge_old(user) -> None:
    folder = _user_dir(user)
    if not folder.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        except OSError:
            continue

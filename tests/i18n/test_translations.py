"""The .po files are complete and compiled: every msgid in the code is translated to Chinese."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "config" / "locale"
SOURCES = ["config", "kb", "documents", "customers", "search", "permissions", "templates"]


def _unquote(chunks: list[str]) -> str:
    return "".join(ast.literal_eval(chunk) for chunk in chunks)


def read_po(path: Path) -> dict[tuple[str | None, str], str]:
    """Return {(msgctxt, msgid): msgstr} for the live (non-obsolete) entries of a .po file."""
    entries: dict[tuple[str | None, str], str] = {}
    ctxt = None
    field = None
    parts: dict[str, list[str]] = {}

    def flush():
        nonlocal ctxt, parts
        if "msgid" in parts:
            msgid = _unquote(parts["msgid"])
            msgstr = _unquote(parts.get("msgstr", parts.get("msgstr[0]", [])))
            if msgid:
                entries[(ctxt, msgid)] = msgstr
        ctxt, parts = None, {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#~"):
                continue
            if not line and parts:
                flush()
            continue
        if line.startswith('"'):
            parts.setdefault(field, []).append(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            if parts:
                flush()
            ctxt = ast.literal_eval(rest)
            continue
        if keyword == "msgid" and parts:
            flush()
        field = keyword
        parts[field] = [rest]
    flush()
    return entries


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> dict:
    """Extract the msgids of the current code into a scratch copy of the tree."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (make test installs it)")
    scratch = tmp_path_factory.mktemp("i18n")
    for name in SOURCES:
        shutil.copytree(ROOT / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", scratch / "manage.py")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-wrap",
            "--ignore",
            "var/*",
        ],
        cwd=scratch,
        check=True,
        capture_output=True,
        env={**_env(), "KB_DATA_DIR": str(scratch / "var")},
    )
    return read_po(scratch / "config" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")


def _env():
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("KB_")}


def test_every_msgid_in_the_code_is_in_the_chinese_catalog(fresh_catalog):
    committed = read_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = sorted((msgid for msgid in fresh_catalog if msgid not in committed), key=str)
    assert missing == [], f"run makemessages and translate: {missing[:20]}"


def test_every_chinese_entry_is_translated():
    committed = read_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(committed) > 50
    untranslated = sorted((msgid for msgid, msgstr in committed.items() if not msgstr), key=str)
    assert untranslated == []


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogs_are_compiled_and_current(language):
    import gettext

    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    for (ctxt, msgid), msgstr in read_po(po).items():
        if not msgstr:
            continue
        key = f"{ctxt}\x04{msgid}" if ctxt else msgid
        if key not in compiled:  # plural entries are keyed by (msgid, index)
            key = (key, 0)
        assert compiled.get(key) == msgstr, f"{mo.name} is stale for {msgid!r}: compilemessages"


def test_chinese_is_served_by_default(client, db):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Knowledge base") == "知识库"

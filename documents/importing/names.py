"""Entry names: decoding zip names written by Chinese Windows, and refusing unsafe paths."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

# Bit 11 of a zip entry's flags: the name is UTF-8. Without it Python decodes the name as cp437,
# but Chinese Windows (Explorer, WinRAR, 7-Zip by default) writes it in the ANSI code page, GBK.
UTF8_FLAG = 0x800

_DRIVE = re.compile(r"^[A-Za-z]:")
_IGNORED_NAMES = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini"}
_IGNORED_FOLDERS = {"__macosx"}
MAX_PATH = 1000


class UnsafePath(Exception):
    """An entry name that would leave the import's root, with a code and a translated reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _plausible(text: str) -> bool:
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Co", "Cn", "Cs") or char == "\ufffd":
            return False
    return True


def decode_zip_name(info) -> str:
    """Return the real name of a zip entry, undoing cp437 decoding of GBK or unflagged UTF-8."""
    name = info.filename
    if info.flag_bits & UTF8_FLAG:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    if raw.isascii():
        return name
    # UTF-8 first: GBK bytes are almost never valid UTF-8, the reverse is not true.
    for codec in ("utf-8", "gb18030"):
        try:
            decoded = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible(decoded):
            return decoded
    return name


def display_fs_name(name: str) -> str:
    """Return a file-system name fit for the database: undecodable bytes read as GB18030."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def safe_parts(name: str) -> list[str]:
    """Split an entry name into path parts, or raise UnsafePath if it could escape the root."""
    if "\x00" in name:
        raise UnsafePath("unsafe_name", _("The name contains a NUL character."))
    # Some Windows tools write backslashes, which the zip format does not allow; treat them as
    # separators so that "..\\x" cannot slip through as a single odd name.
    name = name.replace("\\", "/")
    if name.startswith("/"):
        raise UnsafePath("absolute_path", _("Absolute paths are not allowed in an archive."))
    if _DRIVE.match(name):
        raise UnsafePath("absolute_path", _("Paths with a drive letter are not allowed."))
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafePath(
            "path_traversal", _("Paths that climb out of the folder (“..”) are not allowed.")
        )
    if not parts:
        raise UnsafePath("unsafe_name", _("The entry has no name."))
    return parts


def is_ignored(parts: list[str] | tuple[str, ...]) -> bool:
    """Return True for system and hidden files that an import skips without a word."""
    for part in parts:
        lowered = part.lower()
        if lowered in _IGNORED_FOLDERS or part.startswith("."):
            return True
    name = parts[-1].lower()
    # "~$x.docx" are Office lock files; "._x" (caught above) are macOS resource forks.
    return name in _IGNORED_NAMES or name.startswith("~$")

"""Content sniffing: what a file is by its bytes, for choosing decryption and second readers."""

from __future__ import annotations

import mimetypes
import zipfile
from pathlib import Path

PDF, OLE, ZIP, OTHER = "pdf", "ole", "zip", "other"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}

_OLE_BY_SUFFIX = {
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".msg": "application/vnd.ms-outlook",
}


def sniff_kind(path: Path) -> str:
    """Return pdf, ole, zip or other from the first bytes of the file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return OTHER
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(_OLE_MAGIC):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    return OTHER


def guess_mime(path: Path, kind: str | None = None) -> str:
    """Guess a MIME type from content first and the file name second (used when Tika failed)."""
    kind = kind or sniff_kind(path)
    if kind == PDF:
        return "application/pdf"
    if kind == ZIP:
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                for part, mime in _OOXML_PARTS.items():
                    if part in names:
                        return mime
                if "mimetype" in names:
                    return archive.read("mimetype").decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        by_name = mimetypes.guess_type(path.name)[0] or ""
        return by_name if by_name.startswith("application/vnd.openxml") else "application/zip"
    if kind == OLE:
        return _OLE_BY_SUFFIX.get(path.suffix.lower(), "application/x-tika-msoffice")
    by_name = mimetypes.guess_type(path.name)[0] or ""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return by_name or "application/octet-stream"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return by_name or "application/octet-stream"
    return by_name if by_name.startswith("text/") else "text/plain"


def zip_damage(path: Path) -> str:
    """Return why a zip-based file is damaged (no readable central directory), else ''."""
    try:
        with zipfile.ZipFile(path):
            return ""
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        return f"the file is damaged ({err}); its text may be incomplete"


def _family(mime: str) -> str:
    if mime.startswith("text/") or mime.endswith(("+xml", "/xml")):
        return "text"
    return mime


def extension_mismatch(path: Path, mime: str) -> str:
    """Return a warning when the content type contradicts the file extension, else ''."""
    expected = mimetypes.guess_type(path.name)[0]
    if not expected or not mime or mime == "application/octet-stream":
        return ""
    if _family(expected) == _family(mime):
        return ""
    return f"content is {mime}, which does not match the {path.suffix.lower()} extension"

"""Detect encrypted PDF and Office files and decrypt them with a password the user supplies.

Neither Tika engine takes a password here (iscc-tika has no password support), so a file that
needs one is decrypted to a scratch file first: pypdf for PDF, msoffcrypto-tool for Office files
(OOXML wrapped in an OLE container, and the RC4/CryptoAPI schemes of .doc/.xls/.ppt).
The password is used once and never stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from . import sniff

logger = logging.getLogger(__name__)


@dataclass
class Unlocked:
    """Outcome of the encryption check: `status` set means stop with that reason."""

    path: Path | None = None  # a decrypted copy, or None when the original is readable
    status: str | None = None  # "encrypted" when the file cannot be opened
    reason: str = ""
    wrong_password: bool = False


def unlock(path: Path, kind: str, password: str | None, scratch: Path) -> Unlocked:
    """Return how to read `path`: as is, from a decrypted copy, or not at all (encrypted)."""
    if kind == sniff.PDF:
        return _unlock_pdf(path, password, scratch)
    if kind == sniff.OLE:
        return _unlock_office(path, password, scratch)
    return Unlocked()


def _unlock_pdf(path: Path, password: str | None, scratch: Path) -> Unlocked:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as err:
        # A damaged PDF is the engine's problem to report; it is not an encryption question.
        logger.debug("pypdf cannot open %s: %s", path, err)
        return Unlocked()
    if not encrypted:
        return Unlocked()
    try:
        if reader.decrypt("") != 0:
            # Owner password only: anyone may open it and Tika reads it unaided.
            return Unlocked()
    except Exception as err:  # unsupported algorithm, missing crypto provider
        return Unlocked(status="encrypted", reason=f"encrypted PDF cannot be opened: {err}")
    if not password:
        return Unlocked(status="encrypted", reason="encrypted: a password is needed")
    try:
        matched = reader.decrypt(password)
    except Exception as err:
        return Unlocked(status="encrypted", reason=f"encrypted PDF cannot be opened: {err}")
    if matched == 0:
        return Unlocked(status="encrypted", reason="the password is wrong", wrong_password=True)
    target = scratch / f"decrypted{path.suffix or '.pdf'}"
    try:
        writer = PdfWriter(clone_from=reader)
        with target.open("wb") as fh:
            writer.write(fh)
    except Exception as err:
        return Unlocked(status="encrypted", reason=f"cannot decrypt PDF: {err}")
    return Unlocked(path=target)


def _unlock_office(path: Path, password: str | None, scratch: Path) -> Unlocked:
    import msoffcrypto
    from msoffcrypto.exceptions import InvalidKeyError

    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            encrypted = office.is_encrypted()
    except Exception as err:  # msoffcrypto raises assorted types on non-Office OLE files
        # Not an Office container msoffcrypto knows (e.g. Outlook .msg): nothing to decrypt.
        logger.debug("msoffcrypto cannot inspect %s: %s", path, err)
        return Unlocked()
    if not encrypted:
        return Unlocked()
    if not password:
        return Unlocked(status="encrypted", reason="encrypted: a password is needed")
    suffix = path.suffix.lower() or ".bin"
    target = scratch / f"decrypted{suffix}"
    try:
        with path.open("rb") as fh, target.open("wb") as out:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password)
            office.decrypt(out)
    except InvalidKeyError:
        return Unlocked(status="encrypted", reason="the password is wrong", wrong_password=True)
    except Exception as err:  # DecryptionError, FileFormatError, and parser errors alike
        message = str(err) or type(err).__name__
        if "password" in message.lower() or "key" in message.lower():
            return Unlocked(status="encrypted", reason="the password is wrong", wrong_password=True)
        return Unlocked(status="encrypted", reason=f"cannot decrypt: {message}")
    return Unlocked(path=target)

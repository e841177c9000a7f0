"""The extraction contract: one result type and a base class whose flow every engine shares.

An engine implements one primitive, `engine_extract(path)`, and may raise on a bad file. The base
class wraps it in the flow every engine needs — size limit, encryption and passwords, a second
reader where the engine fails or finds nothing, OCR availability, text clean-up, metadata — so
that `extract()` never raises for a bad file (paperless-ngx src/paperless/parsers/tika.py).

Nothing here imports Django: the module runs in spawned extraction children.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import encryption, readers, sniff
from .text import clean_text, guess_language

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 5_000_000


class Status(StrEnum):
    """Outcome of one extraction; the values match KnowledgeDocument.extraction_status."""

    EXTRACTED = "extracted"
    FAILED = "failed"
    SKIPPED = "skipped"
    ENCRYPTED = "encrypted"


class ErrorCode(StrEnum):
    """Why a file was not extracted; documents.extraction.messages translates these for people."""

    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    PARSE_ERROR = "parse_error"
    ENCRYPTED = "encrypted"
    WRONG_PASSWORD = "wrong_password"
    OCR_UNAVAILABLE = "ocr_unavailable"
    NO_TEXT = "no_text"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"


class ExtractionError(Exception):
    """An engine or a second reader could not read a file.

    `unavailable`: the engine itself could not be reached (a Tika server down), so the file was
    not judged at all and is worth another try later.
    """

    def __init__(self, message: str, *, encrypted: bool = False, unavailable: bool = False):
        super().__init__(message)
        self.encrypted = encrypted
        self.unavailable = unavailable


@dataclass
class ExtractionResult:
    """What came out of one file: text, a small metadata dict, and the status with its reason."""

    status: Status
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    mime_type: str = ""
    language: str = ""
    error: str = ""
    error_code: str = ""

    @property
    def ok(self) -> bool:
        return self.status == Status.EXTRACTED

    @classmethod
    def failure(
        cls, status: Status, code: ErrorCode, error: str, **kwargs: Any
    ) -> ExtractionResult:
        return cls(status=status, error=error, error_code=str(code), **kwargs)


@dataclass
class RawExtraction:
    """What an engine returns before the shared flow cleans it up."""

    text: str
    metadata: dict[str, Any]
    mime_type: str = ""
    ocr_ran: bool | None = None  # None: the engine cannot tell
    truncated: bool = False  # the engine stopped at its own output limit


def first_value(metadata: dict[str, Any], *keys: str) -> str:
    """Return the first non-empty value among `keys`; engines give strings or lists of them."""
    for key in keys:
        value = metadata.get(key)
        if isinstance(value, list | tuple):
            value = next((v for v in value if v not in (None, "")), None)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def summarize_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    """Keep the fields people search and sort by, not an engine's whole metadata dump."""
    summary: dict[str, Any] = {}
    author = first_value(raw, "dc:creator", "meta:author", "Author", "creator", "author")
    title = first_value(raw, "dc:title", "title", "Title")
    created = first_value(
        raw,
        "dcterms:created",
        "meta:creation-date",
        "Creation-Date",
        "pdf:docinfo:created",
        "created",
    )
    pages = first_value(
        raw, "xmpTPg:NPages", "meta:page-count", "Page-Count", "meta:slide-count", "page_count"
    )
    if author:
        summary["author"] = author
    if title:
        summary["title"] = title
    if created:
        summary["created"] = created
    if pages:
        with contextlib.suppress(ValueError):
            summary["page_count"] = int(pages)
    return summary


def base_mime(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


class Extractor:
    """Base class of extraction engines: subclasses implement `engine_extract`."""

    name = "base"

    def __init__(
        self,
        *,
        max_bytes: int | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        ocr_languages: str = "chi_sim+eng",
        timeout: int = 120,
    ):
        self.max_bytes = max_bytes
        self.max_chars = max_chars
        self.ocr_languages = ocr_languages
        self.timeout = timeout

    # --- primitives -------------------------------------------------------------------------

    def engine_extract(self, path: Path) -> RawExtraction:
        """Extract text and metadata from `path`; raise ExtractionError on a bad file."""
        raise NotImplementedError

    def ocr_available(self) -> bool:
        """Tell whether this engine can OCR images and scanned pages."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (connections, native VMs)."""

    # --- the shared flow --------------------------------------------------------------------

    def extract(
        self, path: str | os.PathLike[str], *, password: str | None = None
    ) -> ExtractionResult:
        """Extract one file; never raise for a bad file, return a result with a status instead."""
        try:
            return self._extract(Path(path), password)
        except Exception as err:  # the contract: a bad file is a status, never an exception
            logger.exception("Extraction of %s failed unexpectedly", path)
            return ExtractionResult.failure(
                Status.FAILED, ErrorCode.INTERNAL, f"unexpected error: {err!r}"
            )

    def _extract(self, path: Path, password: str | None) -> ExtractionResult:
        try:
            size = path.stat().st_size
        except OSError as err:
            return ExtractionResult.failure(
                Status.FAILED, ErrorCode.NOT_FOUND, f"cannot read file: {err.strerror}"
            )
        if self.max_bytes is not None and size > self.max_bytes:
            return ExtractionResult.failure(
                Status.SKIPPED,
                ErrorCode.TOO_LARGE,
                f"file too large: {size} bytes, limit {self.max_bytes}",
                metadata={"size": size},
            )
        kind = sniff.sniff_kind(path)
        with tempfile.TemporaryDirectory(prefix="zhiku-extract-") as scratch:
            unlocked = encryption.unlock(path, kind, password, Path(scratch))
            if unlocked.status is not None:
                return ExtractionResult.failure(
                    Status.ENCRYPTED,
                    ErrorCode.WRONG_PASSWORD if unlocked.wrong_password else ErrorCode.ENCRYPTED,
                    unlocked.reason,
                    mime_type=sniff.guess_mime(path, kind),
                )
            work_path = unlocked.path or path
            if unlocked.path is not None:
                kind = sniff.sniff_kind(work_path)
            result = self._extract_clear(work_path, kind, original=path)
            if unlocked.path is not None and result.ok:
                result.metadata["decrypted"] = True
            return result

    def _extract_clear(self, path: Path, kind: str, *, original: Path) -> ExtractionResult:
        warnings: list[str] = []
        engine_error: ExtractionError | None = None
        raw: RawExtraction | None = None
        try:
            raw = self.engine_extract(path)
        except ExtractionError as err:
            engine_error = err
        except Exception as err:  # engines raise odd types (iscc-tika: TypeError(ParseError))
            engine_error = ExtractionError(str(err) or repr(err))

        mime = base_mime(raw.mime_type) if raw and raw.mime_type else ""
        if mime in ("", "application/octet-stream"):
            # The engine could not tell (a Tika server sees no file name, and GBK text looks
            # binary to its detector): fall back to sniffing the content ourselves.
            mime = sniff.guess_mime(path, kind)
        text = raw.text if raw else ""
        metadata = summarize_metadata(raw.metadata) if raw else {}
        reader_name = ""

        if engine_error is not None and engine_error.encrypted:
            return ExtractionResult.failure(
                Status.ENCRYPTED,
                ErrorCode.ENCRYPTED,
                "encrypted: a password is needed",
                mime_type=mime,
            )

        reader = readers.reader_for(mime, path)
        reader_error = ""
        # Plain text is decoded by our reader, not the engine (Tika reads Windows-1252 smart quotes
        # as ISO-8859-1); other readers step in where the engine fails or finds nothing.
        if reader is not None and (reader.primary or engine_error is not None or not text.strip()):
            try:
                read = reader.read(path)
            except Exception as err:
                reader_error = f"{reader.name}: {err}"
            else:
                if read.text.strip() or engine_error is not None:
                    text, reader_name = read.text, reader.name
                    metadata = {**read.metadata, **metadata}
                    if engine_error is not None:
                        warnings.append(f"{self.name}: {engine_error}")
                        engine_error = None

        if engine_error is not None:
            detail = str(engine_error)
            if reader_error:
                detail += f"; second reader {reader_error}"
            return ExtractionResult.failure(
                Status.FAILED,
                ErrorCode.UNAVAILABLE if engine_error.unavailable else ErrorCode.PARSE_ERROR,
                f"cannot parse: {detail}",
                mime_type=mime,
                metadata=metadata,
            )

        text = clean_text(text)
        if not text:
            if mime == "application/pdf" or mime.startswith("image/"):
                ocr_ran = raw.ocr_ran if raw else None
                if ocr_ran is False or (ocr_ran is None and not self.ocr_available()):
                    return ExtractionResult.failure(
                        Status.SKIPPED,
                        ErrorCode.OCR_UNAVAILABLE,
                        "no text: OCR unavailable",
                        mime_type=mime,
                        metadata=metadata,
                    )
            return ExtractionResult.failure(
                Status.SKIPPED,
                ErrorCode.NO_TEXT,
                "no text found",
                mime_type=mime,
                metadata=metadata,
            )

        if len(text) > self.max_chars or (raw is not None and raw.truncated and not reader_name):
            metadata["truncated"] = True
            metadata["truncated_at_chars"] = self.max_chars
            text = text[: self.max_chars]
        mismatch = sniff.extension_mismatch(original, mime)
        if mismatch:
            warnings.append(mismatch)
        damage = sniff.zip_damage(path) if kind == sniff.ZIP else ""
        if damage:
            warnings.append(damage)
        metadata["engine"] = self.name
        if reader_name:
            metadata["reader"] = reader_name
        if warnings:
            metadata["warnings"] = warnings
        language = (first_value(raw.metadata, "dc:language", "language") if raw else "") or ""
        return ExtractionResult(
            status=Status.EXTRACTED,
            text=text,
            metadata=metadata,
            mime_type=mime,
            language=guess_language(text) or language[:20],
        )


@functools.cache
def tesseract_languages() -> frozenset[str]:
    """Return the OCR languages the local tesseract has, or an empty set without tesseract."""
    binary = shutil.which("tesseract")
    if not binary:
        return frozenset()
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = (out.stdout + "\n" + out.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip() and " " not in ln)


def usable_ocr_languages(requested: str) -> str:
    """Return the requested '+'-joined languages that tesseract has installed, or ''."""
    have = tesseract_languages()
    return "+".join(lang for lang in requested.split("+") if lang in have)

"""Text extraction for documents: one contract, two Tika engines, run in an isolated child.

`get_extractor()` returns the configured extractor: in-process Tika (iscc-tika, the default) or a
Tika server when KB_TIKA_SERVER_URL is set, always run in a spawned child process with the time,
memory, size and output limits from settings. Importing this package does not import Django or
start Tika, so it is safe in extraction children and at import time.
"""

from __future__ import annotations

import threading
from typing import Any

from .base import (
    ErrorCode,
    ExtractionError,
    ExtractionResult,
    Extractor,
    RawExtraction,
    Status,
)
from .isolation import IsolatedExtractor

__all__ = [
    "ErrorCode",
    "ExtractionError",
    "ExtractionResult",
    "Extractor",
    "IsolatedExtractor",
    "RawExtraction",
    "Status",
    "engine_from_settings",
    "get_extractor",
]

INPROCESS_ENGINE = "documents.extraction.tika_inprocess.InProcessTikaExtractor"
SERVER_ENGINE = "documents.extraction.tika_server.TikaServerExtractor"

_lock = threading.Lock()
_shared: dict[tuple[Any, ...], IsolatedExtractor] = {}


def engine_from_settings() -> tuple[str, dict[str, Any]]:
    """Return the dotted path and options of the engine the settings select."""
    from django.conf import settings

    options: dict[str, Any] = {
        "max_bytes": settings.KB_EXTRACTION_MAX_BYTES,
        "max_chars": settings.KB_EXTRACTION_MAX_CHARS,
        "ocr_languages": settings.KB_OCR_LANGUAGES,
        "timeout": settings.KB_EXTRACTION_TIMEOUT,
    }
    if settings.KB_TIKA_SERVER_URL:
        return SERVER_ENGINE, {**options, "server_url": settings.KB_TIKA_SERVER_URL}
    return INPROCESS_ENGINE, options


def get_extractor() -> IsolatedExtractor:
    """Return this process's isolated extractor for the current settings (its child is reused)."""
    from django.conf import settings

    engine, options = engine_from_settings()
    timeout = settings.KB_EXTRACTION_TIMEOUT
    memory = settings.KB_EXTRACTION_MAX_MEMORY_MB * 1024 * 1024
    key = (engine, tuple(sorted(options.items())), timeout, memory)
    with _lock:
        extractor = _shared.get(key)
        if extractor is None:
            extractor = IsolatedExtractor(
                engine,
                options,
                timeout=timeout,
                max_memory_bytes=memory,
                idle_seconds=settings.KB_EXTRACTION_IDLE_SECONDS,
            )
            _shared[key] = extractor
        return extractor

"""Apache Tika server through the `tika` client, used client-only.

The client downloads and starts a server jar on first use unless it is told it is client-only;
that must never happen here (no network in many intranets, and a surprise JVM in a worker), so
`TikaClientOnly` is set before every call and the endpoint is always explicit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from .base import ExtractionError, Extractor, RawExtraction, first_value
from .tika_inprocess import is_encryption_error

_EXCEPTION_KEYS = ("X-TIKA:EXCEPTION:container_exception", "X-TIKA:EXCEPTION:runtime")


def _client() -> Any:
    import tika
    from tika import tika as tika_module

    # The package re-exports nothing; the flag that callServer reads lives in tika.tika.
    tika.TikaClientOnly = True
    tika_module.TikaClientOnly = True
    return tika_module


class TikaServerExtractor(Extractor):
    """Extract through a running Apache Tika server at `server_url`."""

    name = "tika-server"

    def __init__(self, *, server_url: str, **kwargs: Any):
        if not server_url:
            raise ValueError("TikaServerExtractor needs a server URL (KB_TIKA_SERVER_URL).")
        super().__init__(**kwargs)
        self.server_url = server_url.rstrip("/")

    def ocr_available(self) -> bool:
        # Only the server knows; each response says whether its OCR parser ran.
        return False

    def _headers(self) -> dict[str, str]:
        return {
            "X-Tika-OCRLanguage": self.ocr_languages,
            "X-Tika-PDFOcrStrategy": "auto",
            "X-Tika-OCRtimeoutSeconds": str(self.timeout),
        }

    def engine_extract(self, path: Path) -> RawExtraction:
        client = _client()
        try:
            status, body = client.parse1(
                "all",
                str(path),
                self.server_url,
                headers=self._headers(),
                requestOptions={"timeout": self.timeout},
            )
        except Exception as err:  # requests' connection errors, timeouts
            # Not reaching the server says nothing about the file: the task retries it later.
            # A read timeout is the server working too long on this file, not an outage.
            unreachable = isinstance(err, requests.ConnectionError)
            raise ExtractionError(
                f"Tika server unavailable: {err}", unavailable=unreachable
            ) from err
        if status != 200:
            raise ExtractionError(f"Tika server answered HTTP {status}", unavailable=status == 503)
        try:
            entries = json.loads(body)
        except (TypeError, ValueError) as err:
            raise ExtractionError("Tika server sent a response that is not JSON") from err
        if not isinstance(entries, list) or not entries:
            raise ExtractionError("Tika server sent an empty response")
        container = entries[0]
        for key in _EXCEPTION_KEYS:
            trace = container.get(key)
            if trace:
                message = str(trace).strip().splitlines()[0]
                raise ExtractionError(message, encrypted=is_encryption_error(message))
        if first_value(container, "X-TIKA:encrypted") == "true":
            raise ExtractionError("document is encrypted", encrypted=True)
        # /rmeta lists the container first, then every embedded file (zip entries, attachments).
        text = "\n\n".join(str(entry.get("X-TIKA:content") or "") for entry in entries)
        parsers = [
            parser
            for entry in entries
            for parser in (
                entry.get("X-TIKA:Parsed-By-Full-Set") or entry.get("X-TIKA:Parsed-By") or []
            )
        ]
        return RawExtraction(
            text=text,
            metadata=container,
            mime_type=first_value(container, "Content-Type"),
            ocr_ran=any("TesseractOCRParser" in str(p) for p in parsers),
        )

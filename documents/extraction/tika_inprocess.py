"""Apache Tika compiled to native code (iscc-tika), run inside the current process.

Run it only inside an extraction child (documents.extraction.isolation): a process that has
started this engine must not fork afterwards, its child hangs (DESIGN.md, field notes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .base import (
    ExtractionError,
    Extractor,
    RawExtraction,
    base_mime,
    first_value,
    usable_ocr_languages,
)

_PARSE_ERROR = re.compile(r"ParseError\(\"(?P<message>.*)\"\)", re.S)
_PROTECTED_TYPES = {"application/x-tika-ooxml-protected"}


def tika_error_message(err: BaseException) -> str:
    """Return the useful part of an iscc-tika error (it raises TypeError carrying ParseError)."""
    text = str(err) or repr(err)
    match = _PARSE_ERROR.search(text)
    return (match.group("message") if match else text).strip()


def is_encryption_error(message: str) -> bool:
    return "EncryptedDocumentException" in message or "document is encrypted" in message.lower()


class InProcessTikaExtractor(Extractor):
    """Extract with iscc-tika: headers and footers on, OCR when tesseract has the languages."""

    name = "tika-inprocess"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._tika: Any = None
        self._ocr: str | None = None

    def ocr_languages_in_use(self) -> str:
        if self._ocr is None:
            self._ocr = usable_ocr_languages(self.ocr_languages)
        return self._ocr

    def ocr_available(self) -> bool:
        return bool(self.ocr_languages_in_use())

    def _engine(self) -> Any:
        if self._tika is None:
            # Ask tesseract for its languages before the native VM starts: no forking after it.
            languages = self.ocr_languages_in_use()
            import iscc_tika

            # The setters return new objects (builder style); keep the returned ones.
            office = iscc_tika.OfficeParserConfig().set_include_headers_and_footers(True)
            engine = (
                iscc_tika.Extractor()
                .set_extract_string_max_length(self.max_chars + 1)
                .set_office_config(office)
            )
            if languages:
                ocr = (
                    iscc_tika.TesseractOcrConfig()
                    .set_skip_ocr(False)
                    .set_language(languages)
                    .set_timeout_seconds(self.timeout)
                )
                pdf = iscc_tika.PdfParserConfig().set_ocr_strategy(iscc_tika.PdfOcrStrategy.AUTO)
                engine = engine.set_ocr_config(ocr).set_pdf_config(pdf)
            self._tika = engine
        return self._tika

    def engine_extract(self, path: Path) -> RawExtraction:
        engine = self._engine()
        try:
            text, metadata = engine.extract_file_to_string(str(path))
        except Exception as err:  # iscc-tika raises TypeError(ParseError(...)) for bad files
            message = tika_error_message(err)
            raise ExtractionError(message, encrypted=is_encryption_error(message)) from err
        metadata = dict(metadata or {})
        mime = first_value(metadata, "Content-Type")
        if (
            base_mime(mime) in _PROTECTED_TYPES
            or first_value(metadata, "X-TIKA:encrypted") == "true"
        ):
            raise ExtractionError("document is encrypted", encrypted=True)
        return RawExtraction(
            text=text or "",
            metadata=metadata,
            mime_type=mime,
            truncated=len(text or "") > self.max_chars,
        )

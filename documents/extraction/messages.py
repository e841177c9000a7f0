"""Translated, user-facing wording for extraction outcomes.

Extraction children run without Django, so results carry a stable `error_code` plus an English
detail; the interface shows the translated message for the code, with the detail beside it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import ErrorCode

ERROR_MESSAGES = {
    ErrorCode.NOT_FOUND: _("The file could not be read."),
    ErrorCode.TOO_LARGE: _("The file is too large to extract text from."),
    ErrorCode.PARSE_ERROR: _("The file could not be parsed; it may be damaged."),
    ErrorCode.ENCRYPTED: _("The file is encrypted. Supply its password to extract its text."),
    ErrorCode.WRONG_PASSWORD: _("The password is wrong."),
    ErrorCode.OCR_UNAVAILABLE: _("No text found, and OCR is not available for scans and images."),
    ErrorCode.NO_TEXT: _("No text found in the file."),
    ErrorCode.TIMEOUT: _("Extraction took too long and was stopped."),
    ErrorCode.MEMORY: _("Extraction used too much memory and was stopped."),
    ErrorCode.CRASHED: _("The extraction process crashed."),
    ErrorCode.UNAVAILABLE: _("The extraction service is unavailable."),
    ErrorCode.INTERNAL: _("Extraction failed unexpectedly."),
}


def describe_error(code: str):
    """Return the translated message for an extraction error code ('' for none)."""
    if not code:
        return ""
    try:
        return ERROR_MESSAGES[ErrorCode(code)]
    except ValueError:
        return _("Extraction failed.")

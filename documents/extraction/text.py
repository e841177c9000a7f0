"""Text clean-up after extraction, charset detection for plain text, and a script-based language guess."""

from __future__ import annotations

import codecs
import re

# Han, kana, CJK punctuation and full-width forms: scripts written without spaces between words.
# Hangul is left out on purpose: Korean puts spaces between words.
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")
_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Control characters other than tab and newline, zero-width characters and stray BOMs; NUL in
# particular cannot be stored in PostgreSQL text.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\ufeff]")


def clean_text(text: str) -> str:
    """Normalise line ends and spaces, drop control characters, join CJK split by OCR or layout."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _JUNK.sub("", text)
    # OCR and PDF layout put spaces between Chinese characters; they break phrase search.
    text = _CJK_GAP.sub("", text)
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text of unknown charset; return (text, encoding). BOM, then UTF-8, then detection.

    Raise ValueError for bytes that are text in no charset (binary data).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    best = matches[0] if matches else None
    if best is not None and best.encoding:
        encoding = best.encoding
        # Single-byte Latin code pages often tie (cp1250/cp1252/cp1257 read "smart quotes" alike
        # but differ on letters like ï/ď); on a tie take Windows-1252, the common Western one.
        tied = [
            m.encoding
            for m in matches
            if m.percent_chaos == best.percent_chaos
            and m.percent_coherence == best.percent_coherence
        ]
        if "cp1252" in tied:
            encoding = "cp1252"
        # GBK is a subset of GB18030; decode with the superset so rare characters survive.
        if encoding.lower() in {"gb2312", "gbk"}:
            encoding = "gb18030"
        return data.decode(encoding, errors="replace"), encoding
    raise ValueError("not text in any known charset")


def guess_language(text: str, sample: int = 5000) -> str:
    """Return zh, ja or ko when those scripts dominate the text, else '' (unknown)."""
    head = text[:sample]
    han = kana = hangul = letters = 0
    for char in head:
        code = ord(char)
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            han += 1
        elif 0x3040 <= code <= 0x30FF:
            kana += 1
        elif 0xAC00 <= code <= 0xD7AF:
            hangul += 1
        elif char.isalpha():
            letters += 1
    total = han + kana + hangul + letters
    if not total:
        return ""
    if hangul / total > 0.3:
        return "ko"
    if (han + kana) / total > 0.3:
        return "ja" if kana > 0.1 * (han + kana) else "zh"
    return ""

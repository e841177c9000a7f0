"""Text clean-up after extraction, charset detection for plain text, and a script-based language guess."""

from __future__ import annotations

import codecs
import contextlib
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
        encoding = _chinese_first(data, encoding)
        # GBK is a subset of GB18030; decode with the superset so rare characters survive.
        if encoding.lower() in {"gb2312", "gbk"}:
            encoding = "gb18030"
        return data.decode(encoding, errors="replace"), encoding
    raise ValueError("not text in any known charset")


# The most frequent Chinese characters (simplified and traditional forms). Short GBK text is often
# taken for EUC-KR or Shift_JIS by byte statistics alone; real Chinese text is dense in these.
_COMMON_HAN = set(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面"
    "公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部"
    "正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关"
    "并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安"
    "表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共"
    "风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管"
    "夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品"
    "士转量空甚众技轻程告江语英基派满式李息写呢识极令黑断线据备装设规维修故障检查产品系统服务客户"
    "售后安调试说明参数操作流程质量标准报告测试版本更新数据文件图纸项目管理培训课程部门员工知识问题"
    "解决方案处理原因现象结果设备电机控制器压力温度电源网络软件硬件安装配置错误代码警报停机维护保养"
    "們這個來說國時會對為後過還從發與麼兩體點於現開關實經動種間問題將長樣聽門機電話氣見應總處區號車"
)


def _plausible_chinese(text: str) -> float:
    han = [c for c in text if 0x4E00 <= ord(c) <= 0x9FFF]
    if not han:
        return 0.0
    return sum(c in _COMMON_HAN for c in han) / len(han)


def _chinese_first(data: bytes, encoding: str) -> str:
    """Prefer a Chinese reading when byte statistics pick another East Asian charset.

    Detectors guess from byte statistics, which on short text often favour EUC-KR or Shift_JIS
    for GBK bytes. Zhiku's users write Chinese: if the bytes decode cleanly as GB18030 or Big5
    and read as common Chinese characters, take that.
    """
    if encoding.lower().replace("-", "_") in {"gb18030", "gbk", "gb2312", "big5", "hz"}:
        return encoding
    current = 0.0
    with contextlib.suppress(UnicodeDecodeError, LookupError):
        current = _plausible_chinese(data.decode(encoding))
    best, best_score = encoding, current
    for candidate in ("gb18030", "big5"):
        try:
            score = _plausible_chinese(data.decode(candidate))
        except UnicodeDecodeError:
            continue
        if score > best_score and score >= 0.3:
            best, best_score = candidate, score
    return best


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

"""Text clean-up, charset detection and the matching normaliser."""

from __future__ import annotations

import pytest

from documents.extraction.normalize import normalize_text
from documents.extraction.text import clean_text, decode_bytes, guess_language


def test_clean_text_joins_chinese_split_by_ocr_but_keeps_latin_spaces():
    raw = "知 识 库\u3000系 统  Hello   world\r\n\r\n\r\n\r\n下 一 段 English 词"

    assert clean_text(raw) == "知识库系统 Hello world\n\n下一段 English 词"


def test_clean_text_keeps_korean_word_spaces_and_drops_control_characters():
    assert clean_text("한국어 문장\x00 입니다\ufeff") == "한국어 문장 입니다"


def test_normalize_text_folds_width_case_and_traditional_chinese():
    assert normalize_text("ＡＢＣ　資訊  Déjà\n檢索") == normalize_text("abc 资讯 déjà 检索")
    assert normalize_text("ＡＢＣ　資訊") == "abc 资讯"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "简体中文的知识库文档，编码是国标。".encode("gb18030"),
            "简体中文的知识库文档，编码是国标。",
        ),
        (
            "繁體中文的知識庫文件，編碼是大五碼。".encode("big5"),
            "繁體中文的知識庫文件，編碼是大五碼。",
        ),
        ("\ufeffUTF-8 带 BOM".encode(), "UTF-8 带 BOM"),
    ],
)
def test_decode_bytes(data, expected):
    assert decode_bytes(data)[0] == expected


def test_decode_bytes_refuses_binary():
    with pytest.raises(ValueError):
        decode_bytes(bytes(range(256)) * 8)


@pytest.mark.parametrize(
    ("text", "language"),
    [("知识库是企业的资产", "zh"), ("これは日本語の文章です", "ja"), ("plain English", "")],
)
def test_guess_language(text, language):
    assert guess_language(text) == language

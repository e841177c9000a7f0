"""One contract, every engine: in-process Tika and a live Apache Tika server, both isolated."""

from __future__ import annotations

import shutil

import pytest

from documents.extraction import ErrorCode, IsolatedExtractor, Status
from documents.extraction.base import usable_ocr_languages
from tests.documents import samples
from tests.documents.conftest import ENGINE_OPTIONS


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    docx = samples.write_docx(folder / "报告.docx")
    truncated = folder / "truncated.docx"
    truncated.write_bytes(docx.read_bytes()[:700])
    half = folder / "half.docx"
    half.write_bytes(docx.read_bytes()[: docx.stat().st_size // 2])
    return {
        "docx": docx,
        "truncated": truncated,
        "half": half,
        "xlsx": samples.write_xlsx(folder / "清单.xlsx"),
        "pptx": samples.write_pptx(folder / "培训.pptx"),
        "folder": folder,
    }


def test_docx_body_table_headers_footers_and_metadata(extractor, files):
    result = extractor.extract(files["docx"])

    assert result.status == Status.EXTRACTED, result.error
    for text in (samples.BODY, samples.TABLE_CELL, samples.HEADER, samples.FOOTER):
        assert text in result.text
    assert result.metadata["author"] == samples.AUTHOR
    assert result.metadata["title"] == samples.TITLE
    assert result.mime_type.endswith("wordprocessingml.document")
    assert result.language == "zh"


def test_xlsx(extractor, files):
    result = extractor.extract(files["xlsx"])

    assert result.status == Status.EXTRACTED, result.error
    assert "李四" in result.text and samples.TABLE_CELL in result.text


def test_pptx(extractor, files):
    result = extractor.extract(files["pptx"])

    assert result.status == Status.EXTRACTED, result.error
    assert samples.BODY in result.text and samples.TABLE_CELL in result.text


def test_pdf_text_and_page_count(extractor, tmp_path):
    pdf = samples.write_pdf(tmp_path / "论文.pdf")

    result = extractor.extract(pdf)

    assert result.status == Status.EXTRACTED, result.error
    assert samples.BODY in result.text and samples.TABLE_CELL in result.text
    assert result.metadata["page_count"] == 2
    assert result.metadata["author"] == samples.AUTHOR


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("gbk", "知识库：客户服务常见问题解答，研发部门的测试报告需要长期保存。"),
        ("gb18030", "知识库：客户服务常见问题解答，研发部门的测试报告需要长期保存。"),
        ("big5", "知識庫：客戶服務常見問題解答，研發部門的測試報告需要長期保存。"),
        ("shift_jis", "これは日本語のテキストです。知識ベースの文書を検索します。"),
        ("cp1252", "These \u201csmart quotes\u201d are the trigger \u2014 caf\u00e9 na\u00efve."),
        ("utf-16", "带 BOM 的 UTF-16 文本：知识库"),
    ],
)
def test_plain_text_charsets(extractor, tmp_path, encoding, text):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(f"{text}\n{text}\n".encode(encoding))

    result = extractor.extract(path)

    assert result.status == Status.EXTRACTED, result.error
    assert text in result.text


def test_truncated_docx_fails_with_reason(extractor, files):
    result = extractor.extract(files["truncated"])

    assert result.status == Status.FAILED
    assert result.error_code == ErrorCode.PARSE_ERROR
    assert result.error.startswith("cannot parse")


def test_half_a_docx_gives_what_text_it_can_with_a_warning(extractor, files):
    result = extractor.extract(files["half"])

    # Tika reads the zip entries it reaches; the damage must still be reported.
    if result.status == Status.EXTRACTED:
        assert any("damaged" in w for w in result.metadata["warnings"])
    else:
        assert result.status == Status.FAILED and result.error


def test_encrypted_pdf_needs_the_password(extractor, tmp_path):
    plain = samples.write_pdf(tmp_path / "plain.pdf")
    locked = samples.encrypt_pdf(plain, tmp_path / "locked.pdf", "secret")

    without = extractor.extract(locked)
    wrong = extractor.extract(locked, password="guess")
    right = extractor.extract(locked, password="secret")

    assert without.status == Status.ENCRYPTED
    assert without.error_code == ErrorCode.ENCRYPTED
    assert wrong.status == Status.ENCRYPTED
    assert wrong.error_code == ErrorCode.WRONG_PASSWORD
    assert right.status == Status.EXTRACTED, right.error
    assert samples.BODY in right.text
    assert right.metadata["decrypted"] is True


def test_encrypted_docx_needs_the_password(extractor, files, tmp_path):
    locked = samples.encrypt_office(files["docx"], tmp_path / "locked.docx", "secret")

    without = extractor.extract(locked)
    right = extractor.extract(locked, password="secret")

    assert without.status == Status.ENCRYPTED
    assert right.status == Status.EXTRACTED, right.error
    assert samples.FOOTER in right.text


def test_file_over_the_size_limit_is_skipped(extractor, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    options = {**ENGINE_OPTIONS, "max_bytes": 1000}
    if extractor.engine_name == "server":
        options["server_url"] = extractor.options["server_url"]
    limited = IsolatedExtractor(extractor.engine, options, timeout=30)
    try:
        result = limited.extract(big)
    finally:
        limited.close()

    assert result.status == Status.SKIPPED
    assert result.error_code == ErrorCode.TOO_LARGE
    assert "5000 bytes" in result.error


def test_missing_file_fails(extractor, tmp_path):
    result = extractor.extract(tmp_path / "absent.docx")

    assert result.status == Status.FAILED
    assert result.error_code == ErrorCode.NOT_FOUND


def test_image_without_text_is_skipped_not_extracted(extractor, tmp_path):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 100), "white").save(blank)

    result = extractor.extract(blank)

    assert result.status == Status.SKIPPED
    assert result.error_code in {ErrorCode.NO_TEXT, ErrorCode.OCR_UNAVAILABLE}
    assert result.error.startswith("no text")


@pytest.mark.skipif(
    shutil.which("tesseract") is None or "chi_sim" not in usable_ocr_languages("chi_sim"),
    reason="OCR needs tesseract-ocr and tesseract-ocr-chi-sim",
)
def test_ocr_of_chinese_image_without_spaces_between_characters(extractor, tmp_path):
    image = samples.write_text_image(tmp_path / "扫描件.png", "知识管理系统")

    result = extractor.extract(image)

    assert result.status == Status.EXTRACTED, result.error
    assert "知识管理系统" in result.text

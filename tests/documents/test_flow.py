"""The shared extraction flow around an engine: second readers, OCR gaps, encryption detection.

These use stub engines in this process (no Tika is started here), so each case is exact.
"""

from __future__ import annotations

from pathlib import Path

from documents.extraction import ErrorCode, ExtractionError, Extractor, RawExtraction, Status
from tests.documents import samples


class StubEngine(Extractor):
    name = "stub"

    def __init__(self, *, raw=None, error=None, ocr=False, **kwargs):
        super().__init__(**kwargs)
        self.raw, self.error, self.ocr = raw, error, ocr

    def ocr_available(self) -> bool:
        return self.ocr

    def engine_extract(self, path: Path) -> RawExtraction:
        if self.error is not None:
            raise self.error
        return self.raw


def test_docx_falls_back_to_python_docx_when_the_engine_fails(tmp_path):
    docx = samples.write_docx(tmp_path / "标准草案.docx")
    engine = StubEngine(
        error=TypeError('ParseError("Unexpected RuntimeException from OOXMLParser")')
    )

    result = engine.extract(docx)

    assert result.status == Status.EXTRACTED
    assert result.metadata["reader"] == "python-docx"
    for text in (samples.BODY, samples.TABLE_CELL, samples.HEADER, samples.FOOTER):
        assert text in result.text
    assert result.metadata["author"] == samples.AUTHOR
    assert "OOXMLParser" in result.metadata["warnings"][0]


def test_pptx_and_xlsx_fall_back_when_the_engine_finds_nothing(tmp_path):
    empty = StubEngine(raw=RawExtraction("  \n", {}, ""))

    pptx = empty.extract(samples.write_pptx(tmp_path / "a.pptx"))
    xlsx = empty.extract(samples.write_xlsx(tmp_path / "b.xlsx"))

    assert (pptx.metadata["reader"], xlsx.metadata["reader"]) == ("python-pptx", "openpyxl")
    assert samples.BODY in pptx.text
    assert samples.TABLE_CELL in xlsx.text


def test_engine_failure_without_a_second_reader_is_a_failure_with_the_reason(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)

    result = StubEngine(error=ExtractionError("Invalid header signature")).extract(path)

    assert result.status == Status.FAILED
    assert result.error == "cannot parse: Invalid header signature"


def test_scan_without_text_and_without_ocr_is_skipped_not_extracted(tmp_path):
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)

    no_ocr = StubEngine(raw=RawExtraction("", {}, "image/png"), ocr=False).extract(scan)
    with_ocr = StubEngine(raw=RawExtraction("", {}, "image/png"), ocr=True).extract(scan)

    assert no_ocr.status == Status.SKIPPED
    assert no_ocr.error == "no text: OCR unavailable"
    assert no_ocr.error_code == ErrorCode.OCR_UNAVAILABLE
    assert with_ocr.status == Status.SKIPPED
    assert with_ocr.error_code == ErrorCode.NO_TEXT


def test_ocr_spaces_between_chinese_characters_are_removed(tmp_path):
    image = tmp_path / "ocr.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    raw = RawExtraction(
        "知 识 管 理 系 统\n\nTesseract  OCR", {"dc:creator": ["王五"]}, "image/png"
    )

    result = StubEngine(raw=raw, ocr=True).extract(image)

    assert result.text == "知识管理系统\n\nTesseract OCR"
    assert result.metadata["author"] == "王五"


def test_encrypted_office_file_is_detected_before_the_engine_runs(tmp_path):
    docx = samples.write_docx(tmp_path / "plain.docx")
    locked = samples.encrypt_office(docx, tmp_path / "locked.docx", "tika")
    engine = StubEngine(error=AssertionError("the engine must not see an encrypted file"))

    result = engine.extract(locked)
    wrong = engine.extract(locked, password="nope")

    assert result.status == Status.ENCRYPTED
    assert result.error_code == ErrorCode.ENCRYPTED
    assert wrong.status == Status.ENCRYPTED
    assert wrong.error_code == ErrorCode.WRONG_PASSWORD


def test_content_that_contradicts_the_extension_is_warned_about(tmp_path):
    fake = tmp_path / "report.odt"
    fake.write_text("This is not a zip file!", "utf-8")

    result = StubEngine(raw=RawExtraction("This is not a zip file!", {}, "text/plain")).extract(
        fake
    )

    assert result.status == Status.EXTRACTED
    assert any(".odt extension" in w for w in result.metadata["warnings"])


def test_an_unreachable_tika_server_is_reported_as_unavailable_not_as_a_bad_file(tmp_path):
    from documents.extraction.tika_server import TikaServerExtractor

    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    engine = TikaServerExtractor(server_url="http://127.0.0.1:9", timeout=5)

    result = engine.extract(path)

    assert result.status == Status.FAILED
    assert result.error_code == ErrorCode.UNAVAILABLE

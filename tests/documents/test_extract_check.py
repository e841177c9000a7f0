"""The extract_check command on a small manifest of generated files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.documents import samples


def test_extract_check_json_report(tmp_path, settings):
    settings.KB_TIKA_SERVER_URL = None
    samples.write_docx(tmp_path / "good.docx")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "big5.txt").write_bytes("知識庫的繁體文件，需要轉成簡體再比對。".encode("big5"))
    entries = [
        {"file": "good.docx", "expect": [samples.HEADER, "知识库全文检索测试"], "broken": False},
        {"file": "broken.docx", "expect": [], "broken": True},
        # Expected strings are compared after normalisation: traditional matches simplified.
        {"file": "big5.txt", "expect": ["知识库的繁体文件"], "broken": False},
        {"file": "good.docx", "expect": ["这句话不在文件里"], "broken": False, "password": None},
    ]
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entries), "utf-8")
    out = io.StringIO()

    call_command("extract_check", manifest=str(manifest), json=True, stdout=out)

    report = json.loads(out.getvalue())
    assert (report["passed"], report["failed"]) == (3, 1)
    by_file = [(f["file"], f["ok"], f["status"]) for f in report["files"]]
    assert by_file == [
        ("good.docx", True, "extracted"),
        ("broken.docx", True, "failed"),
        ("big5.txt", True, "extracted"),
        ("good.docx", False, "extracted"),
    ]
    assert report["files"][1]["error"]
    assert report["files"][3]["missing"] == ["这句话不在文件里"]
    assert all(isinstance(f["seconds"], float) for f in report["files"])


def test_extract_check_rejects_a_missing_manifest(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("extract_check", manifest=str(tmp_path / "none.jsonl"))

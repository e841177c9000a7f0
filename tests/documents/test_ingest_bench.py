"""ingest_bench: the pipeline and bare extraction timed over the same files, one JSON report."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.models import ExtractionStatus, KnowledgeDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(tmp_path):
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "报告.txt").write_bytes("变频器报警代码 E-203 的处理方法".encode("gbk"))
    (folder / "notes.md").write_bytes(b"# Pump maintenance\n\nCheck the seals monthly.\n")
    (folder / "manifest.jsonl").write_bytes(b'{"file": "x"}\n')
    (folder / ".hidden.txt").write_bytes(b"not a sample")
    return folder


def run_bench(*args) -> dict:
    out = io.StringIO()
    call_command("ingest_bench", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_bench_ingests_every_copy_and_reports_both_rates(samples):
    report = run_bench("--files", str(samples), "--copies", "2", "--keep")

    assert report["documents"] == 4  # two accepted files, twice; the hidden file is not a sample
    for key in ("pipeline_docs_per_min", "bare_docs_per_min", "ratio", "peak_rss_mb"):
        assert report[key] > 0, key
    assert report["peak_rss_mb"] >= report["peak_rss_children_mb"] > 0
    assert report["statuses"] == {"extracted": 4}
    assert report["bare_statuses"] == {"extracted": 4}
    assert [entry["file"] for entry in report["rejected"]] == ["manifest.jsonl"]
    documents = KnowledgeDocument.objects.filter(uploaded_by_user__username="ingest-bench")
    assert documents.count() == 4
    assert set(documents.values_list("extraction_status", flat=True)) == {
        ExtractionStatus.EXTRACTED
    }
    assert any("E-203" in d.extracted_text for d in documents)


def test_the_bench_purges_what_it_ingested_unless_asked_to_keep_it(samples):
    report = run_bench("--files", str(samples))

    assert report["documents"] == 2
    assert not KnowledgeDocument.objects.exists()


def test_the_bench_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError):
        call_command("ingest_bench", "--files", str(tmp_path / "nowhere"))

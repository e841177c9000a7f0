"""Upload, versions, extraction status and the recycle bin, through documents.actions."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import actions
from documents.access import access_document_by_id, access_document_version
from documents.models import DocumentVersion, ExtractionStatus, KnowledgeDocument
from documents.tasks import extract_document_task, purge_trash_task
from permissions.access import ItemNotFound
from permissions.models import AuditEvent, Confidentiality
from permissions.policy import visible_to

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_upload_creates_the_document_its_first_version_and_an_audit_row(
    rnd_engineer, django_capture_on_commit_callbacks
):
    data = docx_bytes("液压系统保养规程")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = actions.upload_document(
            actor=rnd_engineer, uploaded=upload("保养规程.docx", data), title="保养规程"
        )
    # Extraction, the version check of signal_handlers and the search index update run after
    # commit, not before.
    assert len(callbacks) == 3
    assert document.extraction_status == ExtractionStatus.PENDING
    assert document.mime_type.endswith("wordprocessingml.document")
    assert document.file_size == len(data)
    version = document.versions.get()
    assert version.number == 1 and version.original_filename == "保养规程.docx"
    assert version.file.name == document.file.name
    assert len(document.checksum) == 64 and version.checksum == document.checksum
    assert AuditEvent.objects.filter(action="document.upload", object_id=str(document.pk)).exists()


def test_upload_then_extraction_stores_the_text(rnd_engineer, django_capture_on_commit_callbacks):
    text = "变频器报警代码 E-203 的处理方法".encode("gbk")
    with django_capture_on_commit_callbacks(execute=True):
        document = actions.upload_document(actor=rnd_engineer, uploaded=upload("说明.txt", text))
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert "变频器报警代码 E-203" in document.extracted_text
    assert document.extraction_attempts == 1
    # Safe to repeat: a second run finds nothing to do.
    assert extract_document_task.apply(args=[document.pk]).get() == "done"
    assert extract_document_task.apply(args=[999999]).get() == "gone"


def test_a_broken_file_is_kept_and_marked_failed(rnd_engineer, django_capture_on_commit_callbacks):
    broken = docx_bytes("完整内容")[:700]
    with django_capture_on_commit_callbacks(execute=True):
        document = actions.upload_document(
            actor=rnd_engineer, uploaded=upload("坏文件.docx", broken)
        )
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.FAILED
    assert document.extraction_error
    with document.open_file() as handle:
        assert handle.read() == broken  # the upload is never lost


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("空文件.txt", b"", "empty"),
        ("程序.exe", b"MZ\x90\x00", "type"),
        ("无扩展名", b"hello", "type"),
    ],
)
def test_bad_uploads_are_rejected_with_a_reason_and_store_nothing(
    rnd_engineer, settings, name, data, code
):
    with pytest.raises(actions.UploadRejected) as excinfo:
        actions.upload_document(actor=rnd_engineer, uploaded=upload(name, data))
    assert excinfo.value.code == code
    assert str(excinfo.value.messages[0])
    assert KnowledgeDocument.objects.count() == 0
    assert stored_files(settings) == []


def test_uploads_over_the_size_limit_are_rejected(rnd_engineer, settings):
    settings.KB_MAX_UPLOAD_MB = 1
    with pytest.raises(actions.UploadRejected) as excinfo:
        actions.upload_document(actor=rnd_engineer, uploaded=upload("大.txt", b"x" * 1_100_000))
    assert excinfo.value.code == "too_large"
    assert "1 MB" in excinfo.value.messages[0]


def test_customers_cannot_upload(customer_user):
    with pytest.raises(PermissionDenied):
        actions.upload_document(actor=customer_user, uploaded=upload("a.txt", b"abc"))


def test_a_duplicate_the_uploader_can_see_is_offered_instead_of_stored(rnd_engineer, agent):
    first = actions.upload_document(actor=rnd_engineer, uploaded=upload("a.txt", b"same bytes"))
    with pytest.raises(actions.DuplicateDocument) as excinfo:
        actions.upload_document(actor=agent, uploaded=upload("b.txt", b"same bytes"))
    assert excinfo.value.existing == first
    second = actions.upload_document(
        actor=agent, uploaded=upload("b.txt", b"same bytes"), allow_duplicate=True
    )
    assert second.pk != first.pk


def test_a_duplicate_hidden_from_the_uploader_is_not_revealed(rnd_engineer, agent):
    actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("secret.txt", b"secret bytes"),
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    # The agent may not know the confidential document exists: the upload simply succeeds.
    mine = actions.upload_document(actor=agent, uploaded=upload("mine.txt", b"secret bytes"))
    assert mine.uploaded_by_user == agent


def test_new_versions_restore_and_history(rnd_engineer, agent, django_capture_on_commit_callbacks):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("v.txt", b"version one"))
    v2 = actions.add_document_version(
        actor=rnd_engineer,
        document=document,
        uploaded=upload("v.txt", b"version two"),
        comment="更新参数",
    )
    document.refresh_from_db()
    assert v2.number == 2 and document.file.name == v2.file.name
    with document.open_file() as handle:
        assert handle.read() == b"version two"
    with pytest.raises(PermissionDenied):  # not the owner, not a manager
        actions.add_document_version(
            actor=agent, document=document, uploaded=upload("v.txt", b"hijack")
        )
    v1 = document.versions.get(number=1)
    v3 = actions.restore_document_version(actor=rnd_engineer, document=document, version=v1)
    document.refresh_from_db()
    assert (v3.number, v3.restored_from) == (3, 1)
    assert document.checksum == v1.checksum
    assert document.extraction_status == ExtractionStatus.PENDING
    with document.open_file() as handle:
        assert handle.read() == b"version one"
    assert [v.number for v in document.versions.all()] == [3, 2, 1]
    assert access_document_version(agent, document.pk, 2).checksum == v2.checksum


def test_a_new_version_supersedes_an_extraction_in_flight(rnd_engineer):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("a.txt", b"old text"))
    old_checksum = document.checksum
    actions.add_document_version(
        actor=rnd_engineer, document=document, uploaded=upload("a.txt", b"new text")
    )
    from documents.extraction import ExtractionResult, Status
    from documents.tasks import save_extraction_result

    stale = ExtractionResult(status=Status.EXTRACTED, text="old text")
    assert save_extraction_result(document.pk, old_checksum, stale) is False
    document.refresh_from_db()
    assert document.extracted_text == ""


def test_recycle_bin_hides_restores_and_purges(rnd_engineer, agent, knowledge_manager, settings):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("旧.txt", b"to trash"))
    actions.add_document_version(
        actor=rnd_engineer, document=document, uploaded=upload("旧.txt", b"to trash v2")
    )
    actions.trash_document(actor=rnd_engineer, document=document)
    for viewer in (rnd_engineer, agent, knowledge_manager):
        assert not visible_to(viewer, KnowledgeDocument.objects.all()).exists()
        with pytest.raises(ItemNotFound):
            access_document_by_id(viewer, document.pk)
    assert actions.list_trash_for_viewer(agent) == []
    assert actions.list_trash_for_viewer(knowledge_manager) == [document]
    with pytest.raises(PermissionDenied):
        actions.restore_document(actor=agent, document=document)
    actions.restore_document(actor=rnd_engineer, document=document)
    assert access_document_by_id(agent, document.pk) == document

    actions.trash_document(actor=knowledge_manager, document=document)
    assert purge_trash_task.apply().get() == 0  # not old enough yet
    KnowledgeDocument.objects.filter(pk=document.pk).update(
        deleted_at=timezone.now() - timedelta(days=settings.KB_TRASH_DAYS + 1)
    )
    assert len(stored_files(settings)) == 2
    assert purge_trash_task.apply().get() == 1
    assert not KnowledgeDocument.objects.filter(pk=document.pk).exists()
    assert not DocumentVersion.objects.filter(document_id=document.pk).exists()


def test_purge_is_for_managers_and_removes_the_files_after_commit(
    rnd_engineer, knowledge_manager, settings, django_capture_on_commit_callbacks
):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("x.txt", b"bytes"))
    actions.trash_document(actor=rnd_engineer, document=document)
    document.refresh_from_db()
    with pytest.raises(PermissionDenied):  # owners restore; only managers delete for good
        actions.purge_document(actor=rnd_engineer, document=document)
    with django_capture_on_commit_callbacks(execute=True):
        actions.purge_document(actor=knowledge_manager, document=document)
    assert stored_files(settings) == []


def test_an_encrypted_upload_is_stored_and_extracted_once_with_the_password(
    rnd_engineer, agent, django_capture_on_commit_callbacks
):
    pypdf = pytest.importorskip("pypdf")
    reportlab = pytest.importorskip("reportlab")  # noqa: F841
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    plain = io.BytesIO()
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(plain)
    page.setFont("STSong-Light", 14)
    page.drawString(72, 720, "机密测试报告 第三版")
    page.save()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(plain.getvalue())))
    writer.encrypt(user_password="s3cret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)

    with django_capture_on_commit_callbacks(execute=True):
        document = actions.upload_document(
            actor=rnd_engineer, uploaded=upload("报告.pdf", locked.getvalue())
        )
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.ENCRYPTED
    with pytest.raises(PermissionDenied):
        actions.extract_with_password(actor=agent, document=document, password="s3cret")
    document = actions.extract_with_password(
        actor=rnd_engineer, document=document, password="s3cret"
    )
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert "机密测试报告" in document.extracted_text
    assert "s3cret" not in str(AuditEvent.objects.values_list("extra", flat=True))


def test_request_extraction_requeues_a_failed_document(
    rnd_engineer, django_capture_on_commit_callbacks
):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("a.txt", b"retry me"))
    KnowledgeDocument.objects.filter(pk=document.pk).update(
        extraction_status=ExtractionStatus.FAILED, extraction_error="boom"
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_extraction(actor=rnd_engineer, document=document)
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert document.extracted_text == "retry me"


def test_zip_is_an_accepted_upload_type(rnd_engineer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    document = actions.upload_document(
        actor=rnd_engineer, uploaded=upload("a.zip", buffer.getvalue())
    )
    assert document.mime_type == "application/zip"


def test_an_unexpected_extractor_fault_marks_the_document_failed(
    rnd_engineer, monkeypatch, django_capture_on_commit_callbacks
):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload("a.txt", b"text"))

    class Broken:
        def extract(self, path, password=None):
            raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr("documents.extraction.get_extractor", lambda: Broken())
    with pytest.raises(AssertionError):
        extract_document_task.apply(args=[document.pk]).get()
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.FAILED
    assert "daemonic" in document.extraction_error


def test_wagtails_file_hash_is_the_sha1_of_the_current_file(rnd_engineer):
    import hashlib

    document = actions.upload_document(
        actor=rnd_engineer, uploaded=upload("一.txt", b"first version")
    )
    assert document.file_hash == hashlib.sha1(b"first version").hexdigest()
    actions.add_document_version(
        actor=rnd_engineer, document=document, uploaded=upload("二.txt", b"second version")
    )
    document.refresh_from_db()
    assert document.file_hash == hashlib.sha1(b"second version").hexdigest()
    actions.restore_document_version(
        actor=rnd_engineer, document=document, version=document.versions.get(number=1)
    )
    document.refresh_from_db()
    assert document.file_hash == hashlib.sha1(b"first version").hexdigest()
    assert [v.number for v in document.versions.all()] == [3, 2, 1]

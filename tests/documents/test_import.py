"""Bulk import: folder tree to categories, hostile archives, GBK names, resuming after a crash."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from documents import actions
from documents.import_models import ImportItem, ImportItemStatus, ImportJob, ImportJobStatus
from documents.importing.actions import start_path_import, start_zip_import
from documents.importing.categories import category_slug
from documents.importing.names import UnsafePath, decode_zip_name, safe_parts
from documents.importing.runner import run_import_job
from documents.importing.tasks import resume_import_jobs_task
from documents.models import KnowledgeDocument
from kb.models import CategoryPage, KnowledgeHomePage
from permissions.models import Confidentiality
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval" / "documents"


class RawNameInfo(zipfile.ZipInfo):
    """A zip entry whose name is written as the raw bytes it was built from, without the UTF-8
    flag: what Chinese Windows writes (Python would otherwise store UTF-8 and set bit 11)."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook
        return self.filename.encode("cp437"), self.flag_bits


def gbk_info(name: str) -> zipfile.ZipInfo:
    info = RawNameInfo(name.encode("gbk").decode("cp437"))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def make_zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def text(label: str) -> bytes:
    return f"{label}：液压系统保养规程，第 {label} 号文件。".encode()


def import_zip(user, data: bytes, *, name="资料.zip", category=None, **options) -> ImportJob:
    """Start an import as the web page does, then run it here (its task is queued on commit)."""
    job = start_zip_import(
        actor=user, uploaded=SimpleUploadedFile(name, data), category=category, **options
    )
    return run_import_job(job.pk)


def items(job) -> dict[str, ImportItem]:
    return {item.relative_path: item for item in job.items.all()}


@pytest.fixture
def target(rnd_engineer):
    home = KnowledgeHomePage.objects.first()
    page = CategoryPage(
        title="导入区", slug="import-area", confidentiality=Confidentiality.INTERNAL
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return CategoryPage.objects.get(pk=page.pk)


# --- names --------------------------------------------------------------------------------------


def test_unsafe_names_are_refused_and_safe_ones_split():
    assert safe_parts("研发/./图纸//a.dwg") == ["研发", "图纸", "a.dwg"]
    for name, code in [
        ("../etc/passwd", "path_traversal"),
        ("a/../../b", "path_traversal"),
        ("..\\..\\windows\\x.ini", "path_traversal"),
        ("/etc/passwd", "absolute_path"),
        ("C:/Windows/x.ini", "absolute_path"),
        ("c:x.txt", "absolute_path"),
    ]:
        with pytest.raises(UnsafePath) as caught:
            safe_parts(name)
        assert caught.value.code == code, name


def test_zip_names_are_decoded_from_gbk_but_utf8_names_are_kept():
    assert decode_zip_name(gbk_info("研发中心/报告.docx")) == "研发中心/报告.docx"
    flagged = zipfile.ZipInfo("研发中心/报告.docx")
    flagged.flag_bits |= 0x800
    assert decode_zip_name(flagged) == "研发中心/报告.docx"
    unflagged_utf8 = RawNameInfo("测试.txt".encode().decode("cp437"))
    assert decode_zip_name(unflagged_utf8) == "测试.txt"
    assert decode_zip_name(zipfile.ZipInfo("plain/name.txt")) == "plain/name.txt"


def test_category_slugs_are_pinyin_and_never_empty():
    assert category_slug("研发资料") == "yan-fa-zi-liao"
    assert category_slug("2021年 报告") == "2021-nian-bao-gao"
    assert category_slug("！？") == "folder"


# --- zip archives -------------------------------------------------------------------------------


def test_nested_chinese_folders_become_categories_and_files_documents(rnd_engineer, target):
    data = make_zip(
        [
            ("研发资料/图纸/说明.txt", text("说明")),
            ("研发资料/报告.txt", text("报告")),
            ("根目录文件.txt", text("根")),
            ("__MACOSX/研发资料/._报告.txt", b"\x00\x05junk"),
            (".DS_Store", b"junk"),
            ("研发资料/Thumbs.db", b"junk"),
            ("研发资料/desktop.ini", b"junk"),
        ]
    )
    job = import_zip(rnd_engineer, data, category=target, owning_departments=[])

    assert job.status == ImportJobStatus.DONE
    assert (job.total, job.processed, job.imported) == (3, 3, 3)
    assert set(items(job)) == {"研发资料/图纸/说明.txt", "研发资料/报告.txt", "根目录文件.txt"}
    research = CategoryPage.objects.child_of(target).get(title="研发资料")
    assert research.slug == "yan-fa-zi-liao" and research.live
    assert research.owner == rnd_engineer
    drawings = CategoryPage.objects.child_of(research).get(title="图纸")
    by_path = {d.source_path: d for d in KnowledgeDocument.objects.all()}
    assert by_path["研发资料/图纸/说明.txt"].category == drawings
    assert by_path["研发资料/图纸/说明.txt"].title == "说明"
    assert by_path["研发资料/报告.txt"].category == research
    assert by_path["根目录文件.txt"].category == target
    assert all(d.uploaded_by_user == rnd_engineer for d in by_path.values())
    # The uploaded archive is not kept once the job is done.
    assert not default_storage.exists(job.path)


def test_a_second_import_reuses_categories_and_reports_duplicates(rnd_engineer, target):
    data = make_zip([("研发资料/报告.txt", text("报告")), ("研发资料/新文件.txt", text("新"))])
    first = import_zip(
        rnd_engineer, make_zip([("研发资料/报告.txt", text("报告"))]), category=target
    )
    second = import_zip(rnd_engineer, data, category=target)

    assert first.imported == 1
    assert (second.imported, second.duplicates) == (1, 1)
    duplicate = items(second)["研发资料/报告.txt"]
    assert duplicate.status == ImportItemStatus.DUPLICATE
    assert duplicate.document == items(first)["研发资料/报告.txt"].document
    assert "报告" in duplicate.reason
    assert CategoryPage.objects.child_of(target).filter(title="研发资料").count() == 1
    assert KnowledgeDocument.objects.count() == 2


def test_gbk_file_names_from_chinese_windows_are_decoded(rnd_engineer, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(gbk_info("售后服务/维修手册.txt"), text("手册"))
        archive.writestr(gbk_info("故障代码表.txt"), text("代码"))
    job = import_zip(rnd_engineer, buffer.getvalue(), category=target)

    assert set(items(job)) == {"售后服务/维修手册.txt", "故障代码表.txt"}
    assert job.imported == 2
    assert CategoryPage.objects.child_of(target).filter(title="售后服务").exists()
    assert KnowledgeDocument.objects.filter(title="维修手册").exists()


@pytest.mark.skipif(not (EVAL / "tika_gbk.zip").exists(), reason="eval corpus not present")
def test_a_real_gbk_zip_from_windows_decodes_its_names(rnd_engineer, target):
    job = import_zip(rnd_engineer, (EVAL / "tika_gbk.zip").read_bytes(), category=target)

    (item,) = job.items.all()
    assert (
        item.relative_path
        == "审计压缩包文件检索测试/集团邮件审计系统2021年自动巡检需求文档_V4.0.doc"
    )
    # The entry is an empty file in that archive: reported, and no empty category left behind.
    assert (item.status, item.reason_code) == (ImportItemStatus.REJECTED, "empty")
    assert not CategoryPage.objects.child_of(target).exists()


def test_traversal_absolute_and_symlink_entries_are_rejected_and_the_rest_imported(
    rnd_engineer, target, settings
):
    link = zipfile.ZipInfo("快捷方式")
    link.create_system = 3
    link.external_attr = (0o120777 << 16) | 0x20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../逃逸.txt", text("逃逸"))
        archive.writestr("资料/../../深层逃逸.txt", text("深层"))
        archive.writestr("/etc/cron.d/evil.txt", text("绝对"))
        archive.writestr("C:/Windows/evil.txt", text("盘符"))
        archive.writestr(link, "/etc/passwd")
        archive.writestr("资料/正常.txt", text("正常"))
    job = import_zip(rnd_engineer, buffer.getvalue(), category=target)

    found = {path: (item.status, item.reason_code) for path, item in items(job).items()}
    assert found == {
        "../逃逸.txt": ("rejected", "path_traversal"),
        "资料/../../深层逃逸.txt": ("rejected", "path_traversal"),
        "/etc/cron.d/evil.txt": ("rejected", "absolute_path"),
        "C:/Windows/evil.txt": ("rejected", "absolute_path"),
        "快捷方式": ("rejected", "symlink"),
        "资料/正常.txt": ("imported", ""),
    }
    assert all(item.reason for item in job.items.filter(status="rejected"))
    assert (job.imported, job.rejected, job.status) == (1, 5, ImportJobStatus.DONE)
    assert list(KnowledgeDocument.objects.values_list("title", flat=True)) == ["正常"]
    assert not (Path(settings.MEDIA_ROOT).parent / "逃逸.txt").exists()


def test_a_zip_bomb_entry_is_rejected_by_its_compression_ratio(rnd_engineer, target):
    data = make_zip([("bomb.txt", b"0" * (8 * 1024 * 1024)), ("正常.txt", text("正常"))])
    assert len(data) < 100_000
    job = import_zip(rnd_engineer, data, category=target)

    bomb = items(job)["bomb.txt"]
    assert (bomb.status, bomb.reason_code) == (ImportItemStatus.REJECTED, "compression_ratio")
    assert items(job)["正常.txt"].status == ImportItemStatus.IMPORTED
    assert KnowledgeDocument.objects.count() == 1


def test_an_entry_whose_header_understates_its_size_is_judged_by_what_comes_out(
    rnd_engineer, target
):
    # A header claiming 1 KB for 8 MB of zeros passes the listing (ratio below 1); reading must
    # stop at the declared size and report the entry damaged, not expand it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("liar.txt", b"0" * (8 * 1024 * 1024))
        archive.writestr("正常.txt", text("正常"))
    raw = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset : at + offset + 4] = (1024).to_bytes(4, "little")
    job = import_zip(rnd_engineer, bytes(raw), category=target)

    liar = items(job)["liar.txt"]
    assert (liar.status, liar.reason_code) == (ImportItemStatus.REJECTED, "corrupt")
    assert liar.size <= 1024
    assert items(job)["正常.txt"].status == ImportItemStatus.IMPORTED


def test_archives_over_the_size_or_file_count_limits_fail_as_a_whole(
    rnd_engineer, target, settings
):
    settings.KB_IMPORT_MAX_TOTAL_MB = 1
    big = import_zip(rnd_engineer, make_zip([("大文件.bin.txt", os.urandom(1536 * 1024))]))
    assert big.status == ImportJobStatus.FAILED and "1 MB" in big.error

    settings.KB_IMPORT_MAX_TOTAL_MB = 100
    settings.KB_IMPORT_MAX_FILES = 2
    many = import_zip(rnd_engineer, make_zip([(f"{n}.txt", text(str(n))) for n in range(3)]))
    assert many.status == ImportJobStatus.FAILED and "2" in many.error
    assert not KnowledgeDocument.objects.exists()


@pytest.mark.skipif(not (EVAL / "tika_testZipEncrypted.zip").exists(), reason="no eval corpus")
def test_encrypted_entries_are_reported_and_the_others_imported(rnd_engineer, target):
    job = import_zip(rnd_engineer, (EVAL / "tika_testZipEncrypted.zip").read_bytes())

    found = {path: (item.status, item.reason_code) for path, item in items(job).items()}
    assert found == {
        "encrypted.txt": ("rejected", "encrypted"),
        "unencrypted.txt": ("imported", ""),
    }


def test_a_file_type_that_is_not_accepted_is_rejected_with_the_upload_reason(rnd_engineer, target):
    job = import_zip(rnd_engineer, make_zip([("程序.exe", b"MZ\x90\x00"), ("a.txt", text("a"))]))

    rejected = items(job)["程序.exe"]
    assert (rejected.status, rejected.reason_code) == (ImportItemStatus.REJECTED, "type")
    assert ".exe" in rejected.reason


# --- resuming -----------------------------------------------------------------------------------


class Crash(KeyboardInterrupt):
    """Stands for the worker being killed: not an Exception, so nothing may swallow it."""


@pytest.mark.parametrize("when", ["before_upload", "after_upload"])
def test_a_crash_mid_way_then_a_rerun_imports_every_file_exactly_once(
    rnd_engineer, target, monkeypatch, when
):
    data = make_zip([(f"批次/文件{n}.txt", text(str(n))) for n in range(6)])
    job = start_zip_import(
        actor=rnd_engineer, uploaded=SimpleUploadedFile("批次.zip", data), category=target
    )
    real_upload = actions.upload_document
    calls = []

    def crashing_upload(**kwargs):
        calls.append(kwargs["source_path"])
        if len(calls) == 3:
            if when == "after_upload":
                real_upload(**kwargs)  # stored, but killed before the item is marked
            raise Crash
        return real_upload(**kwargs)

    monkeypatch.setattr(actions, "upload_document", crashing_upload)
    with pytest.raises(Crash):
        run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING and job.claimed_by == ""
    assert job.imported == 2
    assert job.items.filter(status=ImportItemStatus.PENDING).count() == 4

    monkeypatch.setattr(actions, "upload_document", real_upload)
    job = run_import_job(job.pk)

    assert job.status == ImportJobStatus.DONE
    assert (job.total, job.processed, job.imported, job.duplicates) == (6, 6, 6, 0)
    documents = KnowledgeDocument.objects.all()
    assert documents.count() == 6
    assert sorted(d.source_path for d in documents) == [f"批次/文件{n}.txt" for n in range(6)]
    assert len({item.document_id for item in job.items.all()}) == 6
    assert CategoryPage.objects.child_of(target).filter(title="批次").count() == 1
    # Finished means finished: another run does nothing.
    assert run_import_job(job.pk) is None
    assert KnowledgeDocument.objects.count() == 6


def test_a_job_run_elsewhere_is_left_alone_until_its_runner_is_gone(rnd_engineer, target):
    job = start_zip_import(
        actor=rnd_engineer,
        uploaded=SimpleUploadedFile("a.zip", make_zip([("a.txt", text("a"))])),
        category=target,
    )
    alive = f"{socket.gethostname()}:{os.getppid()}"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.RUNNING, claimed_by=alive, heartbeat_at=timezone.now()
    )
    assert run_import_job(job.pk) is None
    assert resume_import_jobs_task.apply().get() == 0

    # Its worker was killed long ago on another machine: the periodic sweep resumes the job.
    ImportJob.objects.filter(pk=job.pk).update(
        claimed_by="worker-7:4242",
        heartbeat_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert resume_import_jobs_task.apply().get() == 1
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.imported == 1


# --- web ----------------------------------------------------------------------------------------


def test_the_import_page_starts_a_job_and_queues_it_after_commit(
    client, rnd_engineer, target, django_capture_on_commit_callbacks
):
    client.force_login(rnd_engineer)
    assert client.get(reverse("document_import:start")).status_code == 200
    archive = SimpleUploadedFile("资料.zip", make_zip([("目录/a.txt", text("a"))]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("document_import:start"),
            {"archive": archive, "category": target.pk, "confidentiality": "internal"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document_import:job", args=[job.pk])
    assert (job.created_by, job.category, job.original_name) == (rnd_engineer, target, "资料.zip")
    assert len(callbacks) == 1
    callbacks[0]()  # the queued task, run inline (Celery is eager in unit tests)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.imported == 1
    page = client.get(reverse("document_import:job", args=[job.pk]))
    assert page.status_code == 200
    assert "目录/a.txt" in page.content.decode()


def test_the_import_page_refuses_non_zip_files_and_non_staff(client, rnd_engineer, customer_user):
    client.force_login(rnd_engineer)
    response = client.post(
        reverse("document_import:start"),
        {"archive": SimpleUploadedFile("a.zip", b"not a zip"), "confidentiality": "internal"},
    )
    assert response.status_code == 200 and response.context["form"].errors["archive"]
    assert not ImportJob.objects.exists()
    client.force_login(customer_user)
    assert client.get(reverse("document_import:start")).status_code == 403


def test_progress_is_shown_to_the_owner_and_superusers_only(
    client, rnd_engineer, agent, administrator, target
):
    job = import_zip(rnd_engineer, make_zip([("a.txt", text("a")), ("a.exe", b"MZ")]))
    url = reverse("document_import:progress", args=[job.pk])

    client.force_login(rnd_engineer)
    data = client.get(url).json()
    assert data["status"] == "done" and data["finished"] is True
    assert {k: data[k] for k in ("total", "processed", "imported", "rejected", "errors")} == {
        "total": 2,
        "processed": 2,
        "imported": 1,
        "rejected": 1,
        "errors": 0,
    }
    assert data["percent"] == 100

    client.force_login(agent)  # staff, but not the owner
    assert client.get(url).status_code == 404
    assert client.get(reverse("document_import:job", args=[job.pk])).status_code == 404
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


# --- server folders -----------------------------------------------------------------------------


@pytest.fixture
def folder_with_links(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(text("机密"))
    root = tmp_path / "share"
    (root / "文档" / "子目录").mkdir(parents=True)
    (root / "文档" / "手册.txt").write_bytes(text("手册"))
    (root / "文档" / "子目录" / "记录.txt").write_bytes(text("记录"))
    (root / "说明.txt").write_bytes(text("说明"))
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(b"[core]")
    (root / "Thumbs.db").write_bytes(b"junk")
    (root / "文档" / "链接.txt").symlink_to(outside / "secret.txt")
    (root / "外部目录").symlink_to(outside, target_is_directory=True)
    return root


def test_the_folder_command_imports_the_tree_and_never_follows_links(
    rnd_engineer, target, folder_with_links, capsys
):
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import_documents",
            str(folder_with_links),
            "--user",
            "engineer",
            "--category-id",
            str(target.pk),
        )
    assert exited.value.code == 1  # the links are reported as rejected
    job = ImportJob.objects.get()
    found = {path: (item.status, item.reason_code) for path, item in items(job).items()}
    assert found == {
        "文档/手册.txt": ("imported", ""),
        "文档/子目录/记录.txt": ("imported", ""),
        "说明.txt": ("imported", ""),
        "文档/链接.txt": ("rejected", "symlink"),
        "外部目录/": ("rejected", "symlink"),
    }
    assert not KnowledgeDocument.objects.filter(title="secret").exists()
    docs = CategoryPage.objects.child_of(target).get(title="文档")
    assert CategoryPage.objects.child_of(docs).filter(title="子目录").exists()
    out = capsys.readouterr().out
    assert "文档/链接.txt" in out and "3 imported" in out


def test_the_folder_command_resumes_a_job_and_skips_known_content(
    rnd_engineer, target, tmp_path, monkeypatch, capsys
):
    root = tmp_path / "资料"
    root.mkdir()
    for n in range(4):
        (root / f"{n}.txt").write_bytes(text(str(n)))
    real_upload = actions.upload_document
    calls = []

    def crashing_upload(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise Crash
        return real_upload(**kwargs)

    monkeypatch.setattr(actions, "upload_document", crashing_upload)
    with pytest.raises(Crash):
        call_command("import_documents", str(root), "--user", "engineer")
    monkeypatch.setattr(actions, "upload_document", real_upload)
    job = ImportJob.objects.get()

    call_command("import_documents", str(root), "--user", "engineer", "--resume", str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJobStatus.DONE, 4)
    assert KnowledgeDocument.objects.count() == 4
    # Root-level files of an import without a target category stay uncategorised.
    assert not KnowledgeDocument.objects.filter(category__isnull=False).exists()

    # A new job over the same folder stores nothing twice.
    (root / "4.txt").write_bytes(text("4"))
    call_command("import_documents", str(root), "--user", "engineer")
    latest = ImportJob.objects.latest("pk")
    assert (latest.imported, latest.duplicates) == (1, 4)
    assert KnowledgeDocument.objects.count() == 5
    assert "4 duplicates" in capsys.readouterr().out


def test_the_folder_command_refuses_a_user_who_may_not_upload(customer_user, tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "a.txt").write_bytes(text("a"))
    with pytest.raises(CommandError):
        call_command("import_documents", str(tmp_path), "--user", "customer")
    assert not ImportJob.objects.exists()


def test_a_folder_job_started_in_code_runs_the_same_way(rnd_engineer, tmp_path):
    (tmp_path / "a.txt").write_bytes(text("a"))
    other = UserFactory(username="outsider")
    with pytest.raises(actions.PermissionDenied):
        start_path_import(actor=other, path=tmp_path)
    job = run_import_job(start_path_import(actor=rnd_engineer, path=tmp_path).pk)
    assert job.imported == 1 and job.source == "folder"


def test_the_job_page_names_only_documents_and_categories_the_owner_may_still_see(
    client, rnd_engineer, knowledge_manager, target
):
    # One file is imported, one matches a document the importer could see at the time.
    existing = actions.upload_document(
        actor=knowledge_manager,
        uploaded=SimpleUploadedFile("旧.txt", text("old")),
        title="知识经理的旧文档",
    )
    job = import_zip(
        rnd_engineer,
        make_zip([("a.txt", text("a")), ("b.txt", text("old"))]),
        category=target,
    )
    assert {item.status for item in job.items.all()} == {"imported", "duplicate"}
    client.force_login(rnd_engineer)
    body = client.get(reverse("document_import:job", args=[job.pk])).content.decode()
    assert "知识经理的旧文档" in body and target.title in body

    # Since then the matched document went confidential and the category became R&D-only
    # for another department: neither title may show through the import's results.
    KnowledgeDocument.objects.filter(pk=existing.pk).update(
        confidentiality=Confidentiality.CONFIDENTIAL
    )
    CategoryPage.objects.filter(pk=target.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)
    body = client.get(reverse("document_import:job", args=[job.pk])).content.decode()
    assert "知识经理的旧文档" not in body
    assert target.title not in body
    assert reverse("documents:detail", args=[existing.pk]) not in body
    start = client.get(reverse("document_import:start")).content.decode()
    assert target.title not in start

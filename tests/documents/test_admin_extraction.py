"""Files saved through Wagtail's own admin join the version history; failures can be retried."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from wagtail.models import Collection

from documents import actions
from documents.models import ExtractionStatus, KnowledgeDocument
from permissions.models import Confidentiality

pytestmark = pytest.mark.django_db


def test_a_document_added_in_wagtails_admin_gets_a_version_and_its_text(
    administrator, client, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/documents/add/",
            {
                "title": "管理后台上传",
                "file": SimpleUploadedFile("后台.txt", "离心泵密封圈更换步骤".encode()),
                "collection": Collection.get_first_root_node().pk,
                "confidentiality": Confidentiality.INTERNAL,
            },
        )
    assert response.status_code == 302, response.content[:2000]
    document = KnowledgeDocument.objects.get(title="管理后台上传")
    assert [v.number for v in document.versions.all()] == [1]
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert "离心泵密封圈" in document.extracted_text
    assert len(document.checksum) == 64


def test_replacing_the_file_outside_the_actions_adds_a_version(
    rnd_engineer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = actions.upload_document(
            actor=rnd_engineer, uploaded=SimpleUploadedFile("a.txt", b"first text")
        )
    with django_capture_on_commit_callbacks(execute=True):
        document.file.save("b.txt", ContentFile(b"second text"), save=False)
        document.save()
    document.refresh_from_db()
    assert [v.number for v in document.versions.all()] == [2, 1]
    assert document.extracted_text == "second text"
    with django_capture_on_commit_callbacks(execute=True):
        document.save()  # nothing new: the history stays as it is
    assert document.versions.count() == 2


def _failed_document(owner, title, **kwargs):
    document = actions.upload_document(
        actor=owner,
        uploaded=SimpleUploadedFile(f"{title}.txt", title.encode()),
        title=title,
        **kwargs,
    )
    KnowledgeDocument.objects.filter(pk=document.pk).update(
        extraction_status=ExtractionStatus.FAILED,
        extraction_error="ParseError: boom",
        metadata={"error_code": "parse_error"},
    )
    return document


def test_the_admin_extraction_page_lists_only_what_the_user_may_see(
    client, rnd_engineer, agent, customer_user, django_capture_on_commit_callbacks
):
    visible = _failed_document(rnd_engineer, "公开失败文档")
    _failed_document(
        rnd_engineer,
        "研发机密失败文档",
        confidentiality=Confidentiality.DEPARTMENT,
        owning_departments=list(rnd_engineer.departments.all()),
    )
    client.force_login(agent)
    response = client.get("/admin/documents-extraction/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "公开失败文档" in body
    assert "研发机密失败文档" not in body
    assert "(1)" in body and "(2)" not in body  # the count leaks nothing either
    # The agent may see it but is not its owner: no retry for them.
    assert f"/admin/documents-extraction/{visible.pk}/retry/" not in body

    client.force_login(rnd_engineer)
    body = client.get("/admin/documents-extraction/").content.decode()
    assert "研发机密失败文档" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/documents-extraction/{visible.pk}/retry/")
    assert response.status_code == 302
    visible.refresh_from_db()
    assert visible.extraction_status == ExtractionStatus.EXTRACTED

    client.force_login(customer_user)
    assert client.get("/admin/documents-extraction/").status_code in (302, 403)


def test_retry_command_re_extracts_failed_documents(rnd_engineer, capsys):
    document = _failed_document(rnd_engineer, "命令重试")
    call_command("retry_extraction", "--now")
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert document.extracted_text == "命令重试"
    assert "1 document(s)" in capsys.readouterr().out


def test_the_admin_extraction_pages_keep_the_chosen_status(client, rnd_engineer, monkeypatch):
    from django.core.paginator import Paginator

    monkeypatch.setattr("documents.admin_views.Paginator", lambda items, _size: Paginator(items, 1))
    for title in ("跳过一", "跳过二"):
        document = _failed_document(rnd_engineer, title)
        KnowledgeDocument.objects.filter(pk=document.pk).update(
            extraction_status=ExtractionStatus.SKIPPED
        )
    client.force_login(rnd_engineer)
    body = client.get("/admin/documents-extraction/?status=skipped").content.decode()
    assert 'href="?status=skipped&amp;p=2"' in body
    body = client.get("/admin/documents-extraction/?status=skipped&p=2").content.decode()
    assert 'href="?status=skipped&amp;p=1"' in body
    assert "p=3" not in body


def test_retry_returns_only_to_a_page_of_this_site(
    client, rnd_engineer, django_capture_on_commit_callbacks
):
    document = _failed_document(rnd_engineer, "重试跳转文档")
    client.force_login(rnd_engineer)
    url = f"/admin/documents-extraction/{document.pk}/retry/"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/documents-extraction/"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"next": "/admin/documents-extraction/?status=failed"})
    assert response["Location"] == "/admin/documents-extraction/?status=failed"

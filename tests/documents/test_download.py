"""Downloads and previews: our URLs and Wagtail's /documents/<id>/<name>, through the policy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import actions
from permissions.models import AuditEvent, Confidentiality

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def downloads() -> list[dict]:
    return list(
        AuditEvent.objects.filter(action="document.download").values_list("extra", flat=True)
    )


@pytest.fixture
def secret_doc(rnd_engineer, rnd_department):
    document = actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("液压图纸.pdf", PDF_BYTES),
        title="液压机密图纸",
        confidentiality=Confidentiality.DEPARTMENT,
        owning_departments=[rnd_department],
    )
    actions.add_document_version(
        actor=rnd_engineer, document=document, uploaded=upload("液压图纸.pdf", PDF_BYTES + b"%v2\n")
    )
    document.refresh_from_db()
    return document


def secret_urls(document) -> list[str]:
    return [
        reverse("documents:download", args=[document.pk]),
        reverse("documents:download", args=[document.pk]) + "?inline=1",
        reverse("documents:download_version", args=[document.pk, 1]),
        reverse("documents:download_version", args=[document.pk, 1]) + "?inline=1",
        document.url,  # Wagtail's own serve view
    ]


# ---------------------------------------------------------------------------------------------
# Who may download


@pytest.mark.parametrize("user_fixture", ["customer_user", "agent"])
def test_users_without_rights_get_404_everywhere(request, secret_doc, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    for url in secret_urls(secret_doc):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "液压机密图纸" not in response.content.decode()
    assert downloads() == []


def test_anonymous_users_get_a_login_redirect_or_404(client, secret_doc):
    *ours, wagtail_url = secret_urls(secret_doc)
    for url in ours:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(wagtail_url).status_code == 404
    assert downloads() == []


def test_the_owner_and_the_department_download(rnd_engineer, knowledge_manager, secret_doc):
    for user in (rnd_engineer, knowledge_manager):
        client = client_for(user)
        for url in secret_urls(secret_doc):
            response = client.get(url)
            assert response.status_code == 200, url
            assert body(response).startswith(b"%PDF-1.4")


def test_documents_in_the_recycle_bin_are_not_served(rnd_engineer, secret_doc):
    actions.trash_document(actor=rnd_engineer, document=secret_doc)
    client = client_for(rnd_engineer)
    for url in secret_urls(secret_doc):
        assert client.get(url).status_code == 404, url
    assert downloads() == []


def test_a_missing_version_is_a_404(rnd_engineer, secret_doc):
    url = reverse("documents:download_version", args=[secret_doc.pk, 9])
    assert client_for(rnd_engineer).get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# What is sent


def test_current_and_older_versions_with_audit_rows(rnd_engineer, secret_doc):
    client = client_for(rnd_engineer)
    current = client.get(reverse("documents:download", args=[secret_doc.pk]))
    assert body(current).endswith(b"%v2\n")
    older = client.get(reverse("documents:download_version", args=[secret_doc.pk, 1]))
    assert body(older) == PDF_BYTES
    events = AuditEvent.objects.filter(action="document.download").order_by("pk")
    assert [e.extra["version"] for e in events] == [2, 1]
    assert {e.actor for e in events} == {rnd_engineer}
    assert {e.object_id for e in events} == {str(secret_doc.pk)}


def test_chinese_file_names_in_content_disposition(rnd_engineer, secret_doc):
    response = client_for(rnd_engineer).get(reverse("documents:download", args=[secret_doc.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    # RFC 5987: filename*=utf-8''<percent-encoded UTF-8>
    assert "filename*=utf-8''%E6%B6%B2%E5%8E%8B%E5%9B%BE%E7%BA%B8.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"


def test_pdf_and_images_preview_inline(rnd_engineer):
    pdf = actions.upload_document(actor=rnd_engineer, uploaded=upload("说明.pdf", PDF_BYTES))
    png = actions.upload_document(actor=rnd_engineer, uploaded=upload("照片.png", PNG_BYTES))
    client = client_for(rnd_engineer)
    response = client.get(reverse("documents:download", args=[pdf.pk]) + "?inline=1")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    response = client.get(reverse("documents:download", args=[png.pk]) + "?inline=1")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert [e["inline"] for e in downloads()] == [True, True]
    # The detail page embeds them.
    detail = client.get(reverse("documents:detail", args=[pdf.pk])).content.decode()
    assert "<iframe" in detail and "?inline=1" in detail
    detail = client.get(reverse("documents:detail", args=[png.pk])).content.decode()
    assert "<img" in detail and "?inline=1" in detail


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("页面.html", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
        ("图形.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("假图片.png", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_active_content_is_always_an_attachment(rnd_engineer, name, data):
    document = actions.upload_document(actor=rnd_engineer, uploaded=upload(name, data))
    response = client_for(rnd_engineer).get(
        reverse("documents:download", args=[document.pk]) + "?inline=1"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body(response) == data


# ---------------------------------------------------------------------------------------------
# Wagtail's serve URL


def test_wagtail_serve_url_obeys_the_policy_and_is_audited(rnd_engineer, agent, secret_doc):
    assert secret_doc.url.startswith("/documents/")
    assert client_for(agent).get(secret_doc.url).status_code == 404
    response = client_for(rnd_engineer).get(secret_doc.url)
    assert response.status_code == 200
    assert body(response).endswith(b"%v2\n")
    (event,) = AuditEvent.objects.filter(action="document.download")
    assert event.actor == rnd_engineer
    assert event.extra == {"version": 2, "via": "wagtail"}


def test_wagtail_serve_url_serves_public_documents_to_anyone(client, rnd_engineer):
    document = actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("公开手册.txt", "公开内容".encode()),
        confidentiality=Confidentiality.PUBLIC,
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == "公开内容".encode()
    (event,) = AuditEvent.objects.filter(action="document.download")
    assert event.actor is None

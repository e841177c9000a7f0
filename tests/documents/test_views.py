"""The staff document pages: library, upload, detail, versions, extraction, recycle bin."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from documents import actions
from documents.extraction.messages import describe_error
from documents.models import ExtractionStatus, KnowledgeDocument
from permissions.models import AuditEvent, Confidentiality
from tests.permissions.conftest import make_category

pytestmark = pytest.mark.django_db

SECRET_TITLE = "液压机密图纸甲"
INTERNAL_TITLE = "内部操作手册乙"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def secret_doc(rnd_engineer, rnd_department):
    """A department-only document of R&D, uploaded by an R&D engineer."""
    return actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("图纸.txt", "液压站装配图说明".encode()),
        title=SECRET_TITLE,
        confidentiality=Confidentiality.DEPARTMENT,
        owning_departments=[rnd_department],
    )


@pytest.fixture
def internal_doc(rnd_engineer):
    return actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("手册.txt", "开机前检查油位".encode()),
        title=INTERNAL_TITLE,
        confidentiality=Confidentiality.INTERNAL,
    )


def page_text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# Who sees what


@pytest.mark.parametrize(
    ("user_fixture", "expected_count"),
    [("customer_user", 0), ("agent", 1), ("rnd_engineer", 2), ("knowledge_manager", 2)],
)
def test_the_list_shows_and_counts_only_visible_documents(
    request, secret_doc, internal_doc, user_fixture, expected_count
):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(reverse("documents:list"))
    assert response.status_code == 200
    html = page_text(response)
    assert response.context["page_obj"].paginator.count == expected_count
    assert (SECRET_TITLE in html) is (expected_count == 2)
    assert (INTERNAL_TITLE in html) is (expected_count >= 1)
    # The count printed on the page is the same number.
    count_text = re.search(r'data-testid="document-count">([^<]*)<', html).group(1)
    assert re.search(r"\d+", count_text).group() == str(expected_count)


def test_the_list_search_does_not_reveal_hidden_documents(agent, secret_doc):
    response = client_for(agent).get(reverse("documents:list"), {"q": "液压机密"})
    assert response.context["page_obj"].paginator.count == 0
    assert SECRET_TITLE not in page_text(response)


@pytest.mark.parametrize(
    "name",
    [
        "documents:list",
        "documents:upload",
        "documents:trash",
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("user_fixture", ["customer_user", "agent", None])
def test_the_detail_of_a_hidden_document_is_a_404(request, secret_doc, user_fixture):
    user = request.getfixturevalue(user_fixture) if user_fixture else None
    response = client_for(user).get(reverse("documents:detail", args=[secret_doc.pk]))
    if user is None:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 404
    assert SECRET_TITLE not in page_text(response)


def test_a_missing_document_and_a_hidden_one_look_the_same(agent, secret_doc):
    client = client_for(agent)
    hidden = client.get(reverse("documents:detail", args=[secret_doc.pk]))
    missing = client.get(reverse("documents:detail", args=[secret_doc.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404

    def normalised(response):
        # CSRF tokens are masked afresh on every render; the language switch echoes the path.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page_text(response))
        return html.replace(response.wsgi_request.path, "/docs/N/")

    assert normalised(hidden) == normalised(missing)


def test_the_owner_sees_the_detail_page(rnd_engineer, secret_doc):
    response = client_for(rnd_engineer).get(reverse("documents:detail", args=[secret_doc.pk]))
    assert response.status_code == 200
    html = page_text(response)
    assert SECRET_TITLE in html
    assert "液压站装配图说明" not in html  # not extracted yet: no text preview
    assert reverse("documents:download_version", args=[secret_doc.pk, 1]) in html
    assert reverse("documents:add_version", args=[secret_doc.pk]) in html


def test_the_recycle_bin_page_hides_what_the_user_may_not_restore(
    rnd_engineer, agent, customer_user, knowledge_manager, secret_doc
):
    actions.trash_document(actor=rnd_engineer, document=secret_doc)
    for user in (rnd_engineer, knowledge_manager):
        response = client_for(user).get(reverse("documents:trash"))
        assert SECRET_TITLE in page_text(response)
    response = client_for(agent).get(reverse("documents:trash"))
    assert response.status_code == 200
    assert SECRET_TITLE not in page_text(response)
    assert response.context["documents"] == []
    assert client_for(customer_user).get(reverse("documents:trash")).status_code == 403
    # In the bin, the document has no detail page, not even for its owner.
    detail = client_for(rnd_engineer).get(reverse("documents:detail", args=[secret_doc.pk]))
    assert detail.status_code == 404


def test_the_documents_entry_is_in_the_navigation_for_staff_only(agent, customer_user):
    url = reverse("documents:list")
    assert f'href="{url}"' in page_text(client_for(agent).get(reverse("kb:portal")))
    assert f'href="{url}"' not in page_text(client_for(customer_user).get(reverse("kb:portal")))


# ---------------------------------------------------------------------------------------------
# Filters


def test_filters_by_title_status_type_and_category(rnd_engineer):
    category = make_category()
    pdf = actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("规格.pdf", b"%PDF-1.4\n%fake\n"),
        title="泵体规格书",
        category=category,
    )
    text = actions.upload_document(
        actor=rnd_engineer, uploaded=upload("记录.txt", b"log entry"), title="调试记录"
    )
    KnowledgeDocument.objects.filter(pk=text.pk).update(extraction_status=ExtractionStatus.FAILED)
    client = client_for(rnd_engineer)

    def titles(**params):
        response = client.get(reverse("documents:list"), params)
        return sorted(d.title for d in response.context["documents"])

    assert titles() == ["泵体规格书", "调试记录"]
    assert titles(q="规格") == ["泵体规格书"]
    assert titles(status="failed") == ["调试记录"]
    assert titles(type="pdf") == ["泵体规格书"]
    assert titles(type="text") == ["调试记录"]
    assert titles(type="other") == []
    assert titles(category=category.pk) == ["泵体规格书"]
    assert pdf.pk != text.pk


def test_the_list_paginates(rnd_engineer, monkeypatch):
    monkeypatch.setattr("documents.views.DOCUMENTS_PER_PAGE", 2)
    for n in range(5):
        actions.upload_document(
            actor=rnd_engineer, uploaded=upload(f"f{n}.txt", f"content {n}".encode())
        )
    client = client_for(rnd_engineer)
    response = client.get(reverse("documents:list"), {"type": "text", "page": 3})
    assert response.context["page_obj"].number == 3
    assert len(response.context["documents"]) == 1
    # Page links keep the filter.
    assert "type=text" in page_text(response) and "page=2" in page_text(response)


# ---------------------------------------------------------------------------------------------
# Upload


def test_upload_page_shows_the_limits(rnd_engineer, settings):
    settings.KB_MAX_UPLOAD_MB = 37
    html = page_text(client_for(rnd_engineer).get(reverse("documents:upload")))
    assert "37 MB" in html
    assert ".docx" in html and "multiple" in html and 'enctype="multipart/form-data"' in html


def test_upload_a_good_file(rnd_engineer, rnd_department, django_capture_on_commit_callbacks):
    category = make_category()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rnd_engineer).post(
            reverse("documents:upload"),
            {
                "files": [upload("保养规程.txt", "每周检查一次液压油".encode())],
                "title": "保养规程",
                "description": "设备保养",
                "category": category.pk,
                "confidentiality": Confidentiality.DEPARTMENT,
                "owning_departments": [rnd_department.pk],
            },
        )
    assert response.status_code == 200
    document = KnowledgeDocument.objects.get()
    assert (document.title, document.description, document.category) == (
        "保养规程",
        "设备保养",
        category,
    )
    assert list(document.owning_departments.all()) == [rnd_department]
    assert document.uploaded_by_user == rnd_engineer
    assert [r["status"] for r in response.context["results"]] == ["stored"]
    assert reverse("documents:detail", args=[document.pk]) in page_text(response)
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED


def test_several_files_at_once_with_a_rejected_one(rnd_engineer):
    response = client_for(rnd_engineer).post(
        reverse("documents:upload"),
        {
            "files": [
                upload("一.txt", b"first file"),
                upload("程序.exe", b"MZ\x90\x00"),
                upload("二.txt", b"second file"),
            ],
            "title": "ignored for several files",
            "confidentiality": Confidentiality.INTERNAL,
        },
    )
    results = response.context["results"]
    assert [r["status"] for r in results] == ["stored", "rejected", "stored"]
    assert sorted(KnowledgeDocument.objects.values_list("title", flat=True)) == ["一", "二"]
    reason = results[1]["reasons"][0]
    assert "exe" in reason
    assert reason in page_text(response)


def test_department_confidentiality_needs_a_department(rnd_engineer):
    response = client_for(rnd_engineer).post(
        reverse("documents:upload"),
        {"files": [upload("a.txt", b"abc")], "confidentiality": Confidentiality.DEPARTMENT},
    )
    assert response.context["form"].errors["owning_departments"]
    assert not KnowledgeDocument.objects.exists()


def test_a_duplicate_is_offered_then_stored_anyway(rnd_engineer, agent, settings):
    first = actions.upload_document(
        actor=rnd_engineer, uploaded=upload("原件.txt", b"same content"), title="原件"
    )
    client = client_for(agent)
    response = client.post(
        reverse("documents:upload"),
        {"files": [upload("副本.txt", b"same content")], "confidentiality": "internal"},
    )
    (result,) = response.context["results"]
    assert result["status"] == "duplicate" and result["existing"] == first
    html = page_text(response)
    assert reverse("documents:detail", args=[first.pk]) in html
    assert result["token"] in html
    assert KnowledgeDocument.objects.count() == 1

    stored = client.post(reverse("documents:store_duplicate"), {"token": result["token"]})
    assert KnowledgeDocument.objects.count() == 2
    second = KnowledgeDocument.objects.exclude(pk=first.pk).get()
    assert stored.status_code == 302 and stored.url == reverse("documents:detail", args=[second.pk])
    assert second.uploaded_by_user == agent and second.title == "副本"
    with second.open_file() as handle:
        assert handle.read() == b"same content"
    assert second.versions.get().original_filename == "副本.txt"
    # The kept-aside copy is gone and the token cannot be used twice.
    assert not list((settings.MEDIA_ROOT / "upload-stash").rglob("file"))
    again = client.post(reverse("documents:store_duplicate"), {"token": result["token"]})
    assert again.status_code == 302 and KnowledgeDocument.objects.count() == 2


def test_a_stash_token_of_another_user_is_useless(rnd_engineer, agent, knowledge_manager):
    actions.upload_document(actor=rnd_engineer, uploaded=upload("a.txt", b"dup bytes"))
    response = client_for(agent).post(
        reverse("documents:upload"),
        {"files": [upload("b.txt", b"dup bytes")], "confidentiality": "internal"},
    )
    token = response.context["results"][0]["token"]
    client_for(knowledge_manager).post(reverse("documents:store_duplicate"), {"token": token})
    assert KnowledgeDocument.objects.count() == 1


def test_customers_cannot_upload(customer_user):
    client = client_for(customer_user)
    assert client.get(reverse("documents:upload")).status_code == 403
    response = client.post(
        reverse("documents:upload"),
        {"files": [upload("a.txt", b"abc")], "confidentiality": "public"},
    )
    assert response.status_code == 403
    assert not KnowledgeDocument.objects.exists()


# ---------------------------------------------------------------------------------------------
# Versions


def test_upload_a_new_version_and_restore_an_old_one(rnd_engineer, internal_doc):
    client = client_for(rnd_engineer)
    response = client.post(
        reverse("documents:add_version", args=[internal_doc.pk]),
        {"file": upload("手册.txt", "第二版内容".encode()), "comment": "更新油位要求"},
    )
    assert response.status_code == 302
    internal_doc.refresh_from_db()
    assert internal_doc.current_version.number == 2
    html = page_text(client.get(reverse("documents:detail", args=[internal_doc.pk])))
    assert "更新油位要求" in html
    assert reverse("documents:restore_version", args=[internal_doc.pk, 1]) in html

    response = client.post(reverse("documents:restore_version", args=[internal_doc.pk, 1]))
    assert response.status_code == 302
    internal_doc.refresh_from_db()
    current = internal_doc.current_version
    assert (current.number, current.restored_from) == (3, 1)
    with internal_doc.open_file() as handle:
        assert handle.read() == "开机前检查油位".encode()


def test_a_rejected_new_version_is_a_form_error(rnd_engineer, internal_doc):
    response = client_for(rnd_engineer).post(
        reverse("documents:add_version", args=[internal_doc.pk]),
        {"file": upload("病毒.exe", b"MZ\x90"), "comment": ""},
    )
    assert response.status_code == 400
    errors = response.context["version_form"].errors["file"]
    assert errors and errors[0] in page_text(response)
    assert internal_doc.versions.count() == 1


def test_only_editors_change_versions(agent, rnd_engineer, internal_doc, secret_doc):
    client = client_for(agent)
    html = page_text(client.get(reverse("documents:detail", args=[internal_doc.pk])))
    assert reverse("documents:add_version", args=[internal_doc.pk]) not in html
    assert reverse("documents:trash_document", args=[internal_doc.pk]) not in html
    new_version = client.post(
        reverse("documents:add_version", args=[internal_doc.pk]),
        {"file": upload("x.txt", b"hijack")},
    )
    assert new_version.status_code == 403
    actions.add_document_version(
        actor=rnd_engineer, document=internal_doc, uploaded=upload("v2.txt", b"v2")
    )
    assert (
        client.post(reverse("documents:restore_version", args=[internal_doc.pk, 1])).status_code
        == 403
    )
    assert client.post(reverse("documents:trash_document", args=[internal_doc.pk])).status_code == (
        403
    )
    # A document the agent may not see: 404, as if it did not exist.
    for name, args in [
        ("documents:add_version", [secret_doc.pk]),
        ("documents:restore_version", [secret_doc.pk, 1]),
        ("documents:trash_document", [secret_doc.pk]),
        ("documents:retry_extraction", [secret_doc.pk]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 404
    assert internal_doc.versions.count() == 2
    internal_doc.refresh_from_db()
    assert internal_doc.deleted_at is None


# ---------------------------------------------------------------------------------------------
# Extraction status


def test_a_failed_extraction_shows_the_translated_reason_and_can_be_retried(
    rnd_engineer, internal_doc, django_capture_on_commit_callbacks
):
    KnowledgeDocument.objects.filter(pk=internal_doc.pk).update(
        extraction_status=ExtractionStatus.FAILED,
        extraction_error="ParseError: bad header",
        metadata={"error_code": "parse_error"},
    )
    client = client_for(rnd_engineer)
    response = client.get(reverse("documents:detail", args=[internal_doc.pk]))
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = str(describe_error("parse_error"))
    html = page_text(response)
    assert expected in html
    assert reverse("documents:retry_extraction", args=[internal_doc.pk]) in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:retry_extraction", args=[internal_doc.pk]))
    assert response.status_code == 302
    internal_doc.refresh_from_db()
    assert internal_doc.extraction_status == ExtractionStatus.EXTRACTED
    assert AuditEvent.objects.filter(action="document.retry_extraction").count() == 1
    html = page_text(client.get(reverse("documents:detail", args=[internal_doc.pk])))
    assert "开机前检查油位" in html  # the text preview
    assert reverse("documents:retry_extraction", args=[internal_doc.pk]) not in html


def test_the_text_preview_is_escaped_and_cut(rnd_engineer, internal_doc, monkeypatch):
    monkeypatch.setattr("documents.views.PREVIEW_CHARS", 40)
    text = "<script>alert(1)</script>" + "长" * 100
    KnowledgeDocument.objects.filter(pk=internal_doc.pk).update(
        extraction_status=ExtractionStatus.EXTRACTED, extracted_text=text
    )
    response = client_for(rnd_engineer).get(reverse("documents:detail", args=[internal_doc.pk]))
    html = page_text(response)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "长" * 15 in html and "长" * 16 not in html
    assert response.context["preview_truncated"] is True


def _encrypted_pdf(password: str) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    plain = io.BytesIO()
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(plain)
    page.setFont("STSong-Light", 14)
    page.drawString(72, 720, "加密的质检报告")
    page.save()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(plain.getvalue())))
    writer.encrypt(user_password=password, owner_password="owner-" + password)
    locked = io.BytesIO()
    writer.write(locked)
    return locked.getvalue()


def test_only_the_uploader_may_supply_the_password(
    rnd_engineer, knowledge_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = actions.upload_document(
            actor=rnd_engineer, uploaded=upload("质检.pdf", _encrypted_pdf("pw-7788"))
        )
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.ENCRYPTED
    url = reverse("documents:extract_with_password", args=[document.pk])
    manager = client_for(knowledge_manager)
    assert url not in page_text(manager.get(reverse("documents:detail", args=[document.pk])))
    assert manager.post(url, {"password": "pw-7788"}).status_code == 403

    owner = client_for(rnd_engineer)
    html = page_text(owner.get(reverse("documents:detail", args=[document.pk])))
    assert url in html and 'type="password"' in html
    wrong = owner.post(url, {"password": "nope"}, follow=True)
    document.refresh_from_db()
    assert document.extraction_status != ExtractionStatus.EXTRACTED
    assert "nope" not in page_text(wrong)
    response = owner.post(url, {"password": "pw-7788"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED
    assert "加密的质检报告" in document.extracted_text
    # The password is kept nowhere: not in the audit log, the session or the document.
    assert "pw-7788" not in str(list(AuditEvent.objects.values_list("extra", flat=True)))
    assert "pw-7788" not in str(owner.session.items())
    assert "pw-7788" not in str(document.metadata)


# ---------------------------------------------------------------------------------------------
# Recycle bin


def test_trash_restore_and_purge_through_the_pages(
    rnd_engineer, knowledge_manager, agent, internal_doc, settings
):
    settings.KB_TRASH_DAYS = 45
    owner = client_for(rnd_engineer)
    response = owner.post(reverse("documents:trash_document", args=[internal_doc.pk]))
    assert response.status_code == 302
    internal_doc.refresh_from_db()
    assert internal_doc.in_trash
    html = page_text(owner.get(reverse("documents:trash")))
    assert INTERNAL_TITLE in html and "45" in html
    assert reverse("documents:purge", args=[internal_doc.pk]) not in html  # owners restore only

    assert owner.post(reverse("documents:purge", args=[internal_doc.pk])).status_code == 403
    assert (
        client_for(agent).post(reverse("documents:restore", args=[internal_doc.pk])).status_code
        == 404
    )
    response = owner.post(reverse("documents:restore", args=[internal_doc.pk]))
    assert response.status_code == 302
    internal_doc.refresh_from_db()
    assert not internal_doc.in_trash

    actions.trash_document(actor=rnd_engineer, document=internal_doc)
    manager = client_for(knowledge_manager)
    assert reverse("documents:purge", args=[internal_doc.pk]) in page_text(
        manager.get(reverse("documents:trash"))
    )
    response = manager.post(reverse("documents:purge", args=[internal_doc.pk]))
    assert response.status_code == 302
    assert not KnowledgeDocument.objects.filter(pk=internal_doc.pk).exists()
    assert AuditEvent.objects.filter(action="document.purge").count() == 1


def test_a_live_document_cannot_be_restored_or_purged(knowledge_manager, internal_doc):
    client = client_for(knowledge_manager)
    assert client.post(reverse("documents:restore", args=[internal_doc.pk])).status_code == 404
    assert client.post(reverse("documents:purge", args=[internal_doc.pk])).status_code == 404
    assert KnowledgeDocument.objects.filter(pk=internal_doc.pk, deleted_at=None).exists()


# ---------------------------------------------------------------------------------------------
# CSRF and methods


def test_posts_need_a_csrf_token_and_forms_carry_one(rnd_engineer, internal_doc):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rnd_engineer)
    html = page_text(client.get(reverse("documents:detail", args=[internal_doc.pk])))
    assert html.count("csrfmiddlewaretoken") >= 3  # trash, new version, restore/retry forms
    response = client.post(reverse("documents:trash_document", args=[internal_doc.pk]))
    assert response.status_code == 403
    internal_doc.refresh_from_db()
    assert not internal_doc.in_trash


def test_writes_refuse_get(rnd_engineer, internal_doc):
    response = client_for(rnd_engineer).get(
        reverse("documents:trash_document", args=[internal_doc.pk])
    )
    assert response.status_code == 405
    internal_doc.refresh_from_db()
    assert not internal_doc.in_trash


def test_the_detail_shows_metadata_from_extraction(rnd_engineer, internal_doc):
    KnowledgeDocument.objects.filter(pk=internal_doc.pk).update(
        author="华辰研发中心",
        metadata={"page_count": 12, "created": "2025-03-04T05:06:07Z", "author": "x"},
    )
    response = client_for(rnd_engineer).get(reverse("documents:detail", args=[internal_doc.pk]))
    html = page_text(response)
    assert "华辰研发中心" in html
    assert response.context["meta_pages"] == 12
    assert response.context["meta_created"].year == 2025
    assert "2025" in html


def test_a_category_the_viewer_may_not_see_is_not_named_on_list_or_detail(
    rnd_engineer, agent, rnd_department
):
    hidden = make_category(confidentiality=Confidentiality.DEPARTMENT, departments=[rnd_department])
    hidden.title = "研发专属分类丙"
    hidden.save_revision().publish()
    document = actions.upload_document(
        actor=rnd_engineer,
        uploaded=upload("规范.txt", "内部规范".encode()),
        title=INTERNAL_TITLE,
        category=hidden,
        confidentiality=Confidentiality.INTERNAL,
    )
    for url in (reverse("documents:list"), reverse("documents:detail", args=[document.pk])):
        assert "研发专属分类丙" in page_text(client_for(rnd_engineer).get(url))
        html = page_text(client_for(agent).get(url))
        assert INTERNAL_TITLE in html
        assert "研发专属分类丙" not in html

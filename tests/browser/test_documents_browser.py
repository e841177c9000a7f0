"""Documents in a real headless Chromium: upload, duplicates, extraction, versions, recycle bin,
bulk import with progress, and what a user outside the owning department cannot see.

Celery is eager and the live server commits for real, so each on-commit task (extraction, the
import) runs in the server thread before the response is sent.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest

from tests.browser.conftest import CHROMIUM, log_in, new_page
from tests.documents import samples
from tests.factories import DepartmentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]

GBK_TEXT = "变频器报警代码 E-203 的处理方法：先断电，再检查散热风扇与电源模块。"
GBK_TEXT_V2 = "变频器报警代码 E-204 的处理方法：更换温度传感器后重新上电。"
TXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _docx_bytes(tmp_path) -> bytes:
    return samples.write_docx(tmp_path / "标准草案.docx").read_bytes()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("产品手册/安装指南.txt", "安装指南：先固定底座，再接通电源。")
        archive.writestr("产品手册/常见问题/故障排查.txt", "故障排查：指示灯闪烁表示通信中断。")
        archive.writestr("__MACOSX/产品手册/._安装指南.txt", b"\x00\x05\x16\x07")
    return buffer.getvalue()


def _detail_path(page, pattern) -> str:
    return page.locator(".doc-result-stored", has_text=pattern).locator("a").get_attribute("href")


def _version_labels(page) -> list[str]:
    cells = page.locator(".doc-versions tbody tr td:first-child").all_inner_texts()
    return [cell.split()[0] for cell in cells]


def test_documents_walkthrough(live_server, wagtail_site, browser, tmp_path):
    from django.db.models import Max

    from documents.models import KnowledgeDocument
    from kb.models import CategoryPage
    from permissions.models import Confidentiality
    from permissions.roles import Role

    rnd = DepartmentFactory(name="研发中心", code="rnd")
    service = DepartmentFactory(name="客户服务部", code="service")
    UserFactory(username="engineer", roles=[Role.RND_ENGINEER], departments=[rnd])
    UserFactory(username="agent", roles=[Role.SERVICE_AGENT], departments=[service])
    base = live_server.url
    page = new_page(browser)

    # 1. Two files at once, department-only; then the text file again: a duplicate, stored anyway.
    log_in(page, base, "engineer", "/docs/upload/")
    gbk_txt = _file("报警代码.txt", TXT, GBK_TEXT.encode("gbk"))
    page.set_input_files(
        "input[name=files]", [gbk_txt, _file("标准草案.docx", DOCX, _docx_bytes(tmp_path))]
    )
    page.select_option("select[name=confidentiality]", Confidentiality.DEPARTMENT)
    page.check(f"input[name=owning_departments][value='{rnd.pk}']")
    page.click("form.doc-form button[type=submit]")
    page.wait_for_selector(".doc-results")
    assert page.locator(".doc-result-stored").count() == 2
    assert page.locator(".doc-result").count() == 2
    txt_path = _detail_path(page, "报警代码.txt")
    docx_path = _detail_path(page, "标准草案.docx")
    txt_doc = KnowledgeDocument.objects.get(pk=int(txt_path.strip("/").split("/")[-1]))
    assert txt_doc.confidentiality == Confidentiality.DEPARTMENT
    assert list(txt_doc.owning_departments.all()) == [rnd]

    page.set_input_files("input[name=files]", gbk_txt)
    page.click("form.doc-form button[type=submit]")
    duplicate = page.locator(".doc-result-duplicate")
    duplicate.wait_for()
    assert page.locator(".doc-result-stored").count() == 0
    assert duplicate.locator(f"a[href='{txt_path}']").count() == 1
    duplicate.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/docs/\d+/$"))
    copy_path = page.url.removeprefix(base)
    assert copy_path != txt_path
    assert KnowledgeDocument.objects.filter(checksum=txt_doc.checksum).count() == 2

    # 2. The extraction ran after the upload committed: status extracted, the GBK text decoded.
    page.goto(f"{base}{txt_path}")
    for _attempt in range(10):
        if page.locator(".doc-extraction .doc-status-extracted").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator(".doc-extraction .doc-status-extracted").count() == 1
    assert GBK_TEXT in page.locator(".doc-preview-text").inner_text()
    page.goto(f"{base}{docx_path}")
    assert page.locator(".doc-extraction .doc-status-extracted").count() == 1
    assert samples.BODY in page.locator(".doc-preview-text").inner_text()

    # 3. A new version, then the first one restored as a third.
    page.goto(f"{base}{txt_path}")
    page.set_input_files(
        "form[action$='/versions/new/'] input[type=file]",
        _file("报警代码-v2.txt", TXT, GBK_TEXT_V2.encode("gbk")),
    )
    page.fill("form[action$='/versions/new/'] input[name=comment]", "更新报警代码")
    page.click("form[action$='/versions/new/'] button[type=submit]")
    page.wait_for_url(f"{base}{txt_path}")
    assert _version_labels(page) == ["v2", "v1"]
    assert "更新报警代码" in page.locator(".doc-versions tbody tr").first.inner_text()
    assert GBK_TEXT_V2 in page.locator(".doc-preview-text").inner_text()

    page.click(".doc-versions form[action$='/versions/1/restore/'] button")
    page.wait_for_url(f"{base}{txt_path}")
    assert _version_labels(page) == ["v3", "v2", "v1"]
    assert GBK_TEXT in page.locator(".doc-preview-text").inner_text()
    assert txt_doc.versions.aggregate(last=Max("number"))["last"] == 3

    # 4. The recycle bin: gone from the library, listed in the bin, restored.
    page.goto(f"{base}{docx_path}")
    page.click(f"form[action='{docx_path}trash/'] button")
    page.wait_for_url(f"{base}/docs/")
    assert page.locator(f".doc-table a[href='{docx_path}']").count() == 0
    assert page.locator(f".doc-table a[href='{txt_path}']").count() == 1
    page.goto(f"{base}/docs/trash/")
    restore = page.locator(f"form[action='/docs/trash{docx_path.removeprefix('/docs')}restore/']")
    assert restore.count() == 1
    restore.locator("button").click()
    page.wait_for_url(f"{base}{docx_path}")
    page.goto(f"{base}/docs/")
    assert page.locator(f".doc-table a[href='{docx_path}']").count() == 1
    page.goto(f"{base}/docs/trash/")
    assert page.locator(".doc-table").count() == 0

    # 5. Bulk import of a zip with nested Chinese folders; the progress page reaches the end.
    page.goto(f"{base}/docs/import/")
    page.set_input_files("input[name=archive]", _file("资料.zip", "application/zip", _zip_bytes()))
    page.click("form.doc-form button[type=submit]")
    page.wait_for_url(re.compile(r"/docs/import/\d+/$"))
    progress = page.locator("[data-import-progress]")
    page.wait_for_selector("[data-import-progress][data-finished='true']", timeout=20_000)
    assert page.locator("progress").get_attribute("value") == "100"
    assert progress.locator("[data-field=imported]").inner_text() == "2"
    state = page.request.get(f"{base}{progress.get_attribute('data-progress-url')}").json()
    assert (state["finished"], state["percent"], state["status"]) == (True, 100, "done")
    assert (state["total"], state["imported"], state["errors"]) == (2, 2, 0)
    rows = page.locator(".import-items tbody tr[data-result=imported] .import-path")
    assert sorted(rows.all_inner_texts()) == [
        "产品手册/安装指南.txt",
        "产品手册/常见问题/故障排查.txt",
    ]
    imported_path = page.locator(".import-items a[href^='/docs/']").first.get_attribute("href")

    manual = CategoryPage.objects.get(title="产品手册")
    faq = CategoryPage.objects.get(title="常见问题")
    assert manual.get_parent().specific == wagtail_site
    assert faq.get_parent().pk == manual.pk
    page.goto(f"{base}/docs/")
    page.select_option("select[name=category]", str(faq.pk))
    page.click(".doc-filters button[type=submit]")
    page.wait_for_url(re.compile(r"category="))
    titles = page.locator(".doc-table tbody tr .col-subject a").all_inner_texts()
    assert len(titles) == 1 and "故障排查" in titles[0]
    page.context.close()

    # 6. An agent of another department: the department-only document is neither listed nor there.
    page = new_page(browser)
    log_in(page, base, "agent", "/docs/")
    # Internal ones are listed: the imported files and the copy stored anyway (the form was back
    # to "internal" when the text file was uploaded again).
    assert page.locator(f".doc-table a[href='{imported_path}']").count() == 1
    assert page.locator(f".doc-table a[href='{copy_path}']").count() == 1
    assert page.locator(f".doc-table a[href='{txt_path}']").count() == 0
    assert page.locator(f".doc-table a[href='{docx_path}']").count() == 0
    assert page.goto(f"{base}{txt_path}").status == 404
    assert page.goto(f"{base}{docx_path}download/").status == 404
    page.context.close()

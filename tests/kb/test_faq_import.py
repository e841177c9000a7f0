"""FAQ import: xlsx and CSV in any charset, per-row errors, preview, idempotent import, access."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from kb.faq_import.actions import import_faqs, preview_faq_import
from kb.faq_import.parsing import FaqFileError, parse_faq_file
from kb.faq_import.stash import STASH_DIR
from kb.faq_import.validation import ImportOptions
from kb.models import CategoryPage, FAQPage, KnowledgeHomePage
from permissions.models import AuditEvent, Confidentiality
from permissions.policy import can_view, visible_to

pytestmark = pytest.mark.django_db

ZH_HEADER = ["问题", "答案", "分类", "标签", "其他问法", "适用产品", "密级"]
ZH_ROWS = [
    [
        "如何申请退货？",
        "登录客户门户。\n在订单页点击<退货>按钮。",
        "售后政策/退换货",
        "退货，售后、流程",
        "怎么退货；退货流程是什么",
        "ZK-300",
        "公开",
    ],
    ["保修期多长？", "整机保修两年。", "售后政策", "保修", "", "ZK-300、ZK-500", ""],
    ["内部报价审批流程", "报价超过十万元需要总监审批。", "销售/报价", "", "", "", "内部"],
]


def xlsx_bytes(header, rows, *, title_row=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header, rows, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def options(**values) -> ImportOptions:
    return ImportOptions(**{"create_categories": True, **values})


@pytest.fixture
def after_sales():
    """A published public category 售后政策 under the knowledge home."""
    home = KnowledgeHomePage.objects.first()
    page = CategoryPage(
        title="售后政策", slug="shou-hou-zheng-ce", confidentiality=Confidentiality.PUBLIC
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return CategoryPage.objects.get(pk=page.pk)


def by_row(result) -> dict:
    return {row.number: row for row in result.rows}


# --- reading files --------------------------------------------------------------------------------


def test_xlsx_with_chinese_headers_and_a_title_row_is_read_with_spreadsheet_row_numbers():
    data = xlsx_bytes(ZH_HEADER, [ZH_ROWS[0], [], ZH_ROWS[1]], title_row="常见问题汇总 2024")
    sheet = parse_faq_file(data, "常见问题.xlsx")
    assert sheet.kind == "xlsx"
    assert sheet.header_row == 2
    assert [row.number for row in sheet.rows] == [
        3,
        5,
    ]  # the blank row 4 is skipped, not renumbered
    assert sheet.rows[0].cells["question"] == "如何申请退货？"
    assert sheet.rows[1].cells["products"] == "ZK-300、ZK-500"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_gbk_csv_with_chinese_headers_is_decoded_with_any_delimiter(delimiter):
    data = csv_bytes(ZH_HEADER, ZH_ROWS, encoding="gbk", delimiter=delimiter)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    sheet = parse_faq_file(data, "faq.csv")
    assert sheet.delimiter == delimiter
    assert sheet.encoding.lower().replace("-", "") in {"gb18030", "gbk", "gb2312"}
    assert [row.cells["question"] for row in sheet.rows] == [row[0] for row in ZH_ROWS]
    assert sheet.rows[0].cells["answer"] == "登录客户门户。\n在订单页点击<退货>按钮。"


def test_english_headers_in_any_case_with_bom_and_unknown_columns():
    header = ["QUESTION", "Answer", "category", "Tags", "Alternative questions", "Notes"]
    rows = [
        ["How do I reset the controller?", "Hold the reset key.", "Support > Reset", "", "", ""]
    ]
    data = b"\xef\xbb\xbf" + csv_bytes(header, rows)
    sheet = parse_faq_file(data, "faq.csv")
    assert set(sheet.columns) == {"question", "answer", "category", "tags", "alternatives"}
    assert sheet.ignored == ["Notes"]
    assert sheet.rows[0].cells["category"] == "Support > Reset"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "faq.xlsx"),
        (bytes(range(256)) * 8, "faq.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "faq.xls"),
        (b"PK\x03\x04 not really a zip", "faq.xlsx"),
        (b"", "faq.csv"),
        ("名称,说明\n甲,乙\n".encode(), "faq.csv"),
        (b"%PDF-1.4 whatever", "faq.pdf"),
    ],
)
def test_unreadable_files_raise_a_file_error(data, name):
    with pytest.raises(FaqFileError) as caught:
        parse_faq_file(data, name)
    assert str(caught.value)


# --- checking rows --------------------------------------------------------------------------------


def test_every_row_error_is_reported_with_its_spreadsheet_row_number(
    knowledge_manager, after_sales
):
    existing = FAQPage(
        title="保修期多长？",
        slug="bao-xiu",
        question="保修期多长？",
        answer="<p>两年</p>",
        confidentiality=Confidentiality.PUBLIC,
    )
    after_sales.add_child(instance=existing)
    existing.save_revision().publish()
    header = ["问题", "答案", "分类", "密级"]
    rows = [
        ["", "没有问题的答案", "售后政策", ""],  # 2
        ["没有答案的问题", "", "售后政策", ""],  # 3
        ["长" * 256, "答案", "售后政策", ""],  # 4
        ["密级写错了", "答案", "售后政策", "绝对保密级"],  # 5
        ["分类不存在", "答案", "不存在的分类/子类", ""],  # 6
        ["重复的问题", "答案一", "售后政策", ""],  # 7
        ["", "", "", ""],  # 8: blank, skipped
        ["重复的问题", "答案二", "售后政策", ""],  # 9
        [" 保修期多长？ ", "两年", "售后政策", ""],  # 10: already in the knowledge base
        ["正常的问题", "正常的答案", "售后政策", "internal"],  # 11
    ]
    with translation.override("en"):
        result = preview_faq_import(
            actor=knowledge_manager,
            data=csv_bytes(header, rows),
            filename="faq.csv",
            options=ImportOptions(create_categories=False),
        )
    rows_by_number = by_row(result)
    assert sorted(rows_by_number) == [2, 3, 4, 5, 6, 7, 9, 10, 11]
    statuses = {number: row.status for number, row in rows_by_number.items()}
    assert statuses == {
        2: "error",
        3: "error",
        4: "error",
        5: "error",
        6: "error",
        7: "ok",
        9: "error",
        10: "duplicate",
        11: "ok",
    }
    assert rows_by_number[2].errors == ["The question is missing."]
    assert rows_by_number[3].errors == ["The answer is missing."]
    assert "255" in rows_by_number[4].errors[0]
    assert "绝对保密级" in rows_by_number[5].errors[0]
    assert "不存在的分类 / 子类" in rows_by_number[6].errors[0]
    assert "row 7" in rows_by_number[9].errors[0]
    assert rows_by_number[11].confidentiality == Confidentiality.INTERNAL
    assert result.counts["ok"] == 2


def test_department_rows_need_a_department(knowledge_manager, after_sales, rnd_department):
    header = ["问题", "答案", "分类", "密级", "部门"]
    rows = [
        ["部门级没写部门", "答案", "售后政策", "部门", ""],
        ["部门写错了", "答案", "售后政策", "部门", "不存在的部门"],
        ["研发部门问题", "答案", "售后政策", "部门", "rnd"],
    ]
    result = preview_faq_import(
        actor=knowledge_manager, data=csv_bytes(header, rows), filename="f.csv", options=options()
    )
    assert [row.status for row in result.rows] == ["error", "error", "ok"]
    assert result.rows[2].departments == [rnd_department]


# --- importing ------------------------------------------------------------------------------------


def test_xlsx_import_creates_published_faqs_and_missing_categories(
    knowledge_manager, after_sales, agent
):
    result = import_faqs(
        actor=knowledge_manager,
        data=xlsx_bytes(ZH_HEADER, ZH_ROWS),
        filename="faq.xlsx",
        options=options(),
    )
    assert result.counts["imported"] == 3
    assert result.categories_created == 3  # 售后政策/退换货, 销售, 销售/报价
    returns = FAQPage.objects.get(question="如何申请退货？")
    assert returns.live and returns.owner == knowledge_manager
    assert returns.get_parent().title == "退换货"
    assert returns.get_parent().get_parent().pk == after_sales.pk
    assert returns.answer == "<p>登录客户门户。</p><p>在订单页点击&lt;退货&gt;按钮。</p>"
    assert returns.alternative_questions == "怎么退货\n退货流程是什么"
    assert [product.name for product in returns.products.all()] == ["ZK-300"]
    assert sorted(returns.tags.names()) == ["售后", "流程", "退货"]
    assert returns.get_latest_revision().user == knowledge_manager
    assert result.tagged == 2
    assert result.tags_stored == 4  # 退货, 售后, 流程 on the first FAQ, 保修 on the second
    assert FAQPage.objects.get(question="保修期多长？").tags.names()[0] == "保修"

    anonymous = visible_to(AnonymousUser(), FAQPage.objects.all())
    assert set(anonymous.values_list("question", flat=True)) == {"如何申请退货？", "保修期多长？"}
    # The category created for a public FAQ is public too, so the help centre can list it.
    assert can_view(AnonymousUser(), returns.get_parent().specific)
    internal = FAQPage.objects.get(question="内部报价审批流程")
    assert not can_view(AnonymousUser(), internal)
    assert can_view(agent, internal)

    event = AuditEvent.objects.get(action="faq.import")
    assert event.actor == knowledge_manager
    assert event.extra["created"] == 3
    assert event.extra["errors"] == 0
    assert event.extra["categories_created"] == 3
    assert event.extra["tags_stored"] == 4


def test_department_rows_are_visible_to_their_department_only(
    knowledge_manager, rnd_engineer, agent, rnd_department, customer_user
):
    header = ["问题", "答案", "分类", "密级", "部门"]
    rows = [["液压泵异响排查", "检查进油口。", "研发资料/液压", "部门", "研发中心"]]
    import_faqs(
        actor=knowledge_manager, data=csv_bytes(header, rows), filename="f.csv", options=options()
    )
    page = FAQPage.objects.get(question="液压泵异响排查")
    assert list(page.owning_departments.all()) == [rnd_department]
    for user, expected in [
        (rnd_engineer, True),
        (agent, False),
        (customer_user, False),
        (AnonymousUser(), False),
    ]:
        assert visible_to(user, FAQPage.objects.filter(pk=page.pk)).exists() is expected, user
        assert can_view(user, page) is expected, user
    category = page.get_parent().specific
    assert category.confidentiality == Confidentiality.DEPARTMENT
    assert can_view(rnd_engineer, category) and not can_view(agent, category)


def test_a_category_takes_the_audience_of_its_most_open_row(knowledge_manager):
    header = ["问题", "答案", "分类", "密级"]
    rows = [["内部问题", "答案", "新分类", "内部"], ["公开问题", "答案", "新分类", "公开"]]
    import_faqs(
        actor=knowledge_manager, data=csv_bytes(header, rows), filename="f.csv", options=options()
    )
    category = CategoryPage.objects.get(title="新分类")
    assert category.confidentiality == Confidentiality.PUBLIC
    assert FAQPage.objects.child_of(category).count() == 2


def test_importing_the_same_file_again_creates_nothing(knowledge_manager, after_sales):
    data = csv_bytes(ZH_HEADER, ZH_ROWS, encoding="gbk")
    first = import_faqs(actor=knowledge_manager, data=data, filename="f.csv", options=options())
    assert first.counts["imported"] == 3
    pages, categories = FAQPage.objects.count(), CategoryPage.objects.count()
    second = import_faqs(actor=knowledge_manager, data=data, filename="f.csv", options=options())
    assert second.counts["imported"] == 0
    assert second.counts["duplicate"] == 3
    assert (FAQPage.objects.count(), CategoryPage.objects.count()) == (pages, categories)
    assert AuditEvent.objects.filter(action="faq.import").count() == 2


def test_only_valid_rows_are_imported(knowledge_manager, after_sales):
    header = ["问题", "答案", "分类"]
    rows = [["好问题", "好答案", "售后政策"], ["坏问题", "", "售后政策"]]
    result = import_faqs(
        actor=knowledge_manager, data=csv_bytes(header, rows), filename="f.csv", options=options()
    )
    assert [row.status for row in result.rows] == ["imported", "error"]
    assert list(FAQPage.objects.values_list("question", flat=True)) == ["好问题"]


def test_people_without_the_role_cannot_import(agent, customer_user, rnd_engineer, after_sales):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes(["问题", "答案", "分类"], [["问题", "答案", "售后政策"]])
    for user in (agent, customer_user, rnd_engineer, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            import_faqs(actor=user, data=data, filename="f.csv", options=options())
    assert not FAQPage.objects.exists()


# --- web pages ------------------------------------------------------------------------------------


def upload(client, data, name, **fields):
    return client.post(
        reverse("faq_import:start"),
        {"file": SimpleUploadedFile(name, data), "confidentiality": "public", **fields},
    )


def test_preview_writes_nothing_then_import_writes(
    client, knowledge_manager, after_sales, settings
):
    client.force_login(knowledge_manager)
    assert client.get(reverse("faq_import:start")).status_code == 200
    pages, categories = FAQPage.objects.count(), CategoryPage.objects.count()
    response = upload(client, xlsx_bytes(ZH_HEADER, ZH_ROWS), "faq.xlsx")
    assert response.status_code == 302
    preview_url = response.url
    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    # Without "create missing categories" the rows in 售后政策/退换货 and 销售/报价 are errors.
    assert 'data-row="2" data-status="error"' in html
    assert 'data-row="3" data-status="ok"' in html
    assert 'data-row="4" data-status="error"' in html
    assert (FAQPage.objects.count(), CategoryPage.objects.count()) == (pages, categories)
    assert not AuditEvent.objects.filter(action="faq.import").exists()

    response = client.post(preview_url, {"action": "create_categories"})
    assert response.status_code == 302
    html = client.get(preview_url).content.decode()
    assert 'data-row="2" data-status="ok"' in html
    assert (FAQPage.objects.count(), CategoryPage.objects.count()) == (pages, categories)

    response = client.post(preview_url, {"action": "import"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-row="2" data-status="imported"' in html
    assert '<dd data-count="tags">4</dd>' in html
    assert FAQPage.objects.count() == pages + 3
    assert not any((Path(settings.MEDIA_ROOT) / STASH_DIR).rglob("*.json"))
    # The preview is gone once imported: a second post does nothing.
    response = client.post(preview_url, {"action": "import"})
    assert response.status_code == 302
    assert FAQPage.objects.count() == pages + 3


def test_a_malformed_upload_is_reported_on_the_form(client, knowledge_manager):
    client.force_login(knowledge_manager)
    for data, name in [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "faq.xlsx"),
        (bytes(range(256)) * 8, "faq.csv"),
        (b"\x00\x01\x02garbage", "faq.docx"),
    ]:
        response = upload(client, data, name)
        assert response.status_code == 200, name
        assert 'class="field-error"' in response.content.decode(), name
    assert not FAQPage.objects.exists()


def test_only_knowledge_managers_and_administrators_reach_the_pages(
    client, knowledge_manager, administrator, agent, customer_user, rnd_engineer
):
    start = reverse("faq_import:start")
    assert client.get(start).status_code == 302  # anonymous: to the login page
    for user in (agent, customer_user, rnd_engineer):
        client.force_login(user)
        assert client.get(start).status_code == 403, user
        assert upload(client, csv_bytes(["问题", "答案"], [["q", "a"]]), "f.csv").status_code == 403
    client.force_login(administrator)
    assert client.get(start).status_code == 200

    # Another user's preview token leads nowhere, even for an importer.
    client.force_login(knowledge_manager)
    preview_url = upload(client, csv_bytes(["问题", "答案"], [["q", "a"]]), "f.csv").url
    client.force_login(agent)
    assert client.get(preview_url).status_code == 403
    assert client.post(preview_url, {"action": "import"}).status_code == 403
    client.force_login(administrator)
    assert client.get(preview_url).status_code == 302  # not theirs: "expired", back to the form
    assert client.get("/kb/faq-import/..%2F..%2Fetc/").status_code in (302, 404)
    assert not FAQPage.objects.exists()


# --- command --------------------------------------------------------------------------------------


def test_command_imports_and_exits_1_on_row_errors(knowledge_manager, after_sales, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes(ZH_HEADER, ZH_ROWS))
    out = io.StringIO()
    call_command(
        "import_faqs", str(good), "--user", "km", "--dry-run", "--create-categories", stdout=out
    )
    assert not FAQPage.objects.exists()
    assert out.getvalue().count("\n") == 4  # three rows and a summary
    # Without creating categories two rows fail: a dry run still prints every row, and fails.
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_faqs", str(good), "--user", "km", "--dry-run", stdout=out)
    assert out.getvalue().count("\n") == 4
    assert not FAQPage.objects.exists() and not CategoryPage.objects.filter(title="销售").exists()

    out = io.StringIO()
    call_command("import_faqs", str(good), "--user", "km", "--create-categories", stdout=out)
    assert FAQPage.objects.count() == 3
    assert gettext("%(count)s tags stored.") % {"count": 4} in out.getvalue()
    call_command("import_faqs", str(good), "--user", "km", "--create-categories", stdout=out)
    assert FAQPage.objects.count() == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["问题", "答案", "分类"], [["新问题", "", "售后政策"]]))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_faqs", str(bad), "--user", "km", stdout=out)
    assert caught.value.returncode == 1
    assert "2" in out.getvalue()  # the row number is printed

    with pytest.raises(CommandError):
        call_command("import_faqs", str(good), "--user", "nobody")

"""What readers see of each page type: tags, products, attachments, related items, case details,
the staff panel and the help centre home, each filtered by the permission policy."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from documents.models import ExtractionStatus, KnowledgeDocument
from kb.models import PageAttachment, PageRelation, Product
from permissions.models import Confidentiality
from tests.factories import TicketFactory
from tests.kb.test_page_matrix import build_page, home_page

pytestmark = pytest.mark.django_db

P, CU, INT, D, C = (
    Confidentiality.PUBLIC,
    Confidentiality.CUSTOMERS,
    Confidentiality.INTERNAL,
    Confidentiality.DEPARTMENT,
    Confidentiality.CONFIDENTIAL,
)


@pytest.fixture
def category():
    return build_page("category", home_page(), title="售后服务")


def get_html(client, page, user=None) -> str:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, marker: str) -> str:
    """Return the HTML from `marker` to the end of its section ("" when absent)."""
    start = html.find(marker)
    if start == -1:
        return ""
    end = html.find("</section>", start)
    return html[start:end]


def attach(page, *documents):
    for order, document in enumerate(documents):
        PageAttachment.objects.create(page=page, document=document, sort_order=order)


def document(title, level=P, **fields):
    doc = KnowledgeDocument(
        title=title, file=ContentFile(b"zhiku", name="manual.pdf"), confidentiality=level, **fields
    )
    doc.save()
    return doc


# --- Tags and products --------------------------------------------------------------------------


def test_tags_are_shown_and_linked_to_their_pages(client, category):
    page = build_page("article", category, title="滤芯更换", tags=["滤芯", "保养"])
    html = get_html(client, page)
    tags = html[html.index('class="tag-list"') :]
    tags = tags[: tags.index("</ul>")]
    assert "滤芯" in tags and "保养" in tags
    for tag in page.tags.all():
        assert f'href="{reverse("kb:tag", args=[tag.slug])}"' in tags


def test_faq_lists_its_products(client, category):
    x200 = Product.objects.create(name="X200 净水器", code="X200")
    Product.objects.create(name="未关联产品")
    page = build_page("faq", category, title="X200 怎么复位", m2m={"products": [x200]})
    html = get_html(client, page)
    applies = html[html.index('class="applies-to"') :]
    applies = applies[: applies.index("</p>")]
    assert "X200 净水器 (X200)" in applies and "未关联产品" not in applies
    assert f'href="{reverse("kb:product", args=[x200.pk])}"' in applies


# --- Attachments --------------------------------------------------------------------------------


def test_attachments_only_those_the_reader_may_see(
    client, category, rnd_department, rnd_engineer, agent, customer_user
):
    page = build_page("article", category, title="安装手册")
    manual = document("公开安装手册")
    internal = document("内部接线图", INT)
    secret = document("研发测试报告", C)
    secret.allowed_users.set([rnd_engineer])
    secret.save()  # a parental many-to-many is written on save
    attach(page, manual, internal, secret)

    html = get_html(client, page)
    assert "公开安装手册" in html and "内部接线图" not in html and "研发测试报告" not in html
    assert reverse("documents:detail", args=[manual.pk]) in html
    assert reverse("documents:download", args=[manual.pk]) in html
    assert reverse("documents:detail", args=[internal.pk]) not in html

    html = get_html(client, page, customer_user)
    assert "内部接线图" not in html and "研发测试报告" not in html

    html = get_html(client, page, agent)
    assert "内部接线图" in html and "研发测试报告" not in html
    assert reverse("documents:download", args=[secret.pk]) not in html

    html = get_html(client, page, rnd_engineer)
    assert "研发测试报告" in html


def test_a_document_in_the_recycle_bin_is_not_listed(client, category, agent):
    page = build_page("faq", category, title="回收站文档")
    attach(page, document("已删除的说明书", deleted_at=timezone.now()))
    assert "已删除的说明书" not in get_html(client, page, agent)


# --- Related items ------------------------------------------------------------------------------


def test_chosen_related_items_come_first_and_only_visible_ones(client, category, agent):
    page = build_page("article", category, title="净水器安装")
    chosen_faq = build_page("faq", category, title="安装需要多久")
    chosen_internal = build_page("case", category, title="安装事故复盘", level=INT)
    build_page("article", category, title="净水器安装注意事项")  # an automatic suggestion
    PageRelation.objects.create(page=page, target=chosen_faq, sort_order=1)
    PageRelation.objects.create(page=page, target=chosen_internal, sort_order=0)

    related = section(get_html(client, page), 'id="related-pages-heading"')
    assert "安装需要多久" in related and "净水器安装注意事项" in related
    assert "安装事故复盘" not in related
    assert related.index("安装需要多久") < related.index("净水器安装注意事项")

    related = section(get_html(client, page, agent), 'id="related-pages-heading"')
    assert related.index("安装事故复盘") < related.index("安装需要多久")


def test_a_chosen_related_item_that_is_unpublished_is_left_out(client, category):
    page = build_page("faq", category, title="如何预约上门")
    draft = build_page("article", category, title="上门服务草稿", publish=False)
    PageRelation.objects.create(page=page, target=draft)
    assert "上门服务草稿" not in get_html(client, page)


# --- Case histories -----------------------------------------------------------------------------


@pytest.fixture
def case(category, portal_account):  # noqa: F811
    ticket = TicketFactory(customer=portal_account, subject="净水器漏水报修", number="T-0042")
    return build_page(
        "case",
        category,
        title="漏水案例",
        customer=portal_account,
        m2m={"tickets": [ticket]},
    )


def test_case_customer_name_only_for_service_staff_and_that_customer(
    client,
    case,
    customer_user,
    other_customer_user,  # noqa: F811
    agent,
    rnd_engineer,
    knowledge_manager,
):
    name = "甲方科技有限公司"
    assert name not in get_html(client, case)
    assert name not in get_html(client, case, other_customer_user)
    assert name not in get_html(client, case, rnd_engineer)  # staff, but no customer records
    assert name in get_html(client, case, customer_user)
    assert name in get_html(client, case, agent)
    assert name in get_html(client, case, knowledge_manager)


def test_linked_tickets_only_for_service_staff(
    client, case, customer_user, rnd_engineer, trainer, agent
):
    for reader in (None, customer_user, rnd_engineer, trainer):
        html = get_html(client, case, reader)
        assert "T-0042" not in html and "净水器漏水报修" not in html
        assert 'id="tickets-heading"' not in html
    html = get_html(client, case, agent)
    assert "T-0042" in html and "净水器漏水报修" in html


# --- The staff panel ----------------------------------------------------------------------------


def staff_panel(html: str) -> str:
    return section(html, 'id="staff-panel"')


def test_staff_panel_is_for_staff_and_customers_get_only_the_favourite_button(
    client, category, customer_user, agent
):
    page = build_page("article", category, title="公开文章")
    html = get_html(client, page)
    assert staff_panel(html) == "" and 'id="page-favourite"' not in html
    html = get_html(client, page, customer_user)
    assert staff_panel(html) == "" and 'id="page-favourite"' in html
    html = get_html(client, page, agent)
    assert 'id="page-favourite"' in staff_panel(html)


def test_staff_panel_shows_versions_owner_departments_and_review(
    client, category, rnd_department, rnd_engineer, agent
):
    page = build_page(
        "article",
        category,
        title="研发规范",
        level=D,
        departments=[rnd_department],
        owner=rnd_engineer,
        review_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    page.save_revision(user=rnd_engineer).publish()
    panel = staff_panel(get_html(client, page, rnd_engineer))
    assert re.search(r'class="staff-version">\s*2 ', panel)
    assert str(rnd_engineer) in panel  # owner and author of the latest version
    assert "研发中心" in panel
    assert 'class="review-overdue"' in panel
    assert "review-state-live" in panel

    page.review_date = timezone.localdate() + datetime.timedelta(days=30)
    page.save_revision(user=rnd_engineer).publish()
    page.title = "研发规范（修订中）"
    page.save_revision(user=rnd_engineer)  # a draft on top of the live version
    panel = staff_panel(get_html(client, page, rnd_engineer))
    assert 'class="review-overdue"' not in panel
    assert "review-state-draft" in panel
    assert re.search(r'class="staff-version">\s*4 ', panel)


def test_staff_panel_names_the_current_moderation_task(client, category, knowledge_manager):
    task = GroupApprovalTask.objects.create(name="部门审核")
    workflow = Workflow.objects.create(name="测试审核流程")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    page = build_page("faq", category, title="待审核问题")
    page.save_revision(user=knowledge_manager)
    workflow.start(page, knowledge_manager)
    panel = staff_panel(get_html(client, page, knowledge_manager))
    assert "review-state-moderation" in panel and "部门审核" in panel


def test_edit_link_only_for_those_who_may_edit(
    client, category, rnd_engineer, agent, knowledge_manager
):
    page = build_page("article", category, title="可编辑文章", level=INT, owner=rnd_engineer)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert edit_url in staff_panel(get_html(client, page, rnd_engineer))  # the owner
    assert edit_url in staff_panel(get_html(client, page, knowledge_manager))
    assert edit_url not in get_html(client, page, agent)


def test_staff_panel_shows_extraction_status_of_visible_attachments(
    client, category, agent, customer_user
):
    page = build_page("article", category, title="带附件的文章")
    attach(
        page,
        document(
            "扫描版说明书",
            extraction_status=ExtractionStatus.FAILED,
            extraction_error="no text: OCR unavailable",
        ),
        document("机密附件", C),
    )
    panel = staff_panel(get_html(client, page, agent))
    assert "扫描版说明书" in panel and "doc-status-failed" in panel
    assert "OCR unavailable" in panel
    assert "机密附件" not in panel
    assert "doc-status-failed" not in get_html(client, page, customer_user)


# --- The help centre home and category pages ---------------------------------------------------


def card_counts(html: str) -> dict:
    return {
        int(pk): int(count)
        for pk, count in re.findall(
            r'data-category="(\d+)".*?data-count="(\d+)"', html, flags=re.DOTALL
        )
    }


def test_home_counts_only_items_the_viewer_may_see(
    client, category, rnd_department, rnd_engineer, customer_user
):
    sub = build_page("category", category, title="子分类")
    build_page("article", category, title="公开文章一")
    build_page("faq", sub, title="公开问题一")
    build_page("article", sub, title="内部文章", level=INT)
    build_page("case", sub, level=D, departments=[rnd_department])
    build_page("article", category, title="草稿", publish=False)
    secret = build_page("category", home_page(), title="机密分类", level=C)
    build_page("article", secret, level=C)

    assert card_counts(get_html(client, home_page())) == {category.pk: 2}
    assert card_counts(get_html(client, home_page(), customer_user)) == {category.pk: 2}
    assert card_counts(get_html(client, home_page(), rnd_engineer)) == {category.pk: 4}
    # The category page counts its subcategories the same way.
    assert card_counts(get_html(client, category)) == {sub.pk: 1}
    assert card_counts(get_html(client, category, rnd_engineer)) == {sub.pk: 3}


def test_hidden_subcategory_is_not_listed(client, category, agent, customer_user):
    build_page("category", category, title="内部子分类", level=INT)
    assert "内部子分类" not in get_html(client, category, customer_user)
    assert "内部子分类" in get_html(client, category, agent)


def test_for_your_company_shows_content_written_for_the_customer(
    client,
    category,
    customer_user,
    other_customer_user,  # noqa: F811
    portal_account,  # noqa: F811
    agent,
):
    build_page("article", category, title="甲方专属维护计划", level=CU, customers=[portal_account])
    build_page("faq", category, title="所有人都能看的问题")
    own = section(get_html(client, home_page(), customer_user), 'id="company-heading"')
    assert "甲方专属维护计划" in own and "所有人都能看的问题" not in own

    other = get_html(client, home_page(), other_customer_user)
    assert 'id="company-heading"' not in other and "甲方专属维护计划" not in other
    assert 'id="company-heading"' not in get_html(client, home_page(), agent)
    assert 'id="company-heading"' not in get_html(client, home_page())


def test_structured_items_are_listed_in_their_category(client, category, agent):
    build_page("structured", category, title="E01 故障记录", level=INT)
    assert "E01 故障记录" not in get_html(client, category)
    assert "E01 故障记录" in get_html(client, category, agent)

"""Each indexable model becomes a search record: fields, live content only, audience tokens."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.models import ExtractionStatus, KnowledgeDocument
from kb.models import PageAttachment, Product
from kb.trash.actions import trash_page
from permissions.models import Confidentiality
from permissions.policy import audience_terms, can_view, item_audience
from search.records import key_for, source_for_model
from tests.factories import ContactFactory, CustomerFactory, TicketFactory, UserFactory
from tests.kb.test_page_matrix import build_page, home_page

pytestmark = pytest.mark.django_db

P, CU, INT, D, C = (
    Confidentiality.PUBLIC,
    Confidentiality.CUSTOMERS,
    Confidentiality.INTERNAL,
    Confidentiality.DEPARTMENT,
    Confidentiality.CONFIDENTIAL,
)


def record_of(obj):
    """Load `obj` the way the drain does (through its source) and return its record."""
    source = source_for_model(type(obj))
    loaded = list(source.get_queryset().filter(pk=obj.pk))
    if not loaded:
        return None
    [(key, record)] = list(source.records(loaded))
    assert key == key_for(obj)
    return record


def make_document(title, level=P, text="", owner=None, **fields):
    doc = KnowledgeDocument(
        title=title,
        file=ContentFile(b"zhiku", name="manual.pdf"),
        confidentiality=level,
        extracted_text=text,
        extraction_status=ExtractionStatus.EXTRACTED if text else ExtractionStatus.PENDING,
        uploaded_by_user=owner,
        **fields,
    )
    doc.save()
    return doc


def attach(page, *documents):
    for order, document in enumerate(documents):
        PageAttachment.objects.create(page=page, document=document, sort_order=order)


def assert_audience(record, obj):
    audience = item_audience(obj)
    assert set(record.read) == set(audience.read)
    assert set(record.restrict) == set(audience.restrict)


@pytest.fixture
def category():
    return build_page("category", home_page(), title="售后服务")


# --- Pages --------------------------------------------------------------------------------------


def test_faq_record_holds_question_phrasings_answer_and_context(category, rnd_department):
    product = Product.objects.create(name="A3-200 发动机")
    sub = build_page("category", category, title="发动机")
    faq = build_page(
        "faq",
        sub,
        title="发动机异响怎么办",
        question="发动机有异响",
        alternative_questions="引擎有噪音\n\n发动机异响怎么办",
        answer="<p>检查<b>皮带</b>张紧度&amp;润滑。</p>",
        summary="异响排查",
        departments=[rnd_department],
        tags=["异响", "发动机"],
        m2m={"products": [product]},
    )

    record = record_of(faq)

    assert record.type == "faq"
    assert record.key == f"kb.faqpage:{faq.pk}"
    assert record.title == "发动机异响怎么办"
    assert record.url == faq.url and record.url.startswith("/")
    assert "检查皮带张紧度&润滑。" in record.body and "<" not in record.body
    assert "异响排查" in record.body
    assert record.alternatives == ["发动机有异响", "引擎有噪音"]
    assert sorted(record.tags) == ["发动机", "异响"]
    assert record.category_ids == [home_page().pk, category.pk, sub.pk]
    assert record.category_path == ["售后服务", "发动机"]
    assert record.departments == [rnd_department.pk]
    assert record.language == "zh-hans"
    assert record.created_at == faq.first_published_at
    assert record.updated_at == faq.last_published_at
    assert record.extra == {"products": ["A3-200 发动机"]}
    assert_audience(record, faq)


def test_record_holds_the_live_content_not_a_later_draft(category):
    faq = build_page("faq", category, title="已发布的问题")
    draft = faq.get_latest_revision_as_object()
    draft.title = "草稿里的新标题"
    draft.save_revision()

    assert record_of(faq).title == "已发布的问题"


def test_unpublished_draft_and_binned_pages_have_no_record(category, knowledge_manager):
    draft = build_page("article", category, publish=False)
    live = build_page("article", category)
    unpublished = build_page("article", category)
    unpublished.unpublish()
    source = source_for_model(type(live))

    assert source.to_record(draft) is None
    assert record_of(live) is not None
    assert source.to_record(type(unpublished).objects.get(pk=unpublished.pk)) is None

    trash_page(actor=knowledge_manager, page=live)
    binned = type(live).objects.get(pk=live.pk)
    assert source.to_record(binned) is None
    assert record_of(binned) is None


def test_article_body_is_the_text_of_its_blocks(category):
    article = build_page(
        "article",
        category,
        title="保养手册",
        body=[
            ("heading", "定期保养"),
            ("paragraph", "<p>每<i>五千</i>公里更换机油。</p>"),
            ("callout", {"kind": "warning", "text": "<p>高温勿开盖</p>"}),
            ("code", {"language": "bash", "code": "reset --all"}),
        ],
    )

    record = record_of(article)

    assert record.type == "article"
    for text in ("定期保养", "每五千公里更换机油。", "高温勿开盖", "reset --all"):
        assert text in record.body
    assert "warning" not in record.body and "bash" not in record.body


def test_case_record_names_its_customer_for_the_filter(category):
    customer = CustomerFactory(name="甲方科技")
    product = Product.objects.create(name="B7 变速箱")
    case = build_page(
        "case",
        category,
        title="换挡冲击",
        symptom="<p>换挡时冲击明显</p>",
        cause="<p>阀体磨损</p>",
        resolution="<p>更换阀体</p>",
        outcome="客户满意",
        customer=customer,
        product=product,
    )

    record = record_of(case)

    assert record.type == "case"
    for text in ("换挡时冲击明显", "阀体磨损", "更换阀体", "客户满意"):
        assert text in record.body
    assert record.customers == [customer.pk]
    assert record.extra == {"product": "B7 变速箱", "outcome": "客户满意"}


def test_structured_record_includes_the_field_values(category):
    item = build_page("structured", category, title="故障 E01", level=INT)

    record = record_of(item)

    assert record.type == "structured"
    assert "E01" in record.body and item.data_text in record.body
    assert record.extra == {"template": "故障记录"}
    assert_audience(record, item)


def test_attachments_only_when_every_viewer_of_the_page_may_read_them(
    category, rnd_engineer, rnd_department
):
    faq = build_page("faq", category, title="附件测试", level=INT)
    public = make_document("公开手册", P, text="公开手册里的冷却液说明")
    internal = make_document("内部规范", INT, text="内部规范的扭矩表", owner=rnd_engineer)
    department = make_document("部门资料", D, text="部门机密参数")
    department.owning_departments.set([rnd_department])
    department.save()
    binned = make_document("已删除", P, text="回收站里的文字", deleted_at=timezone.now())
    not_extracted = make_document("未提取", P)
    attach(faq, public, internal, department, binned, not_extracted)

    record = record_of(faq)

    assert "公开手册里的冷却液说明" in record.attachments
    assert "内部规范的扭矩表" in record.attachments
    assert "部门机密参数" not in record.attachments
    assert "回收站里的文字" not in record.attachments


def test_attachment_owned_by_a_page_owner_who_may_not_read_it_is_left_out(category):
    outsider = UserFactory(username="former-staff")  # no staff role: cannot read internal items
    faq = build_page("faq", category, title="属主测试", level=INT)
    type(faq).objects.filter(pk=faq.pk).update(owner=outsider)
    attach(faq, make_document("内部", INT, text="仅限员工的内容"))

    assert "仅限员工的内容" not in record_of(faq).attachments


def test_attachment_text_is_capped(category, monkeypatch):
    from kb import search_records

    monkeypatch.setattr(search_records, "MAX_ATTACHMENT_CHARS", 50)
    faq = build_page("faq", category, title="很长")
    attach(faq, make_document("一", P, text="甲" * 40), make_document("二", P, text="乙" * 40))

    assert len(record_of(faq).attachments) <= 50


def test_bulk_records_use_a_bounded_number_of_queries_per_page(category, rnd_department):
    """A rebuild of thousands of pages must not cost ten queries a page."""
    source = None

    def build(n):
        for i in range(n):
            page = build_page(
                "faq", category, title=f"问题{i}", tags=["标签"], departments=[rnd_department]
            )
            attach(page, make_document(f"附件{i}", P, text="附件文字"))
        return source_for_model(type(page))

    def queries(source):
        with CaptureQueriesContext(connection) as captured:
            records = list(source.records(source.get_queryset()))
        return len(captured), len(records)

    source = build(5)
    small, n_small = queries(source)
    build(20)
    large, n_large = queries(source)

    per_page = (large - small) / (n_large - n_small)
    assert per_page <= 3, (small, large, per_page)


# --- Documents ----------------------------------------------------------------------------------


def test_document_record(category, rnd_department):
    doc = make_document(
        "液压系统维修手册",
        D,
        text="液压泵的维修步骤",
        description="适用于 A3 系列",
        author="张工",
        category=category,
    )
    doc.owning_departments.set([rnd_department])
    doc.tags.add("液压")
    doc.save()  # ParentalManyToManyField: the set is written with the cluster

    record = record_of(doc)

    assert record.type == "document"
    assert record.key == f"documents.knowledgedocument:{doc.pk}"
    assert record.title == "液压系统维修手册"
    assert "液压泵的维修步骤" in record.body and "适用于 A3 系列" in record.body
    assert record.url == f"/docs/{doc.pk}/"
    assert record.tags == ["液压"]
    assert record.departments == [rnd_department.pk]
    assert record.category_ids == [home_page().pk, category.pk]
    assert record.category_path == ["售后服务"]
    assert record.extra["file_type"] == "pdf" and record.extra["author"] == "张工"
    assert_audience(record, doc)


def test_document_in_the_recycle_bin_has_no_record():
    doc = make_document("旧文档", P, text="旧", deleted_at=timezone.now())
    source = source_for_model(KnowledgeDocument)

    assert source.to_record(doc) is None
    assert record_of(doc) is None


def test_document_change_refreshes_the_pages_that_attach_it(category):
    faq = build_page("faq", category)
    doc = make_document("手册", P, text="文字")
    attach(faq, doc)

    related = set(source_for_model(KnowledgeDocument).related_keys(doc))

    assert related == {("kb.faqpage", str(faq.pk))}


# --- Customers and tickets ----------------------------------------------------------------------


def test_customer_record_leaves_out_private_fields():
    customer = CustomerFactory(
        name="甲方科技有限公司",
        industry="汽车",
        region="上海",
        address="秘密路 1 号",
        family_notes="家庭情况",
    )
    ContactFactory(customer=customer, name="李经理", title="采购")

    record = record_of(customer)

    assert record.type == "customer"
    assert record.title == "甲方科技有限公司"
    assert "汽车" in record.body and "李经理" in record.body
    assert "秘密路" not in record.body and "家庭情况" not in record.body
    assert record.customers == [customer.pk]


def test_ticket_record():
    ticket = TicketFactory(subject="屏幕不亮", description="开机后黑屏", customer__name="乙方制造")

    record = record_of(ticket)

    assert record.type == "ticket"
    assert record.title == "屏幕不亮"
    assert (
        ticket.number in record.body and "开机后黑屏" in record.body and "乙方制造" in record.body
    )
    assert record.customers == [ticket.customer_id]
    assert record.extra["status"] == ticket.status
    assert set(source_for_model(type(ticket.customer)).related_keys(ticket.customer)) == {
        ("tickets.ticket", ticket.pk)
    }


@pytest.fixture
def service_viewers(agent, knowledge_manager, rnd_engineer, customer_user, administrator):
    from django.contrib.auth.models import AnonymousUser

    customer = CustomerFactory(name="甲方")
    customer.portal_users.add(customer_user)
    other_portal = UserFactory(username="other-portal")
    CustomerFactory(name="乙方").portal_users.add(other_portal)
    viewers = {
        "agent": agent,
        "knowledge_manager": knowledge_manager,
        "rnd_engineer": rnd_engineer,
        "portal_user": customer_user,
        "other_portal_user": other_portal,
        "anonymous": AnonymousUser(),
        "administrator": administrator,
    }
    return customer, viewers


def test_customer_and_ticket_tokens_match_can_view_for_every_role(service_viewers):
    customer, viewers = service_viewers
    ticket = TicketFactory(customer=customer)
    expected_visible = {"agent", "knowledge_manager", "portal_user", "administrator"}

    for obj in (customer, ticket):
        record = record_of(obj)
        for name, viewer in viewers.items():
            terms = set(audience_terms(viewer))
            token_match = bool(terms & set(record.read)) and bool(terms & set(record.restrict))
            assert token_match == can_view(viewer, obj), (obj, name)
            assert token_match == (name in expected_visible), (obj, name)

"""Reader pages of tags and products show only the knowledge the viewer may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb.models import CaseHistoryPage, FAQPage, Product
from permissions.models import Confidentiality
from tests.permissions.conftest import _protection, make_article, make_category

pytestmark = pytest.mark.django_db


def tag_url(slug):
    return reverse("kb:tag", args=(slug,))


def product_url(product):
    return reverse("kb:product", args=(product.pk,))


def make_faq(parent, title, *, tags=(), products=(), **protection):
    faq = FAQPage(title=title, slug=f"faq-{FAQPage.objects.count()}", question=title)
    faq.answer = "<p>答案</p>"
    _protection(faq, **protection)
    faq.products = list(products)
    if tags:
        faq.tags.add(*tags)
    parent.add_child(instance=faq)
    faq.save_revision().publish()
    return FAQPage.objects.get(pk=faq.pk)


def make_case(parent, title, *, product, **protection):
    case = CaseHistoryPage(
        title=title,
        slug=f"case-{CaseHistoryPage.objects.count()}",
        symptom="<p>症状</p>",
        resolution="<p>处理</p>",
        product=product,
    )
    _protection(case, **protection)
    parent.add_child(instance=case)
    case.save_revision().publish()
    return CaseHistoryPage.objects.get(pk=case.pk)


@pytest.fixture
def tagged(rnd_engineer):
    """退货 on a public FAQ and an internal article; 绝密项目 only on a confidential FAQ."""
    category = make_category()
    make_faq(category, "如何申请退货", tags=["退货"], confidentiality=Confidentiality.PUBLIC)
    article = make_article(category, confidentiality=Confidentiality.INTERNAL)
    article.title = "内部退货流程"
    article.tags.add("退货")
    article.save_revision().publish()
    make_faq(
        category,
        "绝密项目的问题",
        tags=["绝密项目"],
        confidentiality=Confidentiality.CONFIDENTIAL,
        users=[rnd_engineer],
    )
    draft = make_faq(
        category, "未发布的退货问题", tags=["退货"], confidentiality=Confidentiality.PUBLIC
    )
    draft.unpublish()


def test_tag_page_lists_what_each_viewer_may_see(client, tagged, agent):
    html = client.get(tag_url("退货")).content.decode()
    assert "如何申请退货" in html
    assert "内部退货流程" not in html and "未发布的退货问题" not in html
    assert client.get(tag_url("退货")).context["page_obj"].paginator.count == 1

    client.force_login(agent)
    response = client.get(tag_url("退货"))
    assert "如何申请退货" in response.content.decode()
    assert "内部退货流程" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 2


@pytest.mark.parametrize("user_fixture", [None, "customer_user", "agent", "knowledge_manager"])
def test_a_tag_used_only_on_hidden_pages_is_404(client, tagged, request, user_fixture):
    if user_fixture is not None:
        client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(tag_url("绝密项目"))
    assert response.status_code == 404
    assert "绝密项目" not in response.content.decode()


def test_the_allowed_user_sees_the_confidential_tag(client, tagged, rnd_engineer):
    client.force_login(rnd_engineer)
    response = client.get(tag_url("绝密项目"))
    assert response.status_code == 200
    assert "绝密项目的问题" in response.content.decode()


def test_unknown_tag_is_404(client, tagged):
    assert client.get(tag_url("没有这个标签")).status_code == 404


@pytest.fixture
def lock(rnd_engineer):
    """A product with a public FAQ, an internal case and a confidential FAQ."""
    product = Product.objects.create(name="智能门锁", code="ZK-300")
    category = make_category()
    make_faq(category, "门锁怎么重置", products=[product], confidentiality=Confidentiality.PUBLIC)
    make_case(
        category, "门锁批量失灵案例", product=product, confidentiality=Confidentiality.INTERNAL
    )
    make_faq(
        category,
        "门锁机密缺陷",
        products=[product],
        confidentiality=Confidentiality.CONFIDENTIAL,
        users=[rnd_engineer],
    )
    return product


def test_product_page_lists_faqs_and_cases_through_the_policy(client, lock, agent, rnd_engineer):
    html = client.get(product_url(lock)).content.decode()
    assert "门锁怎么重置" in html
    assert "门锁批量失灵案例" not in html and "门锁机密缺陷" not in html

    client.force_login(agent)
    html = client.get(product_url(lock)).content.decode()
    assert "门锁怎么重置" in html and "门锁批量失灵案例" in html
    assert "门锁机密缺陷" not in html

    client.force_login(rnd_engineer)
    assert "门锁机密缺陷" in client.get(product_url(lock)).content.decode()


def test_a_product_outsiders_see_nothing_of_is_404_for_them(client, lock, agent, customer_user):
    secret = Product.objects.create(name="未发布的新品")
    make_case(
        make_category(),
        "新品试产问题",
        product=secret,
        confidentiality=Confidentiality.INTERNAL,
    )
    for user in (None, customer_user):
        if user is not None:
            client.force_login(user)
        response = client.get(product_url(secret))
        assert response.status_code == 404
        assert "未发布的新品" not in response.content.decode()
    client.force_login(agent)
    assert "新品试产问题" in client.get(product_url(secret)).content.decode()
    assert client.get(reverse("kb:product", args=(99999,))).status_code == 404

"""The site shell: layout, navigation by role, language switch, page templates, search, tickets."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from customers.tickets.models import Ticket
from kb.models import (
    ArticlePage,
    CaseHistoryPage,
    CategoryPage,
    FAQPage,
    KnowledgeHomePage,
    Product,
)
from permissions.models import Confidentiality
from search.indexing import drain_outbox
from tests.factories import CustomerFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def publish(parent, page, *, departments=()):
    """Add `page` under `parent`, set its owning departments, and publish a revision."""
    parent.add_child(instance=page)
    if departments:
        page.owning_departments.set(departments)
        page.save()
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def home():
    return KnowledgeHomePage.objects.first()


@pytest.fixture
def kb_pages(home, rnd_department):
    category = publish(
        home,
        CategoryPage(
            title="安装与调试", slug="setup", summary="设备安装指南", confidentiality="public"
        ),
    )
    public_article = publish(
        category,
        ArticlePage(
            title="如何更换滤芯",
            slug="filter",
            summary="三步完成滤芯更换",
            confidentiality=Confidentiality.PUBLIC,
            body=[
                ("heading", "准备工具"),
                ("paragraph", "<p>关闭电源后再操作。</p>"),
                ("callout", {"kind": "warning", "text": "<p>请勿带电操作</p>"}),
                ("code", {"language": "bash", "code": "reset --all"}),
            ],
        ),
    )
    internal_article = publish(
        category,
        ArticlePage(
            title="内部排障手册甲",
            slug="internal-troubleshooting",
            summary="客服内部使用的排障步骤",
            confidentiality=Confidentiality.INTERNAL,
        ),
    )
    department_article = publish(
        category,
        ArticlePage(
            title="研发测试报告乙",
            slug="rnd-report",
            summary="只给研发中心",
            confidentiality=Confidentiality.DEPARTMENT,
        ),
        departments=[rnd_department],
    )
    faq = publish(
        category,
        FAQPage(
            title="滤芯多久换一次",
            slug="filter-faq",
            question="滤芯多久需要更换？",
            alternative_questions="滤芯寿命多长\n\n滤芯什么时候换",
            answer="<p>建议每六个月更换一次。</p>",
            confidentiality=Confidentiality.PUBLIC,
        ),
    )
    customer = CustomerFactory(name="华东重工")
    case = publish(
        category,
        CaseHistoryPage(
            title="华东工厂停机案例",
            slug="plant-case",
            customer=customer,
            product=Product.objects.create(name="X200 净水器"),
            symptom="<p>设备频繁停机</p>",
            cause="<p>滤芯堵塞</p>",
            resolution="<p>更换滤芯并清洗管路</p>",
            outcome="恢复运行",
            confidentiality=Confidentiality.PUBLIC,
        ),
    )
    return {
        "category": category,
        "public_article": public_article,
        "internal_article": internal_article,
        "department_article": department_article,
        "faq": faq,
        "case": case,
        "customer": customer,
    }


# --- Shell ----------------------------------------------------------------------------------


def in_english(client):
    """Make the client's next requests in English, as the language switch does."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_home_renders_in_chinese_by_default(client, kb_pages):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    with translation.override("zh-hans"):
        help_centre = translation.gettext("Help centre")  # 帮助中心 once the catalog is compiled
    assert f">{help_centre}</a>" in html
    assert "安装与调试" in html  # a public category
    assert "如何更换滤芯" in html  # latest articles
    assert "滤芯多久需要更换？" in html  # FAQs
    assert "内部排障手册甲" not in html
    assert reverse("kb:search") in html


def test_language_switch_posts_to_set_language_and_keeps_the_path(client, kb_pages):
    url = kb_pages["category"].url
    html = client.get(url).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert f'name="next" value="{url}"' in html
    assert 'name="csrfmiddlewaretoken"' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert '<html lang="en"' in html
    assert ">Help centre</a>" in html
    assert re.search(r'value="en" lang="en"\s+class="lang-option is-current"', html)

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": url})
    assert '<html lang="zh-hans"' in client.get(url).content.decode()


def test_nav_shows_tickets_and_admin_only_to_staff(client, agent, customer_user, trainer):
    tickets_link = f'href="{reverse("kb:tickets")}"'
    admin_link = 'href="/admin/"'
    portal_link = f'href="{reverse("kb:portal")}"'

    html = client.get("/").content.decode()
    assert tickets_link not in html and admin_link not in html and portal_link not in html
    assert f'href="{reverse("login")}?next=/"' in html

    client.force_login(customer_user)
    html = client.get("/").content.decode()
    assert tickets_link not in html and admin_link not in html
    assert portal_link in html

    client.force_login(trainer)  # staff, but not a service role: admin yes, tickets no
    html = client.get("/").content.decode()
    assert admin_link in html and tickets_link not in html

    client.force_login(agent)
    html = client.get("/").content.decode()
    assert tickets_link in html and admin_link in html
    assert "王小明" in html
    # Logging out is a POST form with a CSRF token (Django 5 refuses GET).
    assert f'method="post" action="{reverse("logout")}"' in html


def test_login_page_renders_and_logs_in(client, agent):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html

    response = client.post(
        reverse("login"), {"username": "agent", "password": "pw-zhiku-2026", "next": "/search/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/search/"


def test_logout_is_a_post(client, agent):
    client.force_login(agent)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_missing_page_uses_the_site_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "site-header" in response.content.decode()


# --- Knowledge pages ------------------------------------------------------------------------


def test_article_renders_stream_blocks_and_meta(client, kb_pages):
    html = client.get(kb_pages["public_article"].url).content.decode()
    assert '<h2 class="block-heading">准备工具</h2>' in html
    assert "关闭电源后再操作。" in html
    assert "callout-warning" in html and "请勿带电操作" in html
    assert "reset --all" in html
    assert "badge-public" in html
    assert "<time datetime=" in html
    assert 'class="breadcrumbs"' in html and "安装与调试" in html


def test_faq_shows_question_phrasings_and_answer(client, kb_pages):
    html = client.get(kb_pages["faq"].url).content.decode()
    assert "滤芯多久需要更换？" in html
    assert "<li>滤芯寿命多长</li>" in html and "<li>滤芯什么时候换</li>" in html
    assert "<li></li>" not in html
    assert "建议每六个月更换一次。" in html


def test_case_history_shows_customer_name_only_to_service_staff(client, kb_pages, agent):
    url = kb_pages["case"].url
    html = client.get(url).content.decode()
    assert "设备频繁停机" in html and "滤芯堵塞" in html and "更换滤芯并清洗管路" in html
    assert "X200 净水器" in html and "恢复运行" in html
    assert "华东重工" not in html

    client.force_login(agent)
    assert "华东重工" in client.get(url).content.decode()


def test_department_article_is_404_outside_the_department(
    client, kb_pages, customer_user, rnd_engineer
):
    url = kb_pages["department_article"].url
    assert client.get(url).status_code == 404
    client.force_login(customer_user)
    assert client.get(url).status_code == 404
    client.force_login(rnd_engineer)
    assert client.get(url).status_code == 200


def test_category_lists_department_article_only_to_members(
    client, kb_pages, rnd_engineer, agent, customer_user
):
    url = kb_pages["category"].url
    title = kb_pages["department_article"].title

    for outsider in (None, customer_user, agent):
        if outsider is None:
            client.logout()
        else:
            client.force_login(outsider)
        html = client.get(url).content.decode()
        assert title not in html
        assert "如何更换滤芯" in html  # the public article is listed for everyone

    client.force_login(rnd_engineer)
    assert title in client.get(url).content.decode()


def test_breadcrumbs_leave_out_a_category_the_user_may_not_see(client, home, rnd_department):
    secret = publish(
        home,
        CategoryPage(title="保密分类丙", slug="secret", confidentiality=Confidentiality.DEPARTMENT),
        departments=[rnd_department],
    )
    article = publish(
        secret, ArticlePage(title="公开子文章", slug="open", confidentiality=Confidentiality.PUBLIC)
    )
    html = client.get(article.url).content.decode()
    assert "公开子文章" in html
    assert "保密分类丙" not in html


# --- Search ---------------------------------------------------------------------------------


def test_search_without_query_shows_only_the_form(client, kb_pages):
    response = client.get(reverse("kb:search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert "result-list" not in html


def test_search_returns_internal_article_to_agent_only(client, kb_pages, agent):
    drain_outbox()
    url = reverse("kb:search")
    title = kb_pages["internal_article"].title

    html = client.get(url, {"q": "排障手册"}).content.decode()
    assert title not in html
    assert kb_pages["internal_article"].url not in html
    assert "result-list" not in html

    client.force_login(agent)
    html = client.get(url, {"q": "排障手册"}).content.decode()
    # The title, with its matches marked; the link goes through the click log.
    assert title in re.sub(r"</?mark>", "", html)


def test_search_matches_faq_questions_and_shows_types(client, kb_pages):
    drain_outbox()
    html = client.get(reverse("kb:search"), {"q": "滤芯"}).content.decode()
    html = re.sub(r"</?mark>", "", html)  # matches are marked in titles and snippets
    assert "滤芯多久换一次" in html  # the FAQ
    assert "如何更换滤芯" in html  # the article
    assert "华东工厂停机案例" in html  # matches in its rich text, which is searched too
    assert html.count('class="result-kind ') == 3


# --- Tickets and portal ---------------------------------------------------------------------


def test_tickets_require_login(client):
    response = client.get(reverse("kb:tickets"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_tickets_agent_sees_all_customer_only_their_own(client, agent, customer_user, trainer):
    own = TicketFactory(subject="我的设备漏水")
    own.customer.portal_users.add(customer_user)
    other = TicketFactory(subject="别人家的工单")

    client.force_login(agent)
    html = client.get(reverse("kb:tickets")).content.decode()
    assert own.subject in html and other.subject in html

    # Customers follow their tickets in the portal (tests/customers/test_portal.py).
    client.force_login(customer_user)
    response = client.get(reverse("kb:tickets"))
    assert response.status_code == 302 and response["Location"] == reverse("portal_tickets:list")

    client.force_login(trainer)
    response = client.get(reverse("kb:tickets"))
    assert response.status_code == 200
    assert own.subject not in response.content.decode()


def test_tickets_filter_by_status(client, agent):
    TicketFactory(subject="新建的工单", status="new")
    TicketFactory(subject="已关闭工单", status="closed")
    client.force_login(agent)
    html = client.get(reverse("kb:tickets"), {"status": "closed"}).content.decode()
    assert "已关闭工单" in html and "新建的工单" not in html
    assert Ticket.objects.count() == 2


def test_portal_requires_login(client):
    response = client.get(reverse("kb:portal"))
    assert response.status_code == 302


def test_portal_shows_profile_roles_and_own_tickets(client, customer_user, rnd_engineer):
    account = CustomerFactory(name="星海科技")
    account.portal_users.add(customer_user)
    TicketFactory(customer=account, subject="门户里的工单")
    TicketFactory(subject="不相干的工单")

    client.force_login(customer_user)
    in_english(client)
    html = client.get(reverse("kb:portal")).content.decode()
    assert "王小明" in html
    assert "Customer (portal user)" in html  # the role's label, not its group name
    assert "星海科技" in html and "门户里的工单" in html
    assert "不相干的工单" not in html

    client.force_login(rnd_engineer)
    html = client.get(reverse("kb:portal")).content.decode()
    assert "研发中心" in html and "R&amp;D engineer" in html
    assert "门户里的工单" not in html


def test_portal_for_a_user_without_roles(client):
    user = UserFactory(username="nobody")
    client.force_login(user)
    in_english(client)
    response = client.get(reverse("kb:portal"))
    assert response.status_code == 200
    assert "No role assigned" in response.content.decode()


def test_document_block_shows_a_document_only_to_those_who_may_see_it(rf, agent):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from documents.models import KnowledgeDocument

    document = KnowledgeDocument(
        pk=4242, title="内部接线图", file="documents/wiring.pdf", confidentiality="internal"
    )
    request = rf.get("/")
    request.user = AnonymousUser()
    assert "内部接线图" not in render_to_string(
        "kb/blocks/document.html", {"value": document, "request": request}
    )
    request.user = agent
    html = render_to_string("kb/blocks/document.html", {"value": document, "request": request})
    assert "内部接线图" in html and "PDF" in html


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "500" in html and "site.css" in html

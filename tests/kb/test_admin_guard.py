"""Wagtail's page admin shows no page whose confidentiality bars the user: 404 like a missing one."""

from __future__ import annotations

import pytest

from kb.models import RecycleBinPage
from permissions.models import Confidentiality
from tests.kb.test_workflow_support import make_draft_faq

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd_draft(rnd_engineer, rnd_department):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department], title="研发部草稿标题")
    page.question = "第二版问题？"
    page.save_revision(user=rnd_engineer)
    return page


def _urls(page):
    first, second = page.revisions.order_by("pk").values_list("pk", flat=True)[:2]
    base = f"/admin/pages/{page.pk}"
    return [
        f"{base}/edit/",
        f"{base}/history/",
        f"{base}/revisions/compare/{first}...{second}/",
        f"{base}/revisions/{first}/revert/",
        f"{base}/revisions/{first}/view/",
        f"{base}/workflow_history/",
        f"{base}/move/",
        f"{base}/copy/",
        f"/admin/api/main/pages/{page.pk}/",
    ]


def test_a_service_agent_gets_404_on_an_rnd_drafts_admin_views(client, agent, rnd_draft):
    client.force_login(agent)
    for url in _urls(rnd_draft):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "研发部草稿标题" not in response.content.decode(), url


def test_its_author_opens_them(client, rnd_engineer, rnd_draft):
    client.force_login(rnd_engineer)
    # The revision view renders the reader's template, staff panel included, from a revision
    # whose relations are in memory.
    for url in _urls(rnd_draft)[:5]:
        assert client.get(url).status_code == 200, url


def test_a_knowledge_manager_may_not_open_a_confidential_page(
    client, knowledge_manager, rnd_engineer
):
    page = make_draft_faq(
        rnd_engineer, confidentiality=Confidentiality.CONFIDENTIAL, title="机密标题"
    )
    client.force_login(knowledge_manager)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 404
    response = client.get(f"/admin/bulk/wagtailcore/page/delete/?id={page.pk}")
    assert response.status_code == 404


def test_the_explorer_lists_only_readable_pages(client, agent, rnd_engineer, rnd_draft):
    readable = make_draft_faq(
        rnd_engineer,
        parent=rnd_draft.get_parent().specific,
        confidentiality=Confidentiality.INTERNAL,
        title="内部草稿标题",
    )
    parent = rnd_draft.get_parent()
    client.force_login(agent)
    html = client.get(f"/admin/pages/{parent.pk}/").content.decode()
    assert "内部草稿标题" in html and readable.pk
    assert "研发部草稿标题" not in html
    client.force_login(rnd_engineer)
    html = client.get(f"/admin/pages/{parent.pk}/").content.decode()
    assert "研发部草稿标题" in html


def test_the_recycle_bin_is_hidden_from_the_explorer(client, administrator):
    from wagtail.models import Page

    root = Page.get_first_root_node()
    root.add_child(instance=RecycleBinPage(title="回收站页面", slug="kb-recycle-bin"))
    client.force_login(administrator)
    html = client.get(f"/admin/pages/{root.pk}/").content.decode()
    assert "回收站页面" not in html
    assert "知库" in html  # the listing itself works


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/search/?q=研发部草稿",
        "/admin/pages/search/results/?q=研发部草稿",
        "/admin/reports/site-history/",
    ],
)
def test_admin_search_and_history_reports_hide_unreadable_pages(
    client, agent, rnd_engineer, rnd_draft, url
):
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    assert "研发部草稿标题" not in response.content.decode()
    client.force_login(rnd_engineer)
    assert "研发部草稿标题" in client.get(url).content.decode()

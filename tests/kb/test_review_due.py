"""The review-due list shows stale knowledge to its keepers, and only what they may see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.models import ArticlePage
from permissions.models import Confidentiality
from tests.permissions.conftest import make_article, make_category

pytestmark = pytest.mark.django_db


def _article(category, title, days, **protection):
    page = make_article(category, **protection)
    ArticlePage.objects.filter(pk=page.pk).update(
        title=title, review_date=timezone.localdate() + timedelta(days=days)
    )
    return page


@pytest.fixture
def stale_pages(rnd_engineer):
    category = make_category()
    _article(category, "过期的内部文章", -10, confidentiality=Confidentiality.INTERNAL)
    _article(
        category,
        "过期的机密文章",
        -5,
        confidentiality=Confidentiality.CONFIDENTIAL,
        users=[rnd_engineer],
    )
    _article(category, "下周到期的文章", 7, confidentiality=Confidentiality.PUBLIC)
    _article(category, "明年到期的文章", 300, confidentiality=Confidentiality.PUBLIC)


def test_knowledge_managers_see_overdue_pages_they_may_see(client, knowledge_manager, stale_pages):
    client.force_login(knowledge_manager)
    html = client.get("/admin/review-due/").content.decode()
    assert "过期的内部文章" in html
    assert "过期的机密文章" not in html  # confidential, not named: not even its title
    assert 'data-count="1"' in html
    assert "下周到期的文章" not in html

    html = client.get("/admin/review-due/?window=30").content.decode()
    assert "下周到期的文章" in html and "明年到期的文章" not in html
    assert 'data-count="2"' in html


def test_superusers_see_every_overdue_page(client, administrator, stale_pages):
    client.force_login(administrator)
    html = client.get("/admin/review-due/").content.decode()
    assert "过期的机密文章" in html and 'data-count="2"' in html


@pytest.mark.parametrize("who", ["agent", "rnd_engineer", "trainer"])
def test_other_staff_may_not_open_the_list(request, client, who, stale_pages):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/review-due/")
    assert response.status_code in (302, 403)
    assert "过期的内部文章" not in response.content.decode()


def test_the_pages_of_the_list_keep_the_window(client, knowledge_manager, stale_pages, monkeypatch):
    from django.core.paginator import Paginator

    monkeypatch.setattr("kb.review.Paginator", lambda items, _size: Paginator(items, 1))
    client.force_login(knowledge_manager)
    html = client.get("/admin/review-due/?window=30").content.decode()
    assert "过期的内部文章" in html and "下周到期的文章" not in html
    assert 'href="?window=30&amp;p=2"' in html
    html = client.get("/admin/review-due/?window=30&p=2").content.decode()
    assert "下周到期的文章" in html and 'href="?window=30&amp;p=1"' in html
    assert "p=3" not in html


def test_owners_are_told_once_about_their_overdue_pages(
    rnd_engineer, agent, mailoutbox, django_capture_on_commit_callbacks
):
    from kb.models.notifications import Notification, NotificationKind
    from kb.workflow.tasks import notify_review_due_task

    category = make_category()
    overdue = _article(
        category, "该复审的文章", -3, confidentiality=Confidentiality.INTERNAL, owner=rnd_engineer
    )
    _article(category, "还没到期", 30, confidentiality=Confidentiality.INTERNAL, owner=rnd_engineer)
    # An owner who has left (deactivated) is not told the title.
    _article(category, "离职员工的文章", -3, confidentiality=Confidentiality.INTERNAL, owner=agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        notify_review_due_task()
        notify_review_due_task()  # a second run tells no one again

    told = Notification.objects.filter(kind=NotificationKind.REVIEW_DUE)
    assert list(told.values_list("recipient", "page")) == [(rnd_engineer.pk, overdue.pk)]
    # (The e-mail names the draft title of the page: the one the editor shows.)
    assert len(mailoutbox) == 1 and overdue.get_admin_display_title() in mailoutbox[0].subject
    assert mailoutbox[0].to == [rnd_engineer.email]


def test_structured_items_are_reviewed_like_every_knowledge_page(client, knowledge_manager):
    from tests.kb.test_page_matrix import build_page

    category = make_category()
    item = build_page(
        "structured",
        category,
        title="过期的结构化条目",
        level=Confidentiality.INTERNAL,
        review_date=timezone.localdate() - timedelta(days=2),
    )
    client.force_login(knowledge_manager)
    html = client.get("/admin/review-due/").content.decode()
    assert item.title in html

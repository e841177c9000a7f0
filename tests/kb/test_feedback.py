"""Help centre feedback ("was this helpful?") and related pages, always through the policy."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kb.feedback import related_pages_for_viewer, title_terms
from kb.models import ArticlePage, CategoryPage, FAQPage, KnowledgeHomePage, PageFeedback
from permissions.models import AuditEvent, Confidentiality

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    """Return `msgid` as the Chinese page shows it (the msgid itself until the catalog has it)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def publish(parent, page, *, departments=(), allowed_users=()):
    """Add `page` under `parent`, set who may see it, and publish a revision."""
    parent.add_child(instance=page)
    if departments:
        page.owning_departments.set(departments)
    if allowed_users:
        page.allowed_users.set(allowed_users)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def article(title, slug, level=Confidentiality.PUBLIC):
    return ArticlePage(title=title, slug=slug, confidentiality=level)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pages(rnd_department, rnd_engineer):
    home = KnowledgeHomePage.objects.first()
    category = publish(
        home, CategoryPage(title="安装与调试", slug="setup", confidentiality="public")
    )
    other_top = publish(home, CategoryPage(title="账户", slug="account", confidentiality="public"))
    sub = publish(
        category, CategoryPage(title="进阶维护", slug="advanced", confidentiality="public")
    )
    return {
        "article": publish(category, article("如何更换滤芯", "filter")),
        "faq": publish(
            category,
            FAQPage(
                title="滤芯多久需要更换",
                slug="filter-faq",
                question="滤芯多久需要更换？",
                answer="<p>六个月。</p>",
                confidentiality=Confidentiality.PUBLIC,
            ),
        ),
        "internal": publish(
            category, article("滤芯内部排障手册", "internal", Confidentiality.INTERNAL)
        ),
        "department": publish(
            category,
            article("研发滤芯测试报告", "rnd", Confidentiality.DEPARTMENT),
            departments=[rnd_department],
        ),
        "confidential": publish(
            category,
            article("滤芯机密方案", "secret", Confidentiality.CONFIDENTIAL),
            allowed_users=[rnd_engineer],
        ),
        "nested": publish(sub, article("更换滤芯的常见错误", "mistakes")),
        "unrelated": publish(sub, article("电源故障排查", "power")),
        "other_top": publish(other_top, article("更换滤芯账户积分", "points")),
    }


def vote_url(page):
    return reverse("kb_feedback:submit", args=[page.pk])


def related_section(html: str) -> str:
    start = html.find('id="related-pages-heading"')
    assert start != -1, "no related pages section"
    return html[start : html.find("</section>", start)]


# --- Voting -------------------------------------------------------------------------------------


def test_anonymous_vote_is_recorded_once_per_session_and_revote_updates(client, pages):
    page = pages["article"]
    response = client.post(vote_url(page), {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == page.url + "#page-feedback"

    vote = PageFeedback.objects.get(page=page)
    session_key = client.session.session_key
    assert vote.user is None and vote.helpful is True
    assert vote.session_hash == hashlib.sha256(session_key.encode()).hexdigest()
    assert session_key not in vote.session_hash
    assert vote.ip_address == "127.0.0.1"

    client.post(vote_url(page), {"helpful": "no", "comment": "步骤三看不懂"})
    vote = PageFeedback.objects.get(page=page)
    assert (vote.helpful, vote.comment) == (False, "步骤三看不懂")

    # Changing the answer without a comment keeps the comment already given.
    client.post(vote_url(page), {"helpful": "yes"})
    vote = PageFeedback.objects.get(page=page)
    assert (vote.helpful, vote.comment) == (True, "步骤三看不懂")

    Client().post(vote_url(page), {"helpful": "no"})  # another browser, another vote
    assert PageFeedback.objects.filter(page=page).count() == 2
    assert not AuditEvent.objects.filter(action="page.feedback").exists()

    html = client.get(page.url).content.decode()
    assert zh("Thank you for your feedback.") in html
    assert zh("You said this page was helpful.") in html
    assert "people found this helpful" not in html and zh("Was this helpful?") in html


def test_customer_vote_belongs_to_the_user_and_shows_no_counts(client, customer_user, pages):
    page = pages["faq"]
    client.force_login(customer_user)
    assert client.post(vote_url(page), {"helpful": "no", "comment": "没说清楚"}).status_code == 302
    client.post(vote_url(page), {"helpful": "yes"})
    vote = PageFeedback.objects.get(page=page)
    assert vote.user == customer_user and vote.session_hash == "" and vote.helpful is True

    html = client.get(page.url).content.decode()
    assert zh("You said this page was helpful.") in html
    assert 'class="feedback-counts"' not in html


def test_agent_vote_is_audited_and_staff_see_the_counts(client, agent, trainer, pages):
    page = pages["article"]
    Client().post(vote_url(page), {"helpful": "no"})
    client.force_login(agent)
    assert client.post(vote_url(page), {"helpful": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action="page.feedback")
    assert event.actor == agent and event.object_id == str(page.pk)

    client.force_login(trainer)
    html = client.get(page.url).content.decode()
    counts = html[html.index('class="feedback-counts"') :]
    counts = " ".join(counts[: counts.index("</p>")].split())
    with translation.override("zh-hans"):
        helpful = translation.ngettext(
            "%(counter)s person found this helpful", "%(counter)s people found this helpful", 1
        ) % {"counter": 1}
    assert helpful in counts


def test_a_page_the_voter_may_not_see_is_a_404(client, agent, rnd_engineer, pages):
    department_page = pages["department"]
    client.force_login(agent)  # customer service, not R&D
    assert client.post(vote_url(department_page), {"helpful": "yes"}).status_code == 404
    assert Client().post(vote_url(department_page), {"helpful": "yes"}).status_code == 404
    assert client.post(vote_url(pages["confidential"]), {"helpful": "yes"}).status_code == 404
    assert not PageFeedback.objects.exists()

    # Categories, other page types and missing pages answer the same.
    category = department_page.get_parent()
    assert client.post(vote_url(category), {"helpful": "yes"}).status_code == 404
    assert client.post(reverse("kb_feedback:submit", args=[999_999]), {}).status_code == 404

    client.force_login(rnd_engineer)
    assert client.post(vote_url(department_page), {"helpful": "yes"}).status_code == 302
    assert PageFeedback.objects.filter(page=department_page, user=rnd_engineer).exists()


def test_votes_need_a_csrf_token(pages):
    client = Client(enforce_csrf_checks=True)
    assert client.post(vote_url(pages["article"]), {"helpful": "yes"}).status_code == 403
    assert not PageFeedback.objects.exists()


def test_json_mode(client, pages):
    page = pages["article"]
    response = client.post(vote_url(page), {"helpful": "no"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "helpful": False,
        "message": zh("Thank you for your feedback."),
    }
    assert PageFeedback.objects.get(page=page).helpful is False

    response = client.post(vote_url(page), {"helpful": "maybe"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["ok"] is False
    response = client.post(
        vote_url(page), {"helpful": "yes", "comment": "长" * 1001}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        vote_url(pages["internal"]), {"helpful": "yes"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404 and response.json()["ok"] is False
    assert PageFeedback.objects.get(page=page).helpful is False


def test_anonymous_votes_are_rate_limited_per_ip(client, settings, customer_user, pages):
    settings.KB_FEEDBACK_RATE_PER_HOUR = 2
    page = pages["article"]
    for _ in range(2):
        assert Client().post(vote_url(page), {"helpful": "yes"}).status_code == 302
    response = Client().post(vote_url(page), {"helpful": "yes"})
    assert response.status_code == 429
    message = zh("Too many answers from your network. Please try again in an hour.")
    assert message in response.content.decode()
    response = Client().post(vote_url(page), {"helpful": "yes"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 429 and response.json()["error"] == message
    # Another address has its own allowance; signed-in users are not limited this way.
    assert Client(REMOTE_ADDR="10.0.0.9").post(vote_url(page), {"helpful": "no"}).status_code == 302
    client.force_login(customer_user)
    assert client.post(vote_url(page), {"helpful": "no"}).status_code == 302
    assert PageFeedback.objects.filter(page=page).count() == 4


# --- The knowledge managers' list ---------------------------------------------------------------


@pytest.fixture
def comments(pages, rnd_engineer, customer_user):
    public = Client()
    public.force_login(customer_user)
    public.post(vote_url(pages["article"]), {"helpful": "no", "comment": "公开评论：图片太小"})
    secret = Client()
    secret.force_login(rnd_engineer)
    secret.post(vote_url(pages["confidential"]), {"helpful": "yes", "comment": "机密评论内容"})
    assert PageFeedback.objects.count() == 2
    return PageFeedback.objects.get(page=pages["article"]), PageFeedback.objects.get(
        page=pages["confidential"]
    )


def test_feedback_list_shows_only_comments_on_pages_the_manager_may_see(
    client, knowledge_manager, administrator, pages, comments
):
    client.force_login(knowledge_manager)
    response = client.get(reverse("kb_feedback:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "公开评论：图片太小" in html and "如何更换滤芯" in html
    assert "机密评论内容" not in html and "滤芯机密方案" not in html
    assert response.context["totals"] == {"helpful": 0, "not_helpful": 1, "unhandled": 1}

    # The confidential comment exists: whoever may see its page sees it.
    client.force_login(administrator)
    html = client.get(reverse("kb_feedback:list")).content.decode()
    assert "机密评论内容" in html and "公开评论：图片太小" in html

    client.force_login(knowledge_manager)
    html = client.get(reverse("kb_feedback:list"), {"status": "helpful"}).content.decode()
    assert "公开评论：图片太小" not in html
    html = client.get(reverse("kb_feedback:list"), {"status": "not_helpful"}).content.decode()
    assert "公开评论：图片太小" in html


def test_feedback_list_is_for_knowledge_managers(client, agent, customer_user, comments):
    url = reverse("kb_feedback:list")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(customer_user)
    assert client.get(url).status_code == 403


def test_mark_handled(client, knowledge_manager, agent, comments):
    public, secret = comments
    client.force_login(knowledge_manager)
    list_url = reverse("kb_feedback:list")
    response = client.post(
        reverse("kb_feedback:handled", args=[public.pk]), {"next": f"{list_url}?status=unhandled"}
    )
    assert response.status_code == 302 and response["Location"] == f"{list_url}?status=unhandled"
    public.refresh_from_db()
    assert public.handled and public.handled_by == knowledge_manager and public.handled_at
    assert AuditEvent.objects.filter(action="page.feedback.handle", actor=knowledge_manager)
    html = client.get(list_url, {"status": "unhandled"}).content.decode()
    assert "公开评论：图片太小" not in html

    # A new comment from the same reader puts it back in the queue.
    reader = Client()
    reader.force_login(public.user)
    reader.post(vote_url(public.page), {"helpful": "no", "comment": "还是看不清"})
    public.refresh_from_db()
    assert not public.handled and public.comment == "还是看不清"

    # Someone else's page, someone else's role: the same 404 / 403 as for a missing item.
    response = client.post(reverse("kb_feedback:handled", args=[secret.pk]), {"next": "//evil.com"})
    assert response.status_code == 404
    secret.refresh_from_db()
    assert not secret.handled
    client.force_login(agent)
    assert client.post(reverse("kb_feedback:handled", args=[public.pk])).status_code == 403

    client.force_login(knowledge_manager)
    response = client.post(
        reverse("kb_feedback:handled", args=[public.pk]), {"handled": "1", "next": "//evil.com"}
    )
    assert response["Location"] == list_url


# --- Related pages ------------------------------------------------------------------------------


def test_title_terms_are_bigrams_and_words():
    assert {"更换", "滤芯", "换滤"} <= title_terms("如何更换滤芯")
    assert {"x200", "净水", "水器"} <= title_terms("Ｘ200 净水器")
    assert "如何更换滤芯" not in title_terms("如何更换滤芯")


def test_related_pages_respect_the_policy(client, agent, rnd_engineer, pages):
    url = pages["article"].url
    related = related_section(client.get(url).content.decode())
    assert "滤芯多久需要更换" in related  # a sibling
    assert "更换滤芯的常见错误" in related  # same top category, shared title words
    assert "如何更换滤芯" not in related  # never the page itself
    assert "电源故障排查" not in related  # nothing in common
    assert "更换滤芯账户积分" not in related  # another top-level category
    for hidden in ("滤芯内部排障手册", "研发滤芯测试报告", "滤芯机密方案"):
        assert hidden not in related

    client.force_login(agent)
    related = related_section(client.get(url).content.decode())
    assert "滤芯内部排障手册" in related
    assert "研发滤芯测试报告" not in related and "滤芯机密方案" not in related

    client.force_login(rnd_engineer)
    related = related_section(client.get(url).content.decode())
    assert "研发滤芯测试报告" in related and "滤芯机密方案" in related


def test_related_pages_put_siblings_first_and_stop_at_the_limit(agent, pages):
    titles = [p.title for p in related_pages_for_viewer(agent, pages["article"], limit=5)]
    siblings = {"滤芯多久需要更换", "滤芯内部排障手册"}
    assert set(titles[:2]) == siblings
    assert titles[2:] == ["更换滤芯的常见错误"]
    assert related_pages_for_viewer(agent, pages["article"], limit=1)[0].title in siblings
    assert related_pages_for_viewer(agent, pages["article"], limit=0) == []


def test_feedback_and_related_render_on_faq_and_case_pages(client, agent, pages):
    from kb.models import CaseHistoryPage

    case = publish(
        pages["article"].get_parent(),
        CaseHistoryPage(
            title="滤芯堵塞停机案例",
            slug="case",
            symptom="<p>停机</p>",
            resolution="<p>更换滤芯</p>",
            confidentiality=Confidentiality.INTERNAL,
        ),
    )
    client.force_login(agent)
    for page in (pages["faq"], case):
        html = client.get(page.url).content.decode()
        assert f'action="{vote_url(page)}"' in html
        assert "如何更换滤芯" in related_section(html)
    assert client.post(vote_url(case), {"helpful": "yes"}).status_code == 302
    assert Client().post(vote_url(case), {"helpful": "yes"}).status_code == 404

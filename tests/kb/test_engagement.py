"""Favourites, page usage counts and popular FAQs, always through the permission policy."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from kb.engagement.actions import record_page_view, toggle_favourite
from kb.engagement.selectors import (
    favourites_for_viewer,
    popular_faqs_for_viewer,
    usage_for_page,
)
from kb.models import Favourite, PageFeedback, PageUsageDay
from permissions.access import ItemNotFound
from permissions.models import AuditEvent, Confidentiality
from tests.kb.test_page_matrix import build_page, home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return build_page("category", home_page(), title="使用帮助")


@pytest.fixture
def public_article(category):
    return build_page("article", category, title="如何清洗滤网")


@pytest.fixture
def internal_article(category):
    return build_page("article", category, title="内部排障手册", level=Confidentiality.INTERNAL)


def toggle_url(page):
    return reverse("kb:favourite_toggle", args=[page.pk])


# --- Favourites ---------------------------------------------------------------------------------


def test_toggle_adds_then_removes_and_returns_to_the_page(client, customer_user, public_article):
    client.force_login(customer_user)
    response = client.post(toggle_url(public_article))
    assert response.status_code == 302
    assert response["Location"] == public_article.url + "#page-favourite"
    assert Favourite.objects.filter(user=customer_user, page=public_article).exists()
    assert AuditEvent.objects.filter(action="page.favourite", actor=customer_user).count() == 1

    html = client.get(public_article.url).content.decode()
    assert 'aria-pressed="true"' in html

    client.post(toggle_url(public_article))
    assert not Favourite.objects.filter(user=customer_user).exists()
    assert AuditEvent.objects.filter(action="page.unfavourite").count() == 1
    assert 'aria-pressed="false"' in client.get(public_article.url).content.decode()


def test_toggle_in_json_mode(client, agent, public_article):
    client.force_login(agent)
    response = client.post(toggle_url(public_article), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["favourite"] is True
    response = client.post(toggle_url(public_article), HTTP_ACCEPT="application/json")
    assert response.json()["favourite"] is False


def test_toggle_goes_back_to_a_local_next_url_only(client, agent, public_article):
    client.force_login(agent)
    favourites = reverse("kb:favourites")
    response = client.post(toggle_url(public_article), {"next": favourites})
    assert response["Location"] == favourites
    response = client.post(toggle_url(public_article), {"next": "https://evil.example/"})
    assert response["Location"] == public_article.url + "#page-favourite"


def test_a_page_the_user_may_not_see_is_the_same_404_as_a_missing_one(
    client, customer_user, internal_article
):
    client.force_login(customer_user)
    assert client.post(toggle_url(internal_article)).status_code == 404
    assert client.post(reverse("kb:favourite_toggle", args=[999999])).status_code == 404
    # The help centre home is not a knowledge item: nothing to favourite.
    assert client.post(toggle_url(home_page())).status_code == 404
    hidden = client.post(toggle_url(internal_article), HTTP_ACCEPT="application/json")
    missing = client.post(
        reverse("kb:favourite_toggle", args=[999999]), HTTP_ACCEPT="application/json"
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not Favourite.objects.exists()
    with pytest.raises(ItemNotFound):
        toggle_favourite(actor=customer_user, page=internal_article)


def test_anonymous_visitors_are_sent_to_log_in(client, public_article):
    response = client.post(toggle_url(public_article))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(toggle_url(public_article), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert not Favourite.objects.exists()
    assert client.get(reverse("kb:favourites")).status_code == 302


def test_toggle_needs_post(client, agent, public_article):
    client.force_login(agent)
    assert client.get(toggle_url(public_article)).status_code == 405


def test_favourite_list_hides_pages_that_became_invisible(
    client, customer_user, category, public_article
):
    other = build_page("faq", category, title="滤芯多久更换一次")
    client.force_login(customer_user)
    client.post(toggle_url(public_article))
    client.post(toggle_url(other))

    html = client.get(reverse("kb:favourites")).content.decode()
    assert "如何清洗滤网" in html and "滤芯多久更换一次" in html
    assert html.index("滤芯多久更换一次") < html.index("如何清洗滤网")  # newest first

    # Raised to internal: the favourite stays in the table but is neither listed nor counted.
    public_article.confidentiality = Confidentiality.INTERNAL
    public_article.save_revision().publish()
    html = client.get(reverse("kb:favourites")).content.decode()
    assert "如何清洗滤网" not in html and "滤芯多久更换一次" in html
    assert [item.page.pk for item in favourites_for_viewer(customer_user)] == [other.pk]
    assert Favourite.objects.filter(user=customer_user).count() == 2

    other.unpublish()
    assert favourites_for_viewer(customer_user) == []
    assert "滤芯多久更换一次" not in client.get(reverse("kb:favourites")).content.decode()


def test_favourite_list_is_per_user(client, agent, trainer, public_article):
    toggle_favourite(actor=agent, page=public_article)
    client.force_login(trainer)
    assert "如何清洗滤网" not in client.get(reverse("kb:favourites")).content.decode()
    assert favourites_for_viewer(trainer) == []


# --- Usage --------------------------------------------------------------------------------------


def _usage(page):
    return list(PageUsageDay.objects.filter(page=page).values_list("views", "staff_views"))


def test_each_get_is_counted_once_and_staff_separately(client, agent, public_article):
    client.get(public_article.url)
    client.get(public_article.url)
    assert _usage(public_article) == [(2, 0)]
    client.force_login(agent)
    client.get(public_article.url)
    assert _usage(public_article) == [(3, 1)]
    assert PageUsageDay.objects.get().day == timezone.localdate()


def test_a_404_or_a_post_is_not_counted(client, customer_user, internal_article, public_article):
    client.force_login(customer_user)
    assert client.get(internal_article.url).status_code == 404
    assert _usage(internal_article) == []
    client.post(public_article.url)
    assert _usage(public_article) == []


def test_a_login_form_for_a_restricted_page_is_not_counted(client, agent, public_article):
    PageViewRestriction.objects.create(
        page=public_article, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(public_article.url)
    assert response.status_code == 302
    assert _usage(public_article) == []
    client.force_login(agent)
    assert client.get(public_article.url).status_code == 200
    assert _usage(public_article) == [(1, 1)]


def test_a_preview_is_not_counted(public_article):
    response = public_article.make_preview_request()
    assert response.status_code == 200
    assert _usage(public_article) == []


def test_record_page_view_keeps_one_row_per_day(public_article, anonymous_user):
    for _ in range(3):
        record_page_view(page=public_article, viewer=anonymous_user)
    assert _usage(public_article) == [(3, 0)]


@pytest.fixture
def anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_usage_for_page_totals_and_last_30_days(public_article):
    today = timezone.localdate()
    for days_ago, views in ((0, 4), (29, 2), (30, 7), (200, 1)):
        PageUsageDay.objects.create(
            page=public_article, day=today - datetime.timedelta(days=days_ago), views=views
        )
    usage = usage_for_page(public_article)
    assert (usage.total, usage.last_30_days) == (14, 6)


def test_staff_panel_shows_usage_favourites_and_helpful_votes(
    client, agent, customer_user, public_article
):
    PageUsageDay.objects.create(
        page=public_article, day=timezone.localdate() - datetime.timedelta(days=40), views=5
    )
    toggle_favourite(actor=customer_user, page=public_article)
    PageFeedback.objects.create(page=public_article, helpful=True, user=customer_user)
    PageFeedback.objects.create(page=public_article, helpful=False, user=agent)
    client.force_login(agent)
    html = client.get(public_article.url).content.decode()  # this view counts too
    assert usage_numbers(html) == {"total": 6, "recent": 1, "favourites": 1, "helpful": 1}


def usage_numbers(html: str) -> dict:
    # From data attributes: the visible wording depends on the language (近 30 天 1 次).
    pairs = re.findall(r'data-usage="(\w+)" data-count="(\d+)"', html)
    return {name: int(number) for name, number in pairs}


# --- Popular FAQs -------------------------------------------------------------------------------


def _faq(category, title, **kwargs):
    return build_page("faq", category, title=title, **kwargs)


def test_popular_faqs_rank_recent_views_and_helpful_votes(category, customer_user):
    today = timezone.localdate()
    _faq(category, "旧问题")
    viewed = _faq(category, "常看问题")
    liked = _faq(category, "有用问题")
    stale = _faq(category, "过去热门")
    _faq(category, "最新问题")
    PageUsageDay.objects.create(page=viewed, day=today, views=8)
    PageUsageDay.objects.create(page=viewed, day=today - datetime.timedelta(days=3), views=4)
    # Two helpful votes outweigh a few views; a vote that it did not help counts for nothing.
    PageFeedback.objects.create(page=liked, helpful=True, user=customer_user)
    PageFeedback.objects.create(page=liked, helpful=True, session_hash="a" * 64)
    PageFeedback.objects.create(page=stale, helpful=False, session_hash="b" * 64)
    PageUsageDay.objects.create(page=liked, day=today, views=3)
    # Read a lot, but more than 90 days ago.
    PageUsageDay.objects.create(page=stale, day=today - datetime.timedelta(days=120), views=500)

    ranked = [faq.title for faq in popular_faqs_for_viewer(customer_user, limit=5)]
    assert ranked == ["有用问题", "常看问题", "最新问题", "过去热门", "旧问题"]
    assert [faq.pk for faq in popular_faqs_for_viewer(customer_user, limit=2)] == [
        liked.pk,
        viewed.pk,
    ]


def test_popular_faqs_fall_back_to_the_newest(category, anonymous_user):
    first = _faq(category, "第一个问题")
    second = _faq(category, "第二个问题")
    assert [faq.pk for faq in popular_faqs_for_viewer(anonymous_user)] == [second.pk, first.pk]


def test_popular_faqs_leave_out_what_the_viewer_may_not_see(client, category, customer_user, agent):
    hidden = _faq(category, "内部热门问题", level=Confidentiality.INTERNAL)
    PageUsageDay.objects.create(page=hidden, day=timezone.localdate(), views=100)
    shown = _faq(category, "公开问题")
    assert [faq.pk for faq in popular_faqs_for_viewer(customer_user)] == [shown.pk]
    assert [faq.pk for faq in popular_faqs_for_viewer(agent)] == [hidden.pk, shown.pk]

    client.force_login(customer_user)
    html = client.get(home_page().url).content.decode()
    assert "公开问题" in html and "内部热门问题" not in html
    client.force_login(agent)
    assert "内部热门问题" in client.get(home_page().url).content.decode()

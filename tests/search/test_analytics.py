"""Search analytics: what is logged, the report for knowledge managers, its CSV export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from search import analytics
from search.models import SearchQueryLog
from tests.factories import UserFactory
from tests.search.test_views import SECRET_TITLE, corpus, index_records, public_faq  # noqa: F401

pytestmark = pytest.mark.django_db


def test_normalize_query_folds_and_collapses_whitespace():
    assert analytics.normalize_query("  發動機\u3000 ＡＢＣ  異響 ") == "发动机 abc 异响"


def test_viewer_role_is_coarse(
    agent, rnd_engineer, knowledge_manager, customer_user, administrator
):
    from django.contrib.auth.models import AnonymousUser

    assert analytics.viewer_role(AnonymousUser()) == "anonymous"
    assert analytics.viewer_role(agent) == "service_agent"
    assert analytics.viewer_role(rnd_engineer) == "rnd_engineer"
    assert analytics.viewer_role(knowledge_manager) == "knowledge_manager"
    assert analytics.viewer_role(customer_user) == "customer"
    assert analytics.viewer_role(administrator) == "administrator"
    assert analytics.viewer_role(UserFactory()) == "user"


def test_a_search_is_logged_with_role_and_hits_but_autocomplete_is_not(client, agent):
    index_records(public_faq())
    client.force_login(agent)
    client.get(reverse("search:autocomplete"), {"q": "发动"})
    assert SearchQueryLog.objects.count() == 0
    client.get(reverse("kb:search"), {"q": " 發動機  異響 "})
    log = SearchQueryLog.objects.get()
    assert log.normalized == "发动机 异响"
    assert log.query_text == "發動機  異響"
    assert log.viewer_role == "service_agent"
    assert log.scope == "staff"
    assert log.hits == 1
    assert log.user == agent


def _log(text, *, hits=1, clicked=False, days_ago=0, role="service_agent"):
    log = SearchQueryLog.objects.create(
        query_text=text,
        normalized=analytics.normalize_query(text),
        scope="staff",
        viewer_role=role,
        hits=hits,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    if clicked:
        analytics.record_click(log.pk, key="kb.faqpage:1", rank=1)
    return log


@pytest.fixture
def logs(db):
    for _ in range(3):
        _log("发动机异响", clicked=True)
    _log("发动机异响")
    _log("滤芯", hits=5)
    _log("滤芯", hits=5)
    _log("星际导航", hits=0)
    _log("星际导航", hits=0)
    _log("=HYPERLINK(1)", hits=0)
    _log("旧问题", hits=0, days_ago=45)  # outside the 30-day period


def test_report_lists(logs):
    since = analytics.period_start(30)
    top = analytics.top_queries(since)
    assert [(row.query, row.searches, row.clicks) for row in top[:3]] == [
        ("发动机异响", 4, 3),
        ("星际导航", 2, 0),
        ("滤芯", 2, 0),
    ]
    assert {row.query for row in analytics.zero_result_queries(since)} == {
        "星际导航",
        "=hyperlink(1)",
    }
    assert [row.query for row in analytics.no_click_queries(since)] == ["滤芯"]
    summary = analytics.summary(since)
    assert summary.searches == 9
    assert summary.zero_result_searches == 3
    assert summary.ctr == pytest.approx(3 / 6)
    older = analytics.zero_result_queries(analytics.period_start(90))
    assert "旧问题" in {row.query for row in older}


def test_a_click_is_recorded_once_and_only_soon_after_the_search(db):
    log = _log("发动机")
    assert analytics.record_click(log.pk, key="a:1", rank=2)
    assert not analytics.record_click(log.pk, key="a:2", rank=3)
    log.refresh_from_db()
    assert (log.clicked_key, log.clicked_rank) == ("a:1", 2)
    stale = _log("旧的", days_ago=2)
    assert not analytics.record_click(stale.pk, key="a:1", rank=1)


def test_report_page_for_knowledge_manager(client, knowledge_manager, logs):
    client.force_login(knowledge_manager)
    response = client.get(reverse("search_analytics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "发动机异响" in html
    assert 'id="zero-result-queries"' in html and "星际导航" in html
    assert 'id="no-click-queries"' in html
    assert "旧问题" not in html  # outside the default 30 days
    html = client.get(reverse("search_analytics"), {"days": "90"}).content.decode()
    assert "旧问题" in html
    assert 'data-ctr="0.500"' in html or 'data-ctr="0,500"' in html


def test_report_never_shows_result_titles(client, knowledge_manager, corpus, administrator):  # noqa: F811
    # The administrator searches for and opens the secret drawing; the report shows the query.
    client.force_login(administrator)
    client.get(reverse("kb:search"), {"q": "星河"})
    client.force_login(knowledge_manager)
    html = client.get(reverse("search_analytics")).content.decode()
    assert "星河" in html
    assert SECRET_TITLE not in html
    assert "knowledgedocument" not in html


@pytest.mark.parametrize("who", ["agent", "rnd_engineer", "trainer", "customer_user"])
def test_report_and_export_refused_to_others(client, request, who, logs):
    client.force_login(request.getfixturevalue(who))
    for name in ("search_analytics", "search_analytics_export"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert "发动机异响".encode() not in response.content


def test_report_refused_to_anonymous(client, logs):
    response = client.get(reverse("search_analytics"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_knowledge_gap_export_is_csv(client, knowledge_manager, logs):
    client.force_login(knowledge_manager)
    response = client.get(reverse("search_analytics_export"), {"days": "30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 1 + 3  # header, two zero-result queries, one no-click query
    assert any("星际导航" in line for line in lines)
    assert any("滤芯" in line for line in lines)
    assert any(line.split(",")[1] == "'=hyperlink(1)" for line in lines)  # no formula
    assert "发动机异响" not in body  # clicked: not a gap

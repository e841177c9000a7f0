"""The search pages, the help centre's search, the JSON endpoints and the click logger.

Records are indexed directly (literal permission tokens), so these tests do not depend on how
each model becomes a record; every surface is checked for what a viewer must not see.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from django.urls import reverse

from search.analysis import get_analyzer
from search.backends import get_backend
from search.documents import build_document
from search.models import SearchQueryLog
from search.records import Record
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PUBLIC = {"read": ["all", "public"], "restrict": ["all", "open"]}
STAFF = {"read": ["all", "staff"], "restrict": ["all", "open"]}
SECRET_OWNER_TOKEN = "user:987654"  # nobody in these tests
SECRET_TITLE = "星河项目发动机总成图纸"
SECRET_WORD = "星河"
SECRET_TAG = "星河机密标签"
SECRET_URL = "/docs/xinghe-secret/"


def when(day: int) -> dt.datetime:
    return dt.datetime(2025, 1, day, 8, 0, tzinfo=dt.UTC)


def index_records(*records: Record) -> None:
    """Put records in the test's index, through the real analyzer."""
    analyzer = get_analyzer()
    get_backend().index([build_document(record, analyzer) for record in records])


def public_faq(**fields) -> Record:
    values = {
        "key": "kb.faqpage:1",
        "type": "faq",
        "title": "发动机异响怎么办",
        "url": "/help/engine-noise/",
        "body": "发动机出现异响时，先检查机油液位，再检查皮带张紧。",
        "tags": ["发动机", "保养"],
        "category_ids": [10, 11],
        "category_path": ["售后服务", "发动机"],
        "updated_at": when(20),
        **PUBLIC,
    }
    values.update(fields)
    return Record(**values)


@pytest.fixture
def corpus(rnd_department, service_department):
    """A public FAQ, twelve public articles, an internal article, a secret drawing, a ticket."""
    customer = CustomerFactory(name="东方机械")
    articles = [
        Record(
            key=f"kb.articlepage:{100 + i}",
            type="article",
            title=f"滤芯更换指南第{i}篇",
            url=f"/help/filter-{i}/",
            body=f"更换滤芯的步骤说明，第{i}部分。turbocharger 保养也在此说明。",
            tags=["滤芯"],
            category_ids=[10, 12],
            category_path=["售后服务", "滤芯"],
            updated_at=when(i),
            **PUBLIC,
        )
        for i in range(1, 13)
    ]
    internal = Record(
        key="kb.articlepage:200",
        type="article",
        title="内部排障手册：发动机过热",
        url="/kb/internal-overheat/",
        body="发动机过热时的内部排障流程。",
        tags=["排障"],
        departments=[service_department.pk],
        updated_at=when(15),
        **STAFF,
    )
    secret = Record(
        key="documents.knowledgedocument:300",
        type="document",
        title=SECRET_TITLE,
        url=SECRET_URL,
        body=f"{SECRET_WORD}项目 发动机 图纸 保密资料，{SECRET_WORD}代号。",
        tags=[SECRET_TAG],
        departments=[rnd_department.pk],
        updated_at=when(25),
        read=["all", SECRET_OWNER_TOKEN],
        restrict=["all", "open"],
    )
    ticket = Record(
        key="tickets.ticket:400",
        type="ticket",
        title="工单：发动机漏油",
        url="/tickets/400/",
        body="客户反映发动机漏油。",
        customers=[customer.pk],
        updated_at=when(18),
        read=["all", "service", f"customer:{customer.pk}"],
        restrict=["all", "open"],
    )
    index_records(public_faq(), *articles, internal, secret, ticket)
    return {"customer": customer, "internal": internal, "secret": secret, "ticket": ticket}


def page(client, url_name="kb:search", **params):
    """Return the page's HTML with the <mark> highlights taken out (titles read whole)."""
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return re.sub(r"</?mark>", "", response.content.decode())


def api(client, url_name="search:api", **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def result_links(html: str) -> list[str]:
    return re.findall(r'class="result-title" href="([^"]+)"', html)


# Parts of the hidden item that no other item holds: its title's end, its tag's end, its URL,
# its key and its department's name.
_LEAKS = (SECRET_TITLE, SECRET_WORD, SECRET_TAG, "总成图纸", "机密标签", SECRET_URL)
_LEAKS += ("xinghe", "knowledgedocument:300", "研发中心")


def assert_secret_absent(text: str, *typed: str) -> None:
    """Assert that nothing of the hidden item is in `text`, apart from what the user typed."""
    for words in sorted(typed, key=len, reverse=True):
        for form in (words, quote(words), quote_plus(words)):
            text = text.replace(form, "")
    for leak in _LEAKS:
        assert leak not in text, leak


# --- the staff page ----------------------------------------------------------------------------


def test_empty_search_shows_the_form_and_tips(client, corpus):
    html = page(client)
    assert 'name="q"' in html
    assert 'role="combobox"' in html
    assert "search/search.js" in html
    assert "result-list" not in html
    assert '"精确短语"' in html or "&quot;精确短语&quot;" in html  # the syntax help
    assert SearchQueryLog.objects.count() == 0


def test_results_show_type_highlighted_title_path_snippet_and_date(client, corpus):
    response = client.get(reverse("kb:search"), {"q": "发动机异响"})
    assert "<mark>发动机</mark>" in response.content.decode()
    html = page(client, q="发动机异响")
    assert 'class="result-kind result-kind-faq"' in html
    assert "售后服务 › 发动机" in html
    assert "机油液位" in html  # the snippet
    assert 'datetime="2025-01-20' in html
    assert SearchQueryLog.objects.count() == 2  # each submitted query is logged


def test_anonymous_sees_public_items_only(client, corpus):
    html = page(client, q="发动机")
    assert "发动机异响怎么办" in html
    assert "内部排障手册" not in html
    assert "工单：发动机漏油" not in html
    assert_secret_absent(html)


def test_agent_sees_internal_items_and_the_ticket_but_not_the_secret(client, corpus, agent):
    client.force_login(agent)
    html = page(client, q="发动机")
    assert "内部排障手册" in html
    assert "工单：发动机漏油" in html
    assert_secret_absent(html)


def test_the_secret_is_found_by_a_superuser(client, corpus, administrator):
    """The permission proofs can fail: the same searches show the item to someone allowed."""
    client.force_login(administrator)
    html = page(client, q=SECRET_WORD)
    assert SECRET_TITLE in html
    assert SECRET_TAG in html
    assert "研发中心" in html  # the department facet
    data = api(client, q=SECRET_WORD)
    assert data["total"] == 1
    suggestions = api(client, "search:autocomplete", q="星河")["suggestions"]
    assert [s["title"] for s in suggestions] == [SECRET_TITLE]


@pytest.mark.parametrize("who", ["anonymous", "agent", "rnd_engineer", "knowledge_manager"])
def test_no_surface_reveals_the_secret(client, corpus, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for query in (SECRET_WORD, "发动机", "图纸", SECRET_TITLE):
        for name in ("kb:search", "help_search:search", "search:api", "help_search:api"):
            raw = client.get(reverse(name), {"q": query}).content.decode()
            assert_secret_absent(raw, query)
            raw = client.get(reverse(name), {"q": query, "tag": SECRET_TAG}).content.decode()
            assert_secret_absent(raw, query, SECRET_TAG)
    for prefix in ("星", "星河", "xh", "发动机"):
        for name in ("search:autocomplete", "help_search:autocomplete"):
            raw = client.get(reverse(name), {"q": prefix}).content.decode()
            assert_secret_absent(raw, prefix)
    # The tag filter of the hidden item gives nothing, not even a count.
    assert api(client, q="发动机", tag=SECRET_TAG)["total"] == 0


def test_query_with_markup_is_escaped(client, corpus):
    html = page(client, q='<script>alert("x")</script> 发动机')
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_type_filter_and_facet_links(client, corpus):
    html = page(client, q="发动机")
    type_facet = re.search(r'data-facet="type".*?</section>', html, re.S).group(0)
    assert "FAQ" in type_facet or "常见问题" in type_facet
    faq_link = re.search(r'href="(\?[^"]*type=faq[^"]*)"', type_facet).group(1)
    params = parse_qs(urlsplit(faq_link.replace("&amp;", "&")).query)
    assert params["type"] == ["faq"]
    assert params["q"] == ["发动机"]
    assert "sid" in params  # a refinement, not a new search

    html = page(client, **params)
    assert result_links(html) and all("kb.faqpage" in link for link in result_links(html))
    assert 'aria-current="true"' in html  # the chosen facet value
    assert SearchQueryLog.objects.count() == 1  # the refinement did not log again
    # The chip of the chosen filter removes it.
    chip = re.search(r'class="filter-chip" href="([^"]+)"', html).group(1)
    assert "type=faq" not in chip.replace("&amp;", "&")


def test_tag_category_customer_and_date_filters(client, corpus, agent):
    client.force_login(agent)
    assert api(client, q="发动机", tag="保养")["total"] == 1
    assert api(client, q="滤芯", category="12")["total"] == 12
    assert api(client, q="发动机", category="11")["total"] == 1
    customer = corpus["customer"]
    data = api(client, q="发动机", customer=str(customer.pk))
    assert [hit["key"] for hit in data["hits"]] == ["tickets.ticket:400"]
    # The customer facet is labelled with the customer's name.
    labels = {v["label"] for v in api(client, q="发动机")["facets"].get("customer", [])}
    assert "东方机械" in labels
    dated = api(client, q="滤芯", date_from="2025-01-03", date_to="2025-01-05")
    assert dated["total"] == 3
    # A bad date is ignored (with an error), not a reason to show nothing.
    bad = api(client, q="滤芯", date_from="2025-13-45")
    assert bad["total"] == 12
    assert "date_from" in bad["errors"]


def test_sort_newest_and_oldest(client, corpus):
    newest = [h["key"] for h in api(client, q="滤芯", sort="newest")["hits"]]
    oldest = [h["key"] for h in api(client, q="滤芯", sort="oldest")["hits"]]
    assert newest[0] == "kb.articlepage:112"
    assert oldest[0] == "kb.articlepage:101"


def test_pagination_keeps_the_query_and_does_not_log_again(client, corpus):
    html = page(client, q="滤芯")
    assert 'data-total="12"' in html
    assert len(result_links(html)) == 10
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(next_link).query)
    assert params["page"] == ["2"] and params["q"] == ["滤芯"] and "sid" in params
    html2 = page(client, **params)
    assert len(result_links(html2)) == 2
    assert SearchQueryLog.objects.count() == 1
    # The links of page 2 still credit clicks to the logged search.
    log = SearchQueryLog.objects.get()
    assert all(link.startswith(f"/search/click/{log.pk}/") for link in result_links(html2))


def test_did_you_mean_for_a_latin_typo(client, corpus):
    html = page(client, q="turbocharjer")
    assert "result-list" not in html
    assert 'class="did-you-mean"' in html
    assert "turbocharger" in html
    assert "Check the spelling" in html or "检查" in html


def test_zero_results_show_tips_without_did_you_mean_from_hidden_items(client, corpus):
    html = page(client, q="星海")  # sounds like the secret's word: no suggestion from it
    assert "result-list" not in html
    assert_secret_absent(html)


# --- the help centre ---------------------------------------------------------------------------


def test_help_centre_shows_public_faqs_and_articles_only_even_to_staff(client, corpus, agent):
    client.force_login(agent)
    html = page(client, "help_search:search", q="发动机")
    assert "发动机异响怎么办" in html
    assert "内部排障手册" not in html
    assert "工单：发动机漏油" not in html
    data = api(client, "help_search:api", q="发动机")
    assert {hit["type"] for hit in data["hits"]} == {"faq"}
    assert {v["value"] for v in data["facets"]["type"]} <= {"faq", "article"}
    assert "department" not in data["facets"]
    assert SearchQueryLog.objects.filter(scope="help").count() == 2


def test_help_centre_form_posts_to_the_help_search(client, corpus):
    html = page(client, "help_search:search", q="滤芯")
    assert f'action="{reverse("help_search:search")}"' in html
    assert reverse("help_search:autocomplete") in html


# --- JSON --------------------------------------------------------------------------------------


def test_search_api_returns_hits_pages_facets(client, corpus):
    data = api(client, q="滤芯", page="2")
    assert data["total"] == 12
    assert data["page"] == 2 and data["num_pages"] == 2
    assert len(data["hits"]) == 2
    hit = data["hits"][0]
    assert set(hit) >= {"key", "type", "type_label", "title", "url", "snippet", "updated"}
    assert hit["updated"].startswith("2025-01-")
    assert "<mark>滤芯</mark>" in hit["snippet"]
    assert data["facets"]["type"][0]["value"] == "article"
    # Page 2 of a query is not a new search.
    assert SearchQueryLog.objects.count() == 0
    first = api(client, q="滤芯")
    assert SearchQueryLog.objects.get().scope == "api"
    api(client, q="滤芯", page="2", sid=first["sid"])
    assert SearchQueryLog.objects.count() == 1


def test_autocomplete_suggests_visible_titles_and_is_not_logged(client, corpus, agent):
    titles = [s["title"] for s in api(client, "search:autocomplete", q="发动")["suggestions"]]
    assert "发动机异响怎么办" in titles
    assert "内部排障手册：发动机过热" not in titles
    client.force_login(agent)
    titles = [s["title"] for s in api(client, "search:autocomplete", q="内部")["suggestions"]]
    assert titles == ["内部排障手册：发动机过热"]
    help_titles = [
        s["title"] for s in api(client, "help_search:autocomplete", q="内部")["suggestions"]
    ]
    assert help_titles == []
    assert SearchQueryLog.objects.count() == 0


# --- clicks ------------------------------------------------------------------------------------


def _first_click_link(client, **params) -> str:
    html = page(client, **params)
    return result_links(html)[0].replace("&amp;", "&")


def test_click_is_recorded_and_redirects_to_the_item(client, corpus):
    link = _first_click_link(client, q="发动机异响")
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/help/engine-noise/"
    log = SearchQueryLog.objects.get()
    assert log.clicked_key == "kb.faqpage:1"
    assert log.clicked_rank == 1
    assert log.clicked_at is not None


def test_forged_click_is_not_recorded(client, corpus):
    link = _first_click_link(client, q="发动机异响")
    forged = re.sub(r"s=[^&]+", "s=forged", link)
    assert client.get(forged).status_code == 302
    other_rank = link.replace("rank=1", "rank=7")
    assert client.get(other_rank).status_code == 302
    assert SearchQueryLog.objects.get().clicked_at is None


def test_click_of_another_user_is_not_recorded(client, corpus, agent, trainer):
    client.force_login(agent)
    link = _first_click_link(client, q="发动机异响")
    client.force_login(trainer)
    assert client.get(link).status_code == 302
    assert SearchQueryLog.objects.get().clicked_at is None
    client.force_login(agent)
    client.get(link)
    assert SearchQueryLog.objects.get().clicked_key == "kb.faqpage:1"


def test_click_never_redirects_off_site_nor_to_a_hidden_item(client, corpus):
    link = _first_click_link(client, q="发动机异响")
    response = client.get(link + "&next=https://evil.example/")
    assert response["Location"] == "/help/engine-noise/"
    log_id = SearchQueryLog.objects.get().pk
    hidden = f"/search/click/{log_id}/?key=documents.knowledgedocument:300&rank=1&s=x"
    assert client.get(hidden).status_code == 404
    # An index entry with an off-site URL is not followed either.
    index_records(public_faq(key="kb.faqpage:2", url="https://evil.example/phish"))
    evil = f"/search/click/{log_id}/?key=kb.faqpage:2&rank=1&s=x"
    assert client.get(evil).status_code == 404

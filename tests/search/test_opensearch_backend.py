"""ElasticsearchBackend against a live engine: an OpenSearch node started for the session (or the
server named by KB_ELASTICSEARCH_URL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from search.analysis import Analyzer
from search.backends.base import Phrase, SearchRequest, Should
from search.backends.elasticsearch import _BATCH as BATCH
from search.backends.elasticsearch import build_search, connect, index_body
from search.documents import build_document
from search.records import Record
from tests.search.opensearch.node import answers

ANALYZER = Analyzer()
# Viewer audiences as permissions.policy.audience_terms gives them ("all" is the superuser's).
STAFF = ["auth", "open", "public", "staff"]
PUBLIC = ["open", "public"]
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def doc(key, title, body="", *, read=("all", "staff"), restrict=("all", "open"), days=0, **kw):
    record = Record(
        key=key,
        type=kw.pop("type", "article"),
        title=title,
        url=f"/items/{key}/",
        read=list(read),
        restrict=list(restrict),
        body=body,
        created_at=T0 + dt.timedelta(days=days),
        updated_at=T0 + dt.timedelta(days=days),
        **kw,
    )
    return build_document(record, ANALYZER)


def words(text):
    return ANALYZER.analyze(text).words


def ask(text, field="body_w", **kw):
    """A request with one Should per analyzed word of `text`."""
    kw.setdefault("audience", STAFF)
    return SearchRequest(should=[Should(field, w) for w in words(text)], **kw)


def keys(response):
    return [hit.key for hit in response.hits]


@pytest.fixture
def backend(elasticsearch_backend):
    elasticsearch_backend.index(
        [
            doc("kb.article:1", "发动机保养手册", "发动机机油每五千公里更换一次", tags=["保养"]),
            doc(
                "kb.article:2",
                "变速箱故障排查",
                "变速箱异响时先检查油位，再检查发动机支架",
                tags=["故障"],
                days=2,
            ),
            doc(
                "kb.faq:3",
                "如何预约保养",
                "客户可以在线预约发动机保养服务",
                type="faq",
                read=("all", "public"),
                days=1,
                tags=["保养"],
                departments=[7],
            ),
            doc(
                "kb.article:4",
                "研发机密：新发动机参数",
                "新一代发动机最大扭矩450Nm",
                read=("all", "dept:3"),
                days=3,
                tags=["保养"],
            ),
        ]
    )
    return elasticsearch_backend


def test_index_then_search_finds_the_words_and_returns_stored_fields(backend):
    response = backend.search(ask("变速箱异响"))
    assert keys(response) == ["kb.article:2"]
    assert response.total == 1
    stored = response.hits[0].stored
    assert stored["title"] == "变速箱故障排查"
    assert stored["url"] == "/items/kb.article:2/"
    assert stored["type"] == "article"
    assert stored["updated"] == T0 + dt.timedelta(days=2)
    assert stored["category_path"] == []
    assert response.hits[0].score > 0


def test_permission_trimming_hides_hits_totals_and_facet_counts(backend):
    # Item 4 matches 发动机 but is readable by department 3 only.
    staff = backend.search(ask("发动机", facets=["type", "tags"]))
    assert set(keys(staff)) == {"kb.article:1", "kb.article:2", "kb.faq:3"}
    assert staff.total == 3
    assert dict(staff.facets["tags"]) == {"保养": 2, "故障": 1}

    dept = backend.search(
        ask("发动机", audience=["auth", "dept:3", "open", "public"], facets=["tags"])
    )
    assert set(keys(dept)) == {"kb.article:4", "kb.faq:3"}
    assert dict(dept.facets["tags"]) == {"保养": 2}

    public = backend.search(ask("发动机", audience=PUBLIC, facets=["type"]))
    assert keys(public) == ["kb.faq:3"]
    assert public.facets["type"] == [("faq", 1)]


def test_restrict_must_also_meet_the_audience(elasticsearch_backend):
    elasticsearch_backend.index(
        [
            doc("a:1", "保养", "保养", restrict=("all", "group:9")),
            doc("a:2", "保养", "保养"),
        ]
    )
    assert keys(elasticsearch_backend.search(ask("保养"))) == ["a:2"]
    response = elasticsearch_backend.search(ask("保养", audience=[*STAFF, "group:9"]))
    assert set(keys(response)) == {"a:1", "a:2"}


def test_search_without_audience_is_refused(backend):
    with pytest.raises(ValueError):
        backend.search(ask("发动机", audience=[]))


def test_delete_removes_and_index_replaces(backend):
    backend.delete(["kb.article:2", "unknown:9"])
    assert keys(backend.search(ask("变速箱"))) == []
    backend.index([doc("kb.article:1", "离合器更换", "离合器片磨损后更换")])
    assert keys(backend.search(ask("离合器"))) == ["kb.article:1"]
    assert keys(backend.search(ask("机油"))) == []
    assert backend.count() == 3


def test_phrase_must_and_must_not(backend):
    grams = tuple(ANALYZER.analyze("检查油位").grams)
    phrase = Phrase(fields=("title_g", "body_g"), tokens=grams)
    assert keys(backend.search(SearchRequest(audience=STAFF, must=[phrase]))) == ["kb.article:2"]
    # The same bigrams out of order are not the phrase.
    shuffled = Phrase(fields=("body_g",), tokens=tuple(reversed(grams)))
    assert keys(backend.search(SearchRequest(audience=STAFF, must=[shuffled]))) == []

    excluded = Phrase(fields=("title_g", "body_g"), tokens=tuple(ANALYZER.analyze("变速箱").grams))
    response = backend.search(ask("发动机", must_not=[excluded]))
    assert set(keys(response)) == {"kb.article:1", "kb.faq:3"}


def test_filters_and_date_ranges(backend):
    assert keys(backend.search(ask("发动机", filters={"type": ["faq"]}))) == ["kb.faq:3"]
    assert keys(backend.search(ask("发动机", filters={"department": ["7"]}))) == ["kb.faq:3"]
    response = backend.search(
        ask("发动机", filters={"tags": ["保养", "故障"], "type": ["article"]})
    )
    assert set(keys(response)) == {"kb.article:1", "kb.article:2"}
    since = backend.search(
        ask("发动机", date_ranges={"updated": (T0 + dt.timedelta(days=1), None)})
    )
    assert set(keys(since)) == {"kb.faq:3", "kb.article:2"}
    window = backend.search(
        ask("发动机", date_ranges={"created": (T0, T0 + dt.timedelta(days=1))})  # inclusive
    )
    assert set(keys(window)) == {"kb.article:1", "kb.faq:3"}
    with pytest.raises(ValueError):
        backend.search(ask("发动机", filters={"body_w": ["x"]}))


def test_sort_and_pagination(backend):
    newest = backend.search(ask("发动机", sort="newest"))
    assert keys(newest) == ["kb.article:2", "kb.faq:3", "kb.article:1"]
    oldest = backend.search(ask("发动机", sort="oldest"))
    assert keys(oldest) == ["kb.article:1", "kb.faq:3", "kb.article:2"]
    page = backend.search(ask("发动机", sort="oldest", offset=1, limit=1))
    assert keys(page) == ["kb.faq:3"]
    assert page.total == 3


def test_relevance_uses_boosts_and_requires_one_should(backend):
    # Only item 2 has 变速箱; a boosted title word ranks a title match first.
    request = SearchRequest(
        audience=STAFF,
        should=[Should("title_w", "保养", boost=5.0), Should("body_w", "检查")],
    )
    response = backend.search(request)
    assert set(keys(response)[:2]) == {"kb.article:1", "kb.faq:3"}  # boosted title matches
    assert keys(response)[2] == "kb.article:2"
    assert response.hits[1].score > response.hits[2].score
    assert (
        backend.search(SearchRequest(audience=STAFF, should=[Should("body_w", "无此词")])).total
        == 0
    )


def test_prefix_and_fuzzy_shoulds(elasticsearch_backend):
    elasticsearch_backend.index([doc("a:1", "A3-200 型号说明", "gearbox manual")])
    prefix = SearchRequest(audience=STAFF, should=[Should("prefix", "a3", prefix=True)])
    assert keys(elasticsearch_backend.search(prefix)) == ["a:1"]
    fuzzy = SearchRequest(audience=STAFF, should=[Should("body_w", "gearbx", fuzzy=1)])
    assert keys(elasticsearch_backend.search(fuzzy)) == ["a:1"]
    exact = SearchRequest(audience=STAFF, should=[Should("body_w", "gearbx")])
    assert keys(elasticsearch_backend.search(exact)) == []


def test_facets_follow_the_query(backend):
    response = backend.search(ask("保养", field="title_w", facets=["type", "tags"], facet_size=1))
    assert set(keys(response)) == {"kb.article:1", "kb.faq:3"}
    assert len(response.facets["type"]) == 1  # facet_size
    assert response.facets["tags"] == [("保养", 2)]


def test_doc_freq_keys_count(backend):
    assert backend.doc_freq("body_w", "发动机") == 4  # regardless of audience
    assert backend.doc_freq("type", "faq") == 1
    assert backend.doc_freq("body_w", "无此词") == 0
    assert backend.keys() == {"kb.article:1", "kb.article:2", "kb.faq:3", "kb.article:4"}
    assert backend.count() == 4


def test_rebuild_swaps_the_alias_and_deletes_the_old_index(backend):
    client = backend.client
    (old,) = client.alias_indices([backend.index_name])[backend.index_name]
    seen_during_rebuild = []

    def documents():
        yield doc("b:1", "离合器更换", "离合器片磨损后更换")
        # Halfway through, the old index still answers.
        seen_during_rebuild.append(keys(backend.search(ask("变速箱"))))
        yield doc("b:2", "变速箱油更换", "变速箱油每四万公里更换")

    assert backend.rebuild(documents()) == 2
    assert seen_during_rebuild == [["kb.article:2"]]
    (new,) = client.alias_indices([backend.index_name])[backend.index_name]
    assert new != old and new.startswith(f"{backend.index_name}-")
    assert backend.keys() == {"b:1", "b:2"}
    assert keys(backend.search(ask("变速箱"))) == ["b:2"]
    assert client.alias_indices([backend.building_alias]) == {}
    assert not client.raw.indices.exists(index=old)


def test_writes_during_a_rebuild_reach_the_new_index(backend):
    first_batch = [f"b:{i}" for i in range(BATCH)]

    def documents():
        for key in first_batch:
            yield doc(key, "离合器更换", "离合器片磨损后更换")
        # The first batch is in the new index; the outbox now writes while the rebuild runs.
        backend.index([doc("c:1", "刹车片更换", "刹车片厚度低于三毫米需更换")])
        backend.delete(["b:0"])
        yield doc("b:last", "离合器更换", "离合器片磨损后更换")

    assert backend.rebuild(documents()) == BATCH + 1
    assert backend.keys() == {*first_batch[1:], "b:last", "c:1"}


def test_searches_keep_answering_while_rebuild_runs(backend):
    errors, answered = [], []
    stop = threading.Event()

    def searcher():
        while not stop.is_set():
            try:
                answered.append(backend.search(ask("发动机")).total)
            except Exception as err:  # any failure during the swap is a test failure
                errors.append(err)

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for _round in range(3):
            backend.rebuild(doc(f"r:{i}", "发动机", "发动机") for i in range(50))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert answered and set(answered) <= {3, 50}
    assert backend.count() == 50


def test_clear_empties_the_index(backend):
    backend.clear()
    assert backend.count() == 0
    assert backend.search(ask("发动机")).total == 0


def test_index_body_and_query_shapes():
    body = index_body("zhiku")
    properties = body["mappings"]["properties"]
    assert properties["body_w"] == {
        "type": "text",
        "analyzer": "whitespace",
        "index_options": "freqs",
    }
    assert properties["body_g"]["index_options"] == "positions"
    assert properties["read"] == {"type": "keyword"}
    assert properties["updated"] == {"type": "date"}
    assert properties["body"] == {"type": "text", "index": False}
    query = build_search(ask("发动机")).to_dict()
    filters = query["query"]["bool"]["filter"]
    assert {"terms": {"read": STAFF}} in filters
    assert {"terms": {"restrict": STAFF}} in filters
    matching = [clause["bool"] for clause in query["query"]["bool"]["must"] if "bool" in clause]
    assert matching and matching[0]["minimum_should_match"] == 1  # the words must match
    assert query["track_total_hits"] is True
    # A clause that only adds to the score sits beside the must, where it is optional.
    scored = build_search(
        SearchRequest(
            audience=STAFF,
            should=[Should("body_w", "发动机"), Should("body_c", "机", scoring_only=True)],
        )
    ).to_dict()["query"]["bool"]
    assert scored["should"] == [{"term": {"body_c": {"value": "机", "boost": 1.0}}}]
    assert "minimum_should_match" not in scored


def test_keys_pages_through_every_document(elasticsearch_backend, monkeypatch):
    monkeypatch.setattr("search.backends.elasticsearch._KEYS_PAGE", 2)
    elasticsearch_backend.index(doc(f"k:{i}", "保养", "保养") for i in range(5))
    assert elasticsearch_backend.keys() == {f"k:{i}" for i in range(5)}


def test_flavour_is_found_at_connect(elasticsearch_url):
    info = answers(elasticsearch_url)
    expected = (
        "opensearch" if info["version"].get("distribution") == "opensearch" else "elasticsearch"
    )
    client = connect(elasticsearch_url)
    try:
        assert client.flavour == expected
    finally:
        client.close()

"""Query clauses and the proximity re-ranking of the engine's best hits."""

from __future__ import annotations

import pytest

from search import ranking
from search.analysis import Analyzer
from search.backends import load_backend
from search.backends.base import Hit, SearchRequest
from search.documents import build_document
from search.ranking import adjacent_pairs, build_should, ranked_search, rerank
from search.records import Record


def _hit(key: str, score: float, body: str, title: str = "") -> Hit:
    return Hit(key=key, score=score, stored={"title": title, "body": body, "type": "faq"})


# --- adjacent_pairs ----------------------------------------------------------------------------


def test_pairs_skip_stop_and_question_words():
    # 的 and 怎么 are skipped, so 信用卡 and 额度 are neighbours, and so are 额度 and 提高
    assert adjacent_pairs("信用卡的额度怎么提高") == ["信用卡额度", "额度提高"]


def test_punctuation_ends_a_run_of_words():
    assert adjacent_pairs("信用卡的额度，怎么提高") == ["信用卡额度"]


def test_pairs_are_folded_and_listed_once():
    assert adjacent_pairs("信用卡額度 信用卡额度") == ["信用卡额度"]
    assert adjacent_pairs("额度") == []
    assert adjacent_pairs("怎么") == []


# --- rerank ------------------------------------------------------------------------------------


def test_adjacent_query_words_lift_a_near_tie():
    pairs = adjacent_pairs("提高信用卡额度")
    scattered = _hit("scattered", 10.0, "额度说明：提高前请先核对信用卡账单")
    together = _hit("together", 9.0, "如何提高信用卡额度")
    ranked = rerank([scattered, together], pairs)
    assert [hit.key for hit in ranked] == ["together", "scattered"]
    assert ranked[0].score == pytest.approx(9.0 * (1 + ranking.PROXIMITY_WEIGHT))
    assert ranked[1].score == 10.0


def test_the_factor_is_bounded():
    pairs = adjacent_pairs("提高信用卡额度")
    strong = _hit("strong", 10.0, "额度：提高前请核对信用卡账单")
    weak = _hit("weak", 5.0, "提高信用卡额度")
    assert [hit.key for hit in rerank([strong, weak], pairs)] == ["strong", "weak"]


def test_the_title_counts_and_text_is_folded():
    pairs = adjacent_pairs("信用卡额度")
    plain = _hit("plain", 10.0, "信用卡账单与额度")
    traditional = _hit("traditional", 9.0, "", title="信用卡額度")
    assert [hit.key for hit in rerank([plain, traditional], pairs)] == ["traditional", "plain"]


def test_only_the_first_depth_hits_move():
    pairs = adjacent_pairs("信用卡额度")
    hits = [_hit(f"h{i}", 10.0 - i / 10, "账单") for i in range(3)] + [
        _hit("deep", 9.6, "信用卡额度")
    ]
    assert [hit.key for hit in rerank(hits, pairs, depth=3)] == ["h0", "h1", "h2", "deep"]
    assert [hit.key for hit in rerank(hits, pairs, depth=4)][0] == "deep"


def test_without_pairs_or_matches_the_engine_order_stays():
    hits = [_hit("a", 2.0, "信用卡额度"), _hit("b", 2.0, "账单"), _hit("c", 2.0, "信用卡额度")]
    assert rerank(hits, []) == hits
    # equal factors and equal scores: the sort is stable
    assert [hit.key for hit in rerank(hits, ["不存在的词"])] == ["a", "b", "c"]
    assert [hit.key for hit in rerank(hits, ["信用卡额度"])] == ["a", "c", "b"]


# --- single characters ------------------------------------------------------------------------


@pytest.fixture
def char_backend(tmp_path, monkeypatch):
    """A Tantivy index whose schema has the character fields, and clauses that use them."""
    from search.backends import tantivy as tantivy_backend

    fields = ("title_c", "alt_c", "body_c")
    extra = tuple(name for name in fields if name not in tantivy_backend.TOKEN_FIELDS)
    monkeypatch.setattr(tantivy_backend, "TOKEN_FIELDS", tantivy_backend.TOKEN_FIELDS + extra)
    monkeypatch.setattr(ranking, "CHAR_FIELDS", fields)
    backend = load_backend(
        "default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=tmp_path / "index"
    )
    yield backend
    backend.close()


def _record(key: str, body: str) -> Record:
    return Record(
        key=key, type="faq", title="", url="", read=["public"], restrict=["open"], body=body
    )


def test_shared_characters_lift_a_paraphrase_but_never_match_alone(char_backend):
    analyzer = Analyzer()
    # 关掉 / 关了 share no bigram and no word: only the character 关 links them. Both items share
    # the word 帐户 with the query; the character decides between them.
    char_backend.rebuild(
        [
            build_document(_record("other", "帐户开通"), analyzer),
            build_document(_record("close", "帐户关了"), analyzer),
            build_document(_record("lone", "关了"), analyzer),
        ]
    )
    should = build_should(analyzer, "帐户关掉")
    assert {clause.field for clause in should} >= {"title_c", "body_c"}
    response = char_backend.search(SearchRequest(audience=["public", "open"], should=should))
    # "lone" shares only 关: a single character is no answer on its own (打印机 vs 机).
    assert [hit.key for hit in response.hits] == ["close", "other"]


def test_characters_match_when_the_query_has_nothing_else(char_backend):
    analyzer = Analyzer()
    char_backend.rebuild([build_document(_record("close", "帐户关了"), analyzer)])
    # A one-character query has no bigram: its character clauses are what must match.
    should = build_should(analyzer, "关")
    response = char_backend.search(SearchRequest(audience=["public", "open"], should=should))
    assert [hit.key for hit in response.hits] == ["close"]


# --- ranked_search: the re-ranked head, page by page ------------------------------------------


class _FakeEngine:
    """Stands in for a backend's search() only: returns fixed hits in score order, sliced by
    the request, so the paging arithmetic of ranked_search is tested on its own (the real
    engines are tested with it in test_service.py)."""

    def __init__(self, hits):
        self.hits = hits
        self.requests = []

    def search(self, request):
        self.requests.append((request.offset, request.limit))
        from search.backends.base import SearchResponse

        page = self.hits[request.offset : request.offset + request.limit]
        return SearchResponse(total=len(self.hits), hits=page)


def _engine_hits():
    # Every third hit has the query's words together, so re-ranking moves them up.
    return [
        _hit(f"h{i}", 100.0 - i, "信用卡额度" if i % 3 == 2 else "额度说明与信用卡")
        for i in range(40)
    ]


def test_pages_of_the_reranked_head_neither_repeat_nor_skip():
    engine = _FakeEngine(_engine_hits())
    whole = ranked_search(engine, SearchRequest(audience=["public"], limit=40), "信用卡额度")
    expected = [hit.key for hit in whole.hits]
    assert expected[:20] != [hit.key for hit in _engine_hits()[:20]]  # the head moved
    paged = []
    for offset in range(0, 40, 10):
        request = SearchRequest(audience=["public"], offset=offset, limit=10)
        response = ranked_search(engine, request, "信用卡额度")
        assert response.total == 40
        paged += [hit.key for hit in response.hits]
    assert paged == expected
    assert sorted(paged) == sorted(f"h{i}" for i in range(40))


def test_date_order_and_deep_pages_are_not_reranked():
    engine = _FakeEngine(_engine_hits())
    newest = ranked_search(engine, SearchRequest(audience=["public"], sort="newest"), "信用卡额度")
    assert [hit.key for hit in newest.hits] == [f"h{i}" for i in range(10)]
    deep = ranked_search(engine, SearchRequest(audience=["public"], offset=20), "信用卡额度")
    assert [hit.key for hit in deep.hits] == [f"h{i}" for i in range(20, 30)]
    assert engine.requests[-2:] == [(0, 10), (20, 10)]

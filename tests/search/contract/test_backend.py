"""The contract every search backend keeps (wagtail-modelsearch `tests/test_backends.py` style).

Each test runs once per backend of tests/search/conftest.py BACKENDS. A write is visible to the
next search once the backend call returns (backends that refresh lazily must refresh there).
"""

from __future__ import annotations

import datetime as dt

import pytest

from search.backends.base import PHRASE_FIELDS, Phrase, SearchRequest, Should
from search.documents import build_document
from search.records import Record

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))


def keys_of(response) -> list[str]:
    return [hit.key for hit in response.hits]


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 3, n, 12, 0, tzinfo=UTC)


class TestBackendContract:
    # --- writing ------------------------------------------------------------------------

    def test_index_count_keys(self, backend, make_doc):
        assert backend.count() == 0
        assert backend.keys() == set()
        backend.index([make_doc("kb.articlepage:1", "齿轮"), make_doc("kb.faqpage:2", "轴承")])
        assert backend.count() == 2
        assert backend.keys() == {"kb.articlepage:1", "kb.faqpage:2"}

    def test_index_replaces_by_key(self, backend, make_doc, ask):
        backend.index([make_doc("kb.articlepage:1", "齿轮保养")])
        backend.index([make_doc("kb.articlepage:1", "轴承更换")])
        assert backend.count() == 1
        assert ask("齿轮").total == 0
        response = ask("轴承")
        assert keys_of(response) == ["kb.articlepage:1"]
        assert response.hits[0].stored["title"] == "轴承更换"

    def test_index_same_key_twice_in_one_batch_keeps_the_last(self, backend, make_doc, ask):
        backend.index([make_doc("k:1", "齿轮"), make_doc("k:1", "轴承")])
        assert backend.count() == 1
        assert ask("轴承").total == 1

    def test_delete_by_key(self, backend, make_doc, ask):
        backend.index([make_doc("k:1", "齿轮"), make_doc("k:2", "齿轮"), make_doc("k:3", "齿轮")])
        backend.delete(["k:1", "k:3", "k:unknown"])
        backend.delete([])
        assert backend.keys() == {"k:2"}
        assert backend.count() == 1
        assert keys_of(ask("齿轮")) == ["k:2"]

    def test_clear(self, backend, make_doc, ask):
        backend.index([make_doc("k:1", "齿轮"), make_doc("k:2", "轴承")])
        backend.clear()
        assert backend.count() == 0
        assert backend.keys() == set()
        assert ask("齿轮").total == 0

    def test_rebuild_keeps_old_content_until_done(self, backend, make_doc, ask):
        backend.index([make_doc("k:old1", "齿轮"), make_doc("k:old2", "齿轮")])
        seen_during = []

        def documents():
            yield make_doc("k:new1", "齿轮")
            seen_during.append((ask("齿轮").total, backend.keys()))
            yield make_doc("k:new2", "轴承")

        assert backend.rebuild(documents()) == 2
        assert seen_during == [(2, {"k:old1", "k:old2"})]
        assert backend.keys() == {"k:new1", "k:new2"}
        assert backend.count() == 2
        assert keys_of(ask("齿轮")) == ["k:new1"]

    def test_failed_rebuild_keeps_old_index(self, backend, make_doc, ask):
        backend.index([make_doc("k:old", "齿轮")])

        def documents():
            yield make_doc("k:new", "齿轮")
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError):
            backend.rebuild(documents())
        assert backend.keys() == {"k:old"}
        assert keys_of(ask("齿轮")) == ["k:old"]
        backend.index([make_doc("k:after", "齿轮")])  # the writer was released
        assert backend.count() == 2

    # --- matching and ranking -----------------------------------------------------------

    def test_should_clauses_are_ored(self, backend, make_doc, ask):
        backend.index(
            [
                make_doc("k:1", "齿轮箱保养"),
                make_doc("k:2", "轴承更换"),
                make_doc("k:3", "报销流程"),
            ]
        )
        assert set(keys_of(ask("齿轮箱 轴承"))) == {"k:1", "k:2"}
        assert ask("齿轮箱 轴承").total == 2

    def test_scoring_only_clauses_rank_but_never_match_alone(self, backend, make_doc):
        backend.index(
            [
                make_doc("k:both", "齿轮箱", "机床齿轮箱"),
                make_doc("k:word", "齿轮箱", "齿轮箱"),
                make_doc("k:char", "机器人", "机器人"),  # shares only the character 机
            ]
        )
        response = backend.search(
            SearchRequest(
                audience=["public", "open"],
                should=[
                    Should("body_w", "齿轮箱"),
                    Should("body_c", "机", 2.0, scoring_only=True),
                ],
            )
        )
        assert keys_of(response) == ["k:both", "k:word"]
        assert response.total == 2
        # Only scoring clauses: then they are what a document must match.
        alone = backend.search(
            SearchRequest(
                audience=["public", "open"], should=[Should("body_c", "机", scoring_only=True)]
            )
        )
        assert set(keys_of(alone)) == {"k:both", "k:char"}

    def test_title_match_outranks_body_match(self, backend, make_doc, ask):
        backend.index(
            [
                make_doc("k:body", "设备说明", "本文介绍减速机的日常检查方法和注意事项。"),
                make_doc("k:title", "减速机检查", "本文介绍设备的日常检查方法和注意事项。"),
            ]
        )
        assert keys_of(ask("减速机")) == ["k:title", "k:body"]

    def test_boost_decides_order(self, backend, make_doc):
        backend.index([make_doc("k:a", "齿轮"), make_doc("k:b", "轴承")])

        def order(boost_a, boost_b):
            should = [Should("title_w", "齿轮", boost_a), Should("title_w", "轴承", boost_b)]
            response = backend.search(SearchRequest(audience=["public", "open"], should=should))
            assert response.hits[0].score > response.hits[1].score
            return keys_of(response)

        assert order(5.0, 1.0) == ["k:a", "k:b"]
        assert order(1.0, 5.0) == ["k:b", "k:a"]

    def test_phrase_must_needs_consecutive_grams(self, backend, make_doc, analyzer):
        backend.index(
            [
                make_doc("k:yes", "参数", "发动机扭矩为四百牛米。"),
                make_doc("k:apart", "参数", "矩为单位。扭矩很大。"),  # both grams, not in order
                make_doc("k:no", "参数", "功率很大。"),
            ]
        )
        grams = tuple(analyzer.grams("扭矩为"))
        assert grams == ("扭矩", "矩为")
        phrase = Phrase(PHRASE_FIELDS, grams)
        response = backend.search(SearchRequest(audience=["public", "open"], must=[phrase]))
        assert keys_of(response) == ["k:yes"]
        assert response.total == 1

    def test_phrase_must_not(self, backend, make_doc, analyzer, ask):
        backend.index([make_doc("k:1", "齿轮", "花呗还款"), make_doc("k:2", "齿轮", "信用卡还款")])
        excluded = Phrase(PHRASE_FIELDS, tuple(analyzer.grams("花呗")))
        assert keys_of(ask("齿轮", must_not=[excluded])) == ["k:2"]

    def test_phrase_alone_without_should(self, backend, make_doc):
        backend.index([make_doc("k:1", "型号 A3-200 说明"), make_doc("k:2", "型号 B7 说明")])
        response = backend.search(
            SearchRequest(audience=["public", "open"], must=[Phrase(PHRASE_FIELDS, ("a3-200",))])
        )
        assert keys_of(response) == ["k:1"]

    # --- filters ------------------------------------------------------------------------

    @pytest.fixture
    def filtered(self, backend, make_doc):
        backend.index(
            [
                make_doc(
                    "k:1",
                    "齿轮",
                    type="faq",
                    tags=["保养", "齿轮"],
                    category_ids=[10, 11],
                    departments=[1],
                    customers=[7],
                    language="zh-hans",
                ),
                make_doc(
                    "k:2",
                    "齿轮",
                    type="article",
                    tags=["保养"],
                    category_ids=[10, 12],
                    departments=[2],
                    language="en",
                ),
                make_doc(
                    "k:3",
                    "齿轮",
                    type="case",
                    tags=["故障"],
                    category_ids=[20],
                    departments=[1, 2],
                    customers=[8],
                ),
            ]
        )

    @pytest.mark.parametrize(
        ("field", "values", "expected"),
        [
            ("type", ["faq"], {"k:1"}),
            ("type", ["faq", "case"], {"k:1", "k:3"}),
            ("tags", ["保养"], {"k:1", "k:2"}),
            ("tags", ["齿轮", "故障"], {"k:1", "k:3"}),
            ("category", ["10"], {"k:1", "k:2"}),
            ("category", ["12", "20"], {"k:2", "k:3"}),
            ("department", ["1"], {"k:1", "k:3"}),
            ("department", ["2"], {"k:2", "k:3"}),
            ("customer", ["8"], {"k:3"}),
            ("customer", ["7", "8"], {"k:1", "k:3"}),
            ("language", ["en"], {"k:2"}),
            ("key", ["k:2", "k:3"], {"k:2", "k:3"}),
            ("type", ["question"], set()),
        ],
    )
    def test_filter_on_each_keyword_field(self, filtered, ask, field, values, expected):
        response = ask("齿轮", filters={field: values})
        assert set(keys_of(response)) == expected
        assert response.total == len(expected)

    def test_filters_and_across_fields(self, filtered, ask):
        response = ask("齿轮", filters={"tags": ["保养"], "department": ["2"]})
        assert keys_of(response) == ["k:2"]
        response = ask("齿轮", filters={"type": ["faq", "article"], "category": ["20"]})
        assert response.total == 0

    def test_filters_without_query_text(self, filtered, ask):
        assert set(keys_of(ask(filters={"department": ["1"]}))) == {"k:1", "k:3"}

    @pytest.fixture
    def dated(self, backend, make_doc):
        backend.index(
            [
                make_doc("k:1", "齿轮", updated_at=day(1), created_at=day(1)),
                make_doc("k:2", "齿轮", updated_at=day(2), created_at=day(1)),
                make_doc("k:3", "齿轮", updated_at=day(3), created_at=day(3)),
            ]
        )

    @pytest.mark.parametrize(
        ("field", "bounds", "expected"),
        [
            ("updated", (day(2), day(2)), {"k:2"}),  # inclusive at both ends
            ("updated", (day(2), None), {"k:2", "k:3"}),
            ("updated", (None, day(2)), {"k:1", "k:2"}),
            ("updated", (None, None), {"k:1", "k:2", "k:3"}),
            ("updated", (day(2) + dt.timedelta(seconds=1), None), {"k:3"}),
            ("created", (day(1), day(2)), {"k:1", "k:2"}),
            # The same instant written in China Standard Time.
            ("updated", (day(2).astimezone(CST), day(2).astimezone(CST)), {"k:2"}),
        ],
    )
    def test_date_ranges(self, dated, ask, field, bounds, expected):
        response = ask("齿轮", date_ranges={field: bounds})
        assert set(keys_of(response)) == expected
        assert response.total == len(expected)

    def test_sort_newest_and_oldest(self, dated, ask):
        assert keys_of(ask("齿轮", sort="newest")) == ["k:3", "k:2", "k:1"]
        assert keys_of(ask("齿轮", sort="oldest")) == ["k:1", "k:2", "k:3"]

    # --- pages and facets ---------------------------------------------------------------

    @pytest.mark.parametrize("sort", ["relevance", "newest"])
    def test_pagination(self, backend, make_doc, ask, sort):
        backend.index(
            make_doc(
                f"k:{n}",
                "齿轮" * (1 + n % 3),
                f"第{n}条",
                updated_at=dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=n),
            )
            for n in range(25)
        )
        everything = ask("齿轮", sort=sort, limit=25)
        assert everything.total == 25
        pages = [ask("齿轮", sort=sort, offset=offset, limit=10) for offset in (0, 10, 20)]
        assert [page.total for page in pages] == [25, 25, 25]
        assert [len(page.hits) for page in pages] == [10, 10, 5]
        assert sum((keys_of(page) for page in pages), []) == keys_of(everything)
        assert ask("齿轮", offset=30, limit=10).hits == []

    def test_facets_count_matching_visible_documents(self, backend, make_doc, ask):
        backend.index(
            [
                make_doc("k:1", "齿轮", type="faq", tags=["保养"], departments=[1]),
                make_doc("k:2", "齿轮", type="faq", tags=["保养", "故障"], departments=[2]),
                make_doc("k:3", "齿轮", type="article", tags=["故障"]),
                make_doc("k:4", "轴承", type="article", tags=["保养"]),  # does not match
                make_doc(
                    "k:5", "齿轮", type="case", tags=["隐藏标签"], read=["all", "staff"]
                ),  # hidden from the public
            ]
        )
        response = ask("齿轮", facets=("type", "tags", "department", "customer", "category"))
        assert response.total == 3
        facets = {name: dict(buckets) for name, buckets in response.facets.items()}
        assert facets == {
            "type": {"faq": 2, "article": 1},
            "tags": {"保养": 2, "故障": 2},
            "department": {"1": 1, "2": 1},
            "customer": {},  # a field no document has a value in
            "category": {},
        }
        assert response.facets["type"][0] == ("faq", 2)  # biggest bucket first

    def test_facet_size(self, backend, make_doc, ask):
        backend.index(make_doc(f"k:{n}", "齿轮", tags=[f"标签{n}"]) for n in range(5))
        assert len(ask("齿轮", facets=("tags",), facet_size=3).facets["tags"]) == 3

    def test_facets_of_an_empty_result(self, backend, make_doc, ask):
        backend.index([make_doc("k:1", "齿轮", tags=["保养"])])
        response = ask("轴承", facets=("tags", "type"))
        assert response.total == 0
        assert response.facets == {"tags": [], "type": []}

    # --- typos, prefixes, statistics -----------------------------------------------------

    def test_fuzzy_should(self, backend, make_doc):
        backend.index([make_doc("k:1", "engine maintenance"), make_doc("k:2", "gearbox")])
        should = [Should("title_w", "engime", 1.0, fuzzy=1)]
        assert keys_of(
            backend.search(SearchRequest(audience=["public", "open"], should=should))
        ) == ["k:1"]
        exact = [Should("title_w", "engime", 1.0)]
        assert backend.search(SearchRequest(audience=["public", "open"], should=exact)).total == 0

    def test_prefix_should(self, backend, make_doc):
        backend.index([make_doc("k:1", "engine maintenance"), make_doc("k:2", "gearbox")])
        should = [Should("title_w", "mainten", 1.0, prefix=True)]
        assert keys_of(
            backend.search(SearchRequest(audience=["public", "open"], should=should))
        ) == ["k:1"]

    def test_autocomplete_prefix_field(self, backend, make_doc):
        backend.index([make_doc("k:1", "花呗怎么还款"), make_doc("k:2", "信用卡还款")])
        for prefix in ("花呗", "hb"):  # title prefix, pinyin initials
            should = [Should("prefix", prefix, 4.0)]
            response = backend.search(SearchRequest(audience=["public", "open"], should=should))
            assert keys_of(response) == ["k:1"]

    def test_doc_freq_ignores_audience(self, backend, make_doc):
        backend.index(
            [
                make_doc("k:1", "齿轮", "减速机"),
                make_doc("k:2", "齿轮", "减速机", read=["all", "staff"]),
                make_doc("k:3", "轴承"),
            ]
        )
        assert backend.doc_freq("body_w", "减速机") == 2
        assert backend.doc_freq("title_w", "齿轮") == 2
        assert backend.doc_freq("title_w", "不存在的词") == 0

    # --- analysis end to end -------------------------------------------------------------

    @pytest.mark.parametrize(
        ("indexed", "query"),
        [
            ("發動機保養手冊", "发动机"),
            ("发动机保养手册", "發動機"),
            ("引擎保养手册", "发动机"),  # synonym
            ("型号 Ａ３－２００ 的扭矩", "a3-200"),  # full-width
            ("型号 A3-200 的扭矩", "Ａ３－２００"),
        ],
    )
    def test_folding(self, backend, make_doc, ask, indexed, query):
        backend.index([make_doc("k:1", indexed), make_doc("k:2", "报销流程")])
        assert keys_of(ask(query)) == ["k:1"]

    def test_homophone_typo_via_pinyin(self, backend, make_doc, ask):
        backend.index([make_doc("k:1", "花呗怎么还款"), make_doc("k:2", "信用卡额度")])
        assert keys_of(ask("花贝"))[:1] == ["k:1"]

    # --- stored fields and permissions ----------------------------------------------------

    def test_stored_fields_round_trip(self, backend, analyzer, ask):
        updated = dt.datetime(2026, 2, 3, 9, 30, 15, tzinfo=CST)
        record = Record(
            key="kb.casehistorypage:9",
            type="case",
            title="發動機異響的處理 <b>",
            url="/cases/9/",
            read=["all", "public"],
            restrict=["all", "open"],
            body="现象：冷启动时有“哒哒”声。\n处理：更换液压挺柱。",
            attachments="附件：维修记录.pdf 的文字",
            category_path=["售后服务", "发动机"],
            updated_at=updated,
            extra={"status": "已解决", "number": 42, "files": ["a.pdf"]},
        )
        backend.index([build_document(record, analyzer)])
        (hit,) = ask("发动机").hits
        stored = hit.stored
        assert hit.key == "kb.casehistorypage:9"
        assert stored["type"] == "case"
        assert stored["title"] == record.title
        assert stored["url"] == "/cases/9/"
        assert stored["body"] == record.body
        assert stored["attachments"] == record.attachments
        assert stored["category_path"] == ["售后服务", "发动机"]
        assert stored["extra"] == {"status": "已解决", "number": 42, "files": ["a.pdf"]}
        assert stored["updated"] == updated
        assert stored["updated"].utcoffset() == dt.timedelta(0)

    def test_missing_optional_fields(self, backend, analyzer, ask):
        record = Record(
            key="k:1", type="faq", title="齿轮", url="/1/", read=["public"], restrict=["open"]
        )
        backend.index([build_document(record, analyzer)])
        (hit,) = ask("齿轮").hits
        assert hit.stored["body"] == "" and hit.stored["attachments"] == ""
        assert hit.stored["category_path"] == [] and hit.stored["extra"] == {}
        assert hit.stored["updated"] is None
        assert keys_of(ask("齿轮", sort="newest")) == ["k:1"]

    @pytest.mark.parametrize(
        ("read", "restrict", "audience", "visible"),
        [
            (["all", "public"], ["all", "open"], ["public", "open"], True),
            (["all", "staff"], ["all", "open"], ["public", "open"], False),
            (["all", "public"], ["all", "auth"], ["public", "open"], False),  # login required
            (["all", "public"], ["all", "auth"], ["public", "open", "auth"], True),
            (["all", "dept:1"], ["all", "open"], ["staff", "open", "dept:2"], False),
            (["all", "dept:1"], ["all", "group:3"], ["open", "dept:1"], False),
            (["all", "dept:1"], ["all", "group:3"], ["group:3", "dept:1"], True),
            (["all"], ["all"], ["all"], True),  # a superuser
        ],
    )
    def test_audience_needs_read_and_restrict(
        self, backend, make_doc, ask, read, restrict, audience, visible
    ):
        backend.index([make_doc("k:1", "齿轮", read=read, restrict=restrict)])
        response = ask("齿轮", audience=audience, facets=("type",))
        assert (response.total, keys_of(response)) == ((1, ["k:1"]) if visible else (0, []))
        assert response.facets["type"] == ([("article", 1)] if visible else [])
        assert backend.search(SearchRequest(audience=audience)).total == int(visible)

    def test_search_without_audience_is_refused(self, backend, make_doc, analyzer):
        backend.index([make_doc("k:1", "齿轮")])
        with pytest.raises(ValueError):
            backend.search(SearchRequest(audience=[], should=[Should("title_w", "齿轮")]))

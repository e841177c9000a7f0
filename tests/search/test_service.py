"""The query service on a real Tantivy index: parsing, paging, filters, snippets, scopes,
suggestions. Records are built directly (no models) and indexed through build_document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from search import service
from search.analysis import get_analyzer, reset_analyzer
from search.backends import load_backend
from search.documents import build_document
from search.records import RECORD_TYPES, Record
from search.service import SearchFilters, parse_query

PUBLIC = {"read": ["all", "public"], "restrict": ["all", "open"]}
INTERNAL = {"read": ["all", "staff"], "restrict": ["all", "open"]}
DAY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def backend(db, tmp_path):
    reset_analyzer()
    service.forget_department_names()
    instance = load_backend(
        "default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=tmp_path / "svc"
    )
    yield instance
    instance.close()


@pytest.fixture
def put(backend):
    """Index records given as keyword arguments (public articles unless told otherwise)."""

    def add(*records: dict) -> None:
        analyzer = get_analyzer()
        documents = []
        for fields in records:
            fields = {**PUBLIC, "type": "article", "updated_at": DAY, **fields}
            fields.setdefault("url", f"/{fields['key']}/")
            documents.append(build_document(Record(**fields), analyzer))
        backend.index(documents)

    return add


@pytest.fixture
def anonymous():
    return AnonymousUser()


# --- parsing ---------------------------------------------------------------------------------


def test_parse_query_splits_words_phrases_and_exclusions():
    parsed = parse_query('发动机 "异响 检修" -漏油 -"冷却液 泄漏" A3-200')
    assert parsed.text == "发动机 A3-200"
    assert parsed.phrases == ["异响 检修"]
    assert parsed.excluded == ["漏油", "冷却液 泄漏"]


@pytest.mark.parametrize("raw", ["“发动机异响”", "「发动机异响」", "＂发动机异响＂"])
def test_parse_query_reads_curly_and_corner_quotes_as_phrases(raw):
    parsed = parse_query(f"{raw} 维修")
    assert parsed.phrases == ["发动机异响"]
    assert parsed.text == "维修"


def test_parse_query_reads_an_unclosed_quote_as_an_ordinary_character():
    parsed = parse_query('"发动机 异响')
    assert parsed.phrases == []
    assert parsed.text == "发动机 异响"


def test_parse_query_of_only_exclusions_is_empty():
    assert parse_query("-漏油").empty
    assert parse_query('  ""  ').empty


# --- the viewer ------------------------------------------------------------------------------


def test_a_viewer_is_mandatory(backend):
    with pytest.raises(ValueError, match="viewer"):
        service.search("发动机", viewer=None, backend=backend)
    with pytest.raises(ValueError, match="viewer"):
        service.autocomplete("发动", viewer=None, backend=backend)


# --- ranking features ------------------------------------------------------------------------


def test_phrase_and_exclusion(put, backend, anonymous):
    put(
        {"key": "a:1", "title": "发动机异响检修", "body": "异响检修的步骤"},
        {"key": "a:2", "title": "发动机漏油", "body": "检修异响和漏油"},
        {"key": "a:3", "title": "冷却系统", "body": "异响 以及 检修"},
    )
    found = service.search('"异响检修"', viewer=anonymous, backend=backend)
    assert {hit.key for hit in found.hits} == {"a:1"}
    found = service.search("发动机 -漏油", viewer=anonymous, backend=backend)
    assert {hit.key for hit in found.hits} == {"a:1"}


def test_pagination_and_sort(put, backend, anonymous):
    put(
        *(
            {
                "key": f"a:{i}",
                "title": f"维修记录{i}",
                "body": "设备维修",
                "updated_at": DAY + dt.timedelta(days=i),
            }
            for i in range(25)
        )
    )
    third = service.search("维修", viewer=anonymous, page=3, page_size=10, backend=backend)
    assert third.total == 25
    assert third.num_pages == 3
    assert not third.has_next and third.has_previous
    assert [hit.rank for hit in third.hits] == [21, 22, 23, 24, 25]
    first = service.search("维修", viewer=anonymous, page=1, page_size=10, backend=backend)
    assert not {h.key for h in first.hits} & {h.key for h in third.hits}

    newest = service.search("维修", viewer=anonymous, sort="newest", backend=backend)
    assert [hit.key for hit in newest.hits[:2]] == ["a:24", "a:23"]
    oldest = service.search("维修", viewer=anonymous, sort="oldest", backend=backend)
    assert [hit.key for hit in oldest.hits[:2]] == ["a:0", "a:1"]
    beyond = service.search("维修", viewer=anonymous, page=10_000, backend=backend)
    assert beyond.page == service.MAX_PAGE and beyond.hits == []


def test_words_standing_together_rank_first_on_every_page(put, backend, anonymous):
    # BM25 prefers the short items (they hold every query token, 卡额 of 储蓄卡额外 included);
    # the proximity re-ranking lifts the longer one where 信用卡 and 额度 stand together, in the
    # query's order, to the top, and the pages that follow neither repeat nor skip an item.
    put(
        *(
            {"key": f"apart:{i}", "title": "", "body": f"储蓄卡额外说明，信用卡账单额度{i}"}
            for i in range(12)
        ),
        {
            "key": "together",
            "title": "",
            "body": "关于信用卡额度的说明：账单、还款日期以及其他相关事项",
        },
    )
    by_date = service.search("信用卡额度", viewer=anonymous, sort="newest", backend=backend)
    assert by_date.total == 13
    first = service.search("信用卡额度", viewer=anonymous, page_size=5, backend=backend)
    assert first.hits[0].key == "together"
    keys = [hit.key for hit in first.hits]
    for page in (2, 3):
        more = service.search(
            "信用卡额度", viewer=anonymous, page=page, page_size=5, backend=backend
        )
        keys += [hit.key for hit in more.hits]
    assert sorted(keys) == sorted(["together", *(f"apart:{i}" for i in range(12))])


def test_filters_type_date_category_department_tag(put, backend, anonymous):
    put(
        {
            "key": "a:1",
            "type": "faq",
            "title": "变速箱保养",
            "category_ids": [1, 5],
            "departments": [7],
            "tags": ["保养"],
            "updated_at": DAY,
        },
        {
            "key": "a:2",
            "title": "变速箱拆解",
            "category_ids": [1, 6],
            "departments": [8],
            "tags": ["拆解"],
            "updated_at": DAY + dt.timedelta(days=40),
        },
        {"key": "a:3", "title": "变速箱油", "category_ids": [2], "updated_at": DAY},
    )

    def keys(**filters):
        results = service.search(
            "变速箱", viewer=anonymous, filters=SearchFilters(**filters), backend=backend
        )
        return {hit.key for hit in results.hits}

    assert keys() == {"a:1", "a:2", "a:3"}
    assert keys(types=["faq"]) == {"a:1"}
    assert keys(types=["no-such-type"]) == set()
    assert keys(category=1) == {"a:1", "a:2"}  # the whole subtree
    assert keys(category=6) == {"a:2"}
    assert keys(departments=[8]) == {"a:2"}
    assert keys(tags=["保养"]) == {"a:1"}
    assert keys(date_from=dt.date(2026, 2, 1)) == {"a:2"}
    assert keys(date_to=dt.date(2026, 1, 1)) == {"a:1", "a:3"}
    assert keys(date_from=dt.date(2026, 1, 2), date_to=dt.date(2026, 2, 1)) == set()


def test_facets_are_labelled_and_follow_department_renames(put, backend, anonymous):
    from tests.factories import DepartmentFactory

    department = DepartmentFactory(name="研发中心", code="rnd")
    put(
        {"key": "a:1", "type": "faq", "title": "电池更换", "departments": [department.pk]},
        {"key": "a:2", "title": "电池检测", "departments": [department.pk, 999_999]},
    )
    results = service.search("电池", viewer=anonymous, backend=backend)
    types = {value.value: (value.label, value.count) for value in results.facets["type"]}
    assert types == {
        "faq": (str(RECORD_TYPES["faq"]), 1),
        "article": (str(RECORD_TYPES["article"]), 1),
    }
    departments = results.facets["department"]
    # The unknown department 999999 is left out, not shown as a raw id.
    assert [(v.value, v.label, v.count) for v in departments] == [
        (str(department.pk), "研发中心", 2)
    ]

    department.name = "研发部"
    department.save()
    results = service.search("电池", viewer=anonymous, backend=backend)
    assert results.facets["department"][0].label == "研发部"


# --- snippets --------------------------------------------------------------------------------


def test_snippet_marks_simplified_text_for_a_traditional_query(put, backend, anonymous):
    put(
        {"key": "a:1", "title": "发动机异响", "body": "冷车启动时发动机有异响，<b>请</b>检查皮带。"}
    )
    hit = service.search("發動機", viewer=anonymous, backend=backend).hits[0]
    assert "<mark>发动机</mark>" in hit.snippet
    assert "&lt;b&gt;请&lt;/b&gt;" in hit.snippet  # the text is escaped, only <mark> is markup
    assert "<b>" not in hit.snippet
    assert hit.title_html == "<mark>发动机</mark>异响"


def test_snippet_marks_traditional_text_for_a_simplified_query(put, backend, anonymous):
    put({"key": "a:1", "title": "保養手冊", "body": "冷車啟動時發動機有異響，請檢查皮帶。"})
    hit = service.search("发动机", viewer=anonymous, backend=backend).hits[0]
    assert "<mark>發動機</mark>" in hit.snippet


def test_snippet_comes_from_attachments_when_the_body_does_not_match(put, backend, anonymous):
    put(
        {
            "key": "a:1",
            "title": "维护说明",
            "body": "本文介绍日常维护。",
            "attachments": "附件：液压泵更换步骤，先泄压再拆卸。",
        }
    )
    hit = service.search("液压泵", viewer=anonymous, backend=backend).hits[0]
    assert "<mark>液压泵</mark>" in hit.snippet
    assert "日常维护" not in hit.snippet


def test_snippet_finds_a_match_deep_in_a_long_body(put, backend, anonymous):
    body = "无关内容。" * 2000 + "这里说明液压泵的更换。" + "其他内容。" * 100
    put({"key": "a:1", "title": "长文档", "body": body})
    hit = service.search("液压泵", viewer=anonymous, backend=backend).hits[0]
    assert "<mark>液压泵</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < service.SNIPPET_CHARS + 40


def test_highlight_window_prefers_more_distinct_words():
    pattern = service._needle_pattern(["液压泵", "更换"])
    text = "液压泵" + "填充文字" * 60 + "液压泵更换步骤" + "填充文字" * 60
    snippet = service.highlight(text, pattern, width=40)
    assert "<mark>液压泵</mark><mark>更换</mark>" in snippet


# --- scopes ----------------------------------------------------------------------------------


def test_help_centre_scope_shows_staff_only_public_faqs_and_articles(put, backend, agent):
    put(
        {"key": "f:1", "type": "faq", "title": "密码重置"},
        {"key": "a:1", "type": "article", "title": "密码重置指南"},
        {"key": "c:1", "type": "case", "title": "密码重置失败案例"},
        {"key": "f:2", "type": "faq", "title": "内部密码重置流程", **INTERNAL},
    )
    staff = service.search("密码重置", viewer=agent, backend=backend)
    assert {hit.key for hit in staff.hits} == {"f:1", "a:1", "c:1", "f:2"}
    filters = SearchFilters(types=["case"])
    help_centre = service.search("密码重置", viewer=agent, scope="help", backend=backend)
    assert {hit.key for hit in help_centre.hits} == {"f:1", "a:1"}
    asked_for_cases = service.search(
        "密码重置", viewer=agent, scope="help", filters=filters, backend=backend
    )
    assert asked_for_cases.hits == []
    assert filters.types == ["case"]  # the caller's filters are not changed
    titles = {
        s["title"]
        for s in service.autocomplete("密码", viewer=agent, scope="help", backend=backend)
    }
    assert titles == {"密码重置", "密码重置指南"}


def test_internal_items_stay_hidden_from_the_public(put, backend, anonymous, agent):
    put({"key": "f:2", "type": "faq", "title": "内部报价流程", **INTERNAL})
    assert service.search("报价", viewer=anonymous, backend=backend).total == 0
    assert service.search("报价", viewer=agent, backend=backend).total == 1


# --- suggestions -----------------------------------------------------------------------------


def test_autocomplete_by_prefix_pinyin_initials_and_latin_typo(put, backend, anonymous):
    put(
        {"key": "a:1", "title": "发动机异响排查"},
        {"key": "a:2", "title": "Bluetooth pairing guide"},
        {"key": "a:3", "title": "内部发动机手册", **INTERNAL},
    )

    def titles(prefix):
        return [s["title"] for s in service.autocomplete(prefix, viewer=anonymous, backend=backend)]

    assert titles("发动") == ["发动机异响排查"]
    assert titles("fdj") == ["发动机异响排查"]
    assert titles("blutooth") == ["Bluetooth pairing guide"]
    assert titles("   ") == []


def test_did_you_mean_for_a_latin_typo(put, backend, anonymous):
    put({"key": "a:1", "title": "Bluetooth 连接失败", "body": "检查 bluetooth 开关"})
    results = service.search("blutooth", viewer=anonymous, backend=backend)
    assert results.total == 0
    assert results.did_you_mean == "bluetooth"


def test_did_you_mean_for_a_chinese_homophone(put, backend, anonymous):
    put({"key": "a:1", "title": "花呗还款说明", "body": "花呗账单每月还款。"})
    suggestion = service.did_you_mean(
        parse_query("花贝"), audience=service._audience(anonymous, "staff"), backend=backend
    )
    assert suggestion == "花呗"


def test_did_you_mean_draws_only_from_visible_items(put, backend, anonymous, agent):
    put({"key": "a:1", "title": "Bluetooth 连接失败", **INTERNAL})
    assert service.search("blutooth", viewer=anonymous, backend=backend).did_you_mean is None
    assert service.search("blutooth", viewer=agent, backend=backend).did_you_mean == "bluetooth"

"""The analyzer: folding, segmentation, stop words, synonyms, pinyin, prefixes, DB vocabulary."""

from __future__ import annotations

import pytest

from search import analysis
from search.analysis import Analyzer, fold, fold_with_offsets, get_analyzer, reset_analyzer
from search.backends import load_backend
from search.backends.base import ONCE_FIELDS, SearchRequest
from search.documents import build_document
from search.models import DictionaryWord, SearchSynonym
from search.ranking import build_should
from search.records import Record


@pytest.fixture
def analyzer():
    return Analyzer(synonyms=[["发动机", "引擎"]])


def _record(key: str, body: str, title: str = "") -> Record:
    return Record(
        key=key, type="faq", title=title, url="", read=["public"], restrict=["open"], body=body
    )


# --- folding ---------------------------------------------------------------------------------


def test_fold_traditional_to_simplified():
    assert fold("發動機") == "发动机"
    assert fold("後臺設定") == "后台设定"


def test_fold_full_width_to_half_width_and_lower_case():
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("型号（Ａ３－２００）！") == "型号(a3-200)!"
    assert fold("你好，世界：　OK？") == "你好,世界: ok?"


def test_fold_with_offsets_maps_back_to_the_source():
    folded, offsets = fold_with_offsets("ﬁ發")  # the ligature becomes two characters
    assert folded == "fi发"
    assert offsets == [0, 0, 1]


def test_traditional_query_finds_simplified_words(analyzer):
    assert analyzer.analyze("發動機").words == analyzer.analyze("发动机").words
    assert "发动机" in analyzer.analyze("發動機").words


# --- words, grams, stop words ----------------------------------------------------------------


def test_mixed_model_numbers_stay_whole(analyzer):
    tokens = analyzer.analyze("型号 A3-200 的扭矩为 450Nm，排量 1.5T")
    assert "a3-200" in tokens.grams
    assert "450nm" in tokens.grams
    assert "1.5t" in tokens.grams
    assert "型号" in tokens.words
    assert "扭矩" in tokens.grams


def test_stop_words_and_question_words_are_left_out(analyzer):
    tokens = analyzer.analyze("请问我的花呗怎么还款呢")
    assert not {"请问", "我", "的", "怎么", "呢"} & set(tokens.words)
    assert "还款" in tokens.words
    # the index keeps every bigram (phrase positions) ...
    assert "怎么" in tokens.grams
    # ... but neither the pinyin nor the ranking uses stop-word bigrams
    assert "zenme" not in tokens.pinyin
    clauses = build_should(analyzer, "请问我的花呗怎么还款呢")
    assert not [c for c in clauses if c.token in {"怎么", "请问", "zenme"}]
    assert [c for c in clauses if c.token == "花呗" and c.field == "body_g"]


def test_only_stop_words_give_no_clauses(analyzer):
    assert build_should(analyzer, "怎么") == []


def test_unknown_words_are_not_guessed(analyzer):
    # The segmenter's guesses would glue 跟 to 花 here; bigrams match the unknown 花呗 instead.
    tokens = analyzer.analyze("跟花呗都关闭")
    assert "跟花" not in tokens.words
    assert "花呗" in tokens.grams
    assert "关闭" in tokens.words


def test_lone_characters_stay_whole_in_grams(analyzer):
    assert analyzer.grams(fold("花，呗")) == ["花", "呗"]


def test_grams_and_pinyin_agree_with_the_separate_streams(analyzer):
    folded = fold("我想用花呗付款，可以吗？型号A3-200好")
    grams, pinyin = analyzer.grams_and_pinyin(folded)
    assert grams == analyzer.grams(folded)
    assert pinyin == analyzer.pinyin(grams)


def test_characters_are_han_characters_without_stop_words(analyzer):
    tokens = analyzer.analyze("请问我的花呗怎么还款呢？A3-200 關掉")
    assert tokens.chars == ["问", "花", "呗", "还", "款", "关", "掉"]
    assert analyzer.analyze("花呗", chars=False).chars == []


# --- synonyms and dictionary -----------------------------------------------------------------


def test_synonyms_add_the_main_word(analyzer):
    assert analyzer.words("引擎") == ["引擎", "发动机"]
    assert "引擎" not in analyzer.words("发动机")
    assert analyzer.synonym_group("引擎") == ("发动机", "引擎")


def test_synonyms_match_in_both_directions(analyzer, tmp_path):
    backend = load_backend(
        "default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=tmp_path / "i"
    )
    backend.index(
        [
            build_document(_record("a", "引擎保养要点"), analyzer),
            build_document(_record("b", "发动机维修记录"), analyzer),
        ]
    )

    def keys(query):
        request = SearchRequest(audience=["public", "open"], should=build_should(analyzer, query))
        return {hit.key for hit in backend.search(request).hits}

    assert keys("发动机") == {"a", "b"}
    assert keys("引擎") == {"a", "b"}
    assert keys("维修") == {"b"}
    backend.close()


def test_dictionary_words_are_kept_whole():
    word = "蓝鲸扳手台"
    plain = Analyzer()
    assert word not in plain.words(fold(f"买了{word}一台"))
    taught = Analyzer(dictionary={word: None})
    taught.install()
    assert word in taught.words(fold(f"买了{word}一台"))


def test_multi_character_synonyms_are_segmented_whole():
    analyzer = Analyzer(synonyms=[["鲸扳钳", "蓝鲸钳具"]])
    analyzer.install()
    assert analyzer.words(fold("这把蓝鲸钳具"))[-2:] == ["蓝鲸钳具", "鲸扳钳"]


# --- pinyin and prefixes ---------------------------------------------------------------------


def test_homophone_typos_share_pinyin_tokens(analyzer):
    typo = analyzer.analyze("花贝怎么还款")
    right = analyzer.analyze("花呗还款")
    assert "花呗" not in typo.grams
    assert "huabei" in set(typo.pinyin) & set(right.pinyin)


def test_initials_read_a_heteronym_in_its_context(analyzer):
    # 重 alone is zhong, in 重庆 chong; 行 alone is xing, in 银行 hang: both spellings are offered.
    prefixes = set(analyzer.prefixes("重庆银行还款"))
    assert {"cq", "cqyh", "cqyhhk"} <= prefixes
    assert {"zq", "zqyx"} <= prefixes


def test_prefixes_include_pinyin_initials(analyzer):
    prefixes = analyzer.prefixes("發動機保養")
    assert {"发", "发动", "发动机保养", "保养"} <= set(prefixes)
    assert {"fd", "fdj", "fdjby"} <= set(prefixes)
    assert "f" not in prefixes  # one letter is too many matches


# --- documents -------------------------------------------------------------------------------


def test_document_counts_words_once_and_keeps_every_bigram(analyzer):
    document = build_document(_record("k", "花呗还款，花呗还款。"), analyzer)
    assert document["body_w"].split().count("花呗") == 0  # unknown word: bigrams carry it
    assert document["body_w"].split().count("还款") == 1
    assert document["body_p"].split().count("huabei") == 1
    assert document["body_g"].split().count("花呗") == 2  # positions for phrase queries
    assert document["body_c"].split() == ["花", "呗", "还", "款"]


def test_document_characters_of_title_and_alternatives_not_attachments(analyzer):
    record = _record("k", "答案", title="关掉花呗")
    record.alternatives = ["关闭花呗"]
    record.attachments = "附件正文"
    document = build_document(record, analyzer)
    assert document["title_c"].split() == ["关", "掉", "花", "呗"]
    assert document["alt_c"].split() == ["关", "闭", "花", "呗"]
    assert "att_c" not in document


# --- the process-wide analyzer and the database vocabulary -----------------------------------


@pytest.fixture
def fresh_analyzer(monkeypatch):
    monkeypatch.setattr(analysis, "_CHECK_EVERY", 0.0)  # look at the vocabulary on every call
    reset_analyzer()
    yield
    reset_analyzer()


@pytest.mark.django_db
def test_get_analyzer_reloads_after_a_dictionary_change(fresh_analyzer):
    word = "雪豹测距仪"
    first = get_analyzer()
    assert get_analyzer() is first  # unchanged vocabulary: the same analyzer
    assert word not in first.words(fold(f"新款{word}到货"))
    DictionaryWord.objects.create(word=word)
    second = get_analyzer()
    assert second is not first
    assert word in second.words(fold(f"新款{word}到货"))


@pytest.mark.django_db
def test_get_analyzer_reloads_after_a_synonym_change(fresh_analyzer):
    group = SearchSynonym.objects.create(terms="变速箱，波箱")
    assert get_analyzer().words("波箱") == ["波箱", "变速箱"]
    group.terms = "变速器，波箱"
    group.save()
    assert get_analyzer().words("波箱") == ["波箱", "变速器"]
    group.active = False
    group.save()
    assert get_analyzer().words("波箱") == ["波箱"]


def test_character_pinyin_is_pypinyins_for_every_character():
    # The analyzer reads pypinyin's table itself (importing pypinyin loads its phrase
    # dictionary): every character must still sound as lazy_pinyin says.
    from pypinyin import lazy_pinyin

    from search.analysis import _char_pinyin, _pinyin_table

    table = _pinyin_table()
    assert len(table) > 40_000
    different = [
        chr(code) for code in table if _char_pinyin(chr(code)) != lazy_pinyin(chr(code))[0]
    ]
    assert different == []
    assert _char_pinyin("绿") == "lv"
    assert _char_pinyin("a") == "a"  # not Han: itself, as lazy_pinyin gives it


def test_once_fields_hold_each_token_once(analyzer):
    # Engines may index these fields without term frequencies (search.backends.base).
    record = _record(
        "k:1", "花呗额度怎么提高？花呗额度提高了吗？bluetooth bluetooth 蓝牙", title="花呗 花呗额度"
    )
    record.tags = ["花呗", "花呗额度"]
    record.attachments = "附件 附件 花呗"
    document = build_document(record, analyzer)
    for name in ONCE_FIELDS:
        tokens = document[name].split()
        assert len(tokens) == len(set(tokens)), name
    assert len(document["body_g"].split()) > len(set(document["body_g"].split()))

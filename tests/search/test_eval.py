"""The retrieval metrics (hand-computed examples) and the search_eval command end to end."""

from __future__ import annotations

import dataclasses
import json
import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from search import eval as search_eval
from search.eval import (
    bigram_tokens,
    load_dataset,
    mrr_at,
    ndcg_at,
    recall_at,
    score_run,
    word_tokens,
)

# --- metrics ---------------------------------------------------------------------------------


def test_ndcg_of_one_relevant_document_at_rank_two():
    # DCG = 1/log2(3); the ideal puts it first: IDCG = 1
    assert ndcg_at(["x", "a", "y"], {"a": 1}) == pytest.approx(1 / math.log2(3))
    assert ndcg_at(["x", "a", "y"], {"a": 1}) == pytest.approx(0.63093, abs=1e-5)


def test_ndcg_of_two_relevant_documents():
    # DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; IDCG = 1 + 0.63093
    assert ndcg_at(["x", "a", "y", "b"], {"a": 1, "b": 1}) == pytest.approx(0.65092, abs=1e-5)


def test_ndcg_uses_grades_as_gains():
    # DCG = 1 + 2/log2(3) = 2.26186; IDCG = 2 + 1/log2(3) = 2.63093
    assert ndcg_at(["b", "a"], {"a": 2, "b": 1}) == pytest.approx(0.85972, abs=1e-5)
    assert ndcg_at(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)


def test_ndcg_counts_only_the_first_ten():
    ranked = [f"n{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, {"a": 1}) == 0.0
    assert ndcg_at([], {"a": 1}) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_within_ten():
    assert mrr_at(["a", "b"], {"a": 1}) == 1.0
    assert mrr_at(["x", "y", "b", "a"], {"a": 1, "b": 1}) == pytest.approx(1 / 3)
    assert mrr_at([f"n{i}" for i in range(10)] + ["a"], {"a": 1}) == 0.0


def test_recall_at_100():
    ranked = [f"n{i}" for i in range(99)] + ["a", "b"]
    assert recall_at(ranked, {"a": 1, "b": 1}) == 0.5  # b is at rank 101
    assert recall_at(["b", "a"], {"a": 1, "b": 1}) == 1.0
    assert recall_at([], {"a": 1}) == 0.0


def test_score_run_averages_over_judged_queries():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    run = {"q1": ["a"], "q2": ["x", "b"]}
    metrics = score_run(run, qrels)
    assert metrics["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert metrics["mrr@10"] == pytest.approx(0.75)
    assert metrics["recall@100"] == 1.0
    # a query the system returned nothing for still counts, as zero
    assert score_run({"q1": ["a"]}, qrels)["mrr@10"] == 0.5


# --- baselines' tokens ---------------------------------------------------------------------


def test_word_baseline_keeps_a_chinese_sentence_whole():
    assert word_tokens("花呗怎么还款？Model A3") == ["花呗怎么还款", "model", "a3"]


def test_bigram_baseline_splits_every_run():
    assert bigram_tokens("花呗还款，好") == ["花呗", "呗还", "还款", "好"]


# --- loading and the command -----------------------------------------------------------------


def _write(path, name, rows):
    (path / name).write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )


@pytest.fixture
def eval_dir(tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    corpus = [
        {"id": "d1", "title": "", "text": "花呗怎么开通"},
        {"id": "d2", "title": "", "text": "借呗额度为什么降低了"},
        {"id": "d3", "title": "发动机", "text": "发动机保养手册：每五千公里更换机油。"},
        {"id": "d4", "title": "", "text": "信用卡账单如何分期"},
        {"id": "d5", "title": "", "text": "快递多久能到"},
    ]
    _write(data, "corpus.jsonl", corpus)
    _write(
        data,
        "queries.jsonl",
        [
            {"id": "q1", "text": "怎样开通花呗"},
            {"id": "q2", "text": "借呗的额度降低是为什么"},
            {"id": "q3", "text": "發動機多久换一次机油"},
            {"id": "q4", "text": "没有判断的问题"},
        ],
    )
    (data / "qrels.tsv").write_text("q1\td1\t1\nq2\td2\t1\nq3\td3\t1\n", encoding="utf-8")
    return data


def test_load_dataset_skips_queries_without_judgements(eval_dir):
    dataset = load_dataset(eval_dir)
    assert set(dataset.queries) == {"q1", "q2", "q3"}
    assert dataset.skipped == 1
    assert len(dataset.corpus) == 5
    assert dataset.qrels["q3"] == {"d3": 1.0}


def test_load_dataset_reads_another_corpus(eval_dir, tmp_path):
    other = tmp_path / "other.jsonl"
    _write(tmp_path, "other.jsonl", [{"id": "z1", "title": "t", "text": "x"}])
    assert [entry["id"] for entry in load_dataset(eval_dir, other).corpus] == ["z1"]


@pytest.mark.django_db
def test_command_prints_the_json_summary(eval_dir):
    out = StringIO()
    call_command("search_eval", data=str(eval_dir), json=True, stdout=out)
    summary = json.loads(out.getvalue())
    assert set(summary) == {"zhiku", "bigram", "word", "queries"}
    assert summary["queries"] == 3
    for name in ("zhiku", "bigram", "word"):
        assert set(summary[name]) == {"ndcg@10", "mrr@10", "recall@100"}
    assert summary["zhiku"] == {"ndcg@10": 1.0, "mrr@10": 1.0, "recall@100": 1.0}
    # Unicode-word tokens cannot find a word inside a Chinese sentence
    assert summary["word"]["recall@100"] == 0.0


@pytest.mark.django_db
def test_command_prints_a_table(eval_dir):
    out = StringIO()
    call_command("search_eval", data=str(eval_dir), stdout=out)
    text = out.getvalue()
    assert "nDCG@10" in text and "R@100" in text
    rows = [line.split() for line in text.splitlines()]
    names = [row[0] for row in rows if row and row[0] in {"Zhiku", "bigram", "word"}]
    assert names == ["Zhiku", "bigram", "word"]
    zhiku = next(row for row in rows if row and row[0] == "Zhiku")
    assert zhiku[1:4] == ["1.0000", "1.0000", "1.0000"]


@pytest.mark.django_db
def test_command_uses_the_corpus_option(eval_dir, tmp_path):
    other = tmp_path / "other.jsonl"
    _write(tmp_path, "other.jsonl", [{"id": "d9", "title": "", "text": "花呗怎么开通"}])
    out = StringIO()
    call_command("search_eval", data=str(eval_dir), corpus=str(other), json=True, stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["zhiku"]["recall@100"] == 0.0  # the judged ids are not in that corpus


def test_command_rejects_a_directory_without_the_files(tmp_path):
    with pytest.raises(CommandError):
        call_command("search_eval", data=str(tmp_path), json=True, stdout=StringIO())


def test_systems_run_on_the_same_engine(eval_dir):
    dataset = load_dataset(eval_dir)
    result = search_eval.run_system(search_eval.bigram_system(), dataset)
    assert result.run["q1"][0] == "d1"
    assert result.metrics["recall@100"] == 1.0


def test_zhiku_is_ranked_by_the_query_services_function(eval_dir, monkeypatch):
    """The eval must measure the ranking users get: search.ranking.ranked_search."""
    dataset = load_dataset(eval_dir)
    plain = search_eval.run_system(search_eval.bigram_system(), dataset)
    calls = []

    def reversing(backend, request, text):
        calls.append(text)
        response = backend.search(request)
        return dataclasses.replace(response, hits=list(reversed(response.hits)))

    monkeypatch.setattr(search_eval, "ranked_search", reversing)
    reranked = search_eval.run_system(
        dataclasses.replace(search_eval.bigram_system(), reranks=True), dataset
    )
    assert sorted(calls) == sorted(dataset.queries.values())
    longest = max(plain.run, key=lambda query_id: len(plain.run[query_id]))
    assert len(plain.run[longest]) >= 2
    for query_id, keys in plain.run.items():
        assert reranked.run[query_id] == list(reversed(keys))


def test_only_zhiku_reranks():
    assert search_eval.zhiku_system(search_eval.Analyzer()).reranks
    assert not search_eval.bigram_system().reranks
    assert not search_eval.word_system().reranks

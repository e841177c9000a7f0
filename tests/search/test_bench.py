"""The benchmark command on a small index: the JSON has every figure (no timing assertions)."""

from __future__ import annotations

import json
import random

import pytest
from django.core.management import call_command

from permissions.policy import audience_terms
from search.analysis import Analyzer
from search.backends.base import Should
from search.bench import (
    _FTS5,
    FTS5_FIELDS,
    Vocabulary,
    bench_viewer,
    make_queries,
    percentiles,
    synthetic_records,
)
from search.indexing import build_documents
from search.records import Record

KEYS = {
    "items",
    "index_items_per_s",
    "service",
    "engine",
    "fts5",
    "ratio_p50",
    "fts5_ratio_p50",
    "fts5_ratio_p95",
    "peak_rss_mb",
}


@pytest.mark.django_db
def test_search_bench_json(capsys, tmp_path):
    call_command("search_bench", items=300, queries=20, as_json=True, workdir=str(tmp_path))
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) >= KEYS
    assert figures["items"] == 300
    for name in ("service", "engine", "fts5"):
        assert set(figures[name]) == {"p50_ms", "p95_ms", "p99_ms"}
        assert 0 < figures[name]["p50_ms"] <= figures[name]["p95_ms"] <= figures[name]["p99_ms"]
    for name in ("index_items_per_s", "ratio_p50", "fts5_ratio_p50", "fts5_ratio_p95"):
        assert figures[name] > 0
    assert figures["peak_rss_mb"] > 10
    assert not list(tmp_path.iterdir())  # the throw-away indexes are gone


@pytest.mark.django_db
def test_search_bench_text_report(capsys, tmp_path):
    call_command("search_bench", items=100, queries=5, workdir=str(tmp_path))
    out = capsys.readouterr().out
    for label in ("items/s", "service", "tantivy", "fts5", "peak RSS"):
        assert label in out


def test_synthetic_items_mix_confidentiality_and_feed_queries():
    words = ["的", "发动机", "维修"] + [f"词语{i}" for i in range(400)]
    vocab = Vocabulary(words=words, cumulative=list(range(1, len(words) + 1)), content=words[1:])
    items = list(synthetic_records(200, seed=3, vocab=vocab, remember={0, 1, 2}))
    reads = {tuple(record.read) for record, _words in items}
    assert ("all", "public") in reads and ("all", "staff") in reads
    assert any("dept:any" in read for read in reads)
    assert all(len(record.body) >= 600 for record, _words in items)
    pools = [words for _record, words in items if words]
    assert len(pools) == 3
    for query in make_queries(pools, 10, seed=1):
        assert 2 <= len(query.split()) <= 4


def test_percentiles_nearest_rank():
    samples = [float(i) for i in range(1, 101)]
    random.Random(1).shuffle(samples)
    assert percentiles(samples) == {"p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0}


def test_bench_viewer_is_unsaved_staff_with_policy_terms():
    viewer = bench_viewer(department=2)
    assert viewer.pk == 0 and viewer._state.adding  # never saved
    terms = audience_terms(viewer)
    assert {"public", "staff", "dept:2"} <= set(terms)
    assert "all" not in terms and "dept:any" not in terms


def test_vocabulary_draws_keep_the_frequencies():
    words = ["甲", "乙乙", "丙丙丙"]
    vocab = Vocabulary(words=words, cumulative=[1, 3, 6], content=words[1:])
    drawn = vocab.draw(random.Random(5), 60_000)
    shares = {word: drawn.count(word) / len(drawn) for word in words}
    for word, expected in zip(words, (1 / 6, 2 / 6, 3 / 6), strict=True):
        assert abs(shares[word] - expected) < 0.01


def test_same_seed_and_start_give_the_same_items():
    words = [f"词{i}" for i in range(300)]
    vocab = Vocabulary(words=words, cumulative=list(range(1, 301)), content=words)
    whole = [r.body for r, _w in synthetic_records(6, seed=7, vocab=vocab, start=10)]
    again = [r.body for r, _w in synthetic_records(6, seed=7, vocab=vocab, start=10)]
    other = [r.body for r, _w in synthetic_records(6, seed=7, vocab=vocab, start=16)]
    assert whole == again and whole != other


def test_fts5_gets_the_services_terms_per_column_with_boosts(tmp_path):
    fts = _FTS5(tmp_path / "fts.sqlite3")

    def row(rowid, **columns):
        return (rowid, *(columns.get(name, "") for name in FTS5_FIELDS), "", "")

    fts.add_many([row(1, body_w="齿轮"), row(2, title_w="齿轮"), row(3, body_g="齿轮")])
    fts.add_many([row(n, body_w="轴承") for n in range(4, 20)])
    fts.finish()
    # A repeated query token repeats its terms (bm25 counts each).
    repeated = fts.match([Should("title_w", "齿轮", 3.0), Should("body_w", "齿轮", 2.0)])
    assert repeated == 'title_w : "齿轮" OR body_w : "齿轮" OR body_w : "齿轮"'
    match = fts.match([Should("title_w", "齿轮", 3.0), Should("body_w", "齿轮", 1.0)])
    # Column filters: the body_g row does not match; the title's weight (3) ranks it first.
    assert fts.search(match) == [2, 1]


@pytest.mark.django_db
def test_documents_built_in_a_child_equal_those_built_here():
    analyzer = Analyzer(dictionary={"扭矩扳手": 5}, synonyms=[["发动机", "引擎"]])
    analyzer.install()
    records = [
        Record(
            key=f"t.x:{n}",
            type="faq",
            title=f"引擎异响{n}",
            url="/",
            read=["all"],
            restrict=["all"],
            body="扭矩扳手的用法",
        )
        for n in range(5)
    ]
    here = list(build_documents(records, analyzer, workers=0))
    there = list(build_documents(records, analyzer, workers=1))
    assert there == here
    assert "发动机" in there[0]["title_w"].split()  # the child has the synonyms
    assert "扭矩扳手" in there[0]["body_w"].split()  # and the domain dictionary

"""Retrieval evaluation: Zhiku's analysis and ranking against two baselines, same engine.

A data directory holds `corpus.jsonl` ({"id", "title", "text"}), `queries.jsonl` ({"id", "text"})
and `qrels.tsv` (query_id, corpus_id, grade; no header), the format of shared/eval/retrieval-zh.
Each system indexes the corpus into its own throw-away Tantivy index and runs every judged query
with OR semantics (Zhiku then re-ranks the best hits as the query service does); the metrics are
averaged over the queries that have judgements.

Baselines, on the same Tantivy BM25 so only the analysis differs:
  bigram: character bigrams of the text, queried by bigrams (Paperless-ngx's approach to CJK);
  word:   Unicode word tokens, lower case (SQLite FTS5's unicode61 tokenizer, Wagtail's database
          backend): a Chinese sentence without punctuation is a single token.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search.analysis import Analyzer, fold
from search.backends.base import SearchRequest, Should
from search.documents import build_document
from search.ranking import build_should, ranked_search
from search.records import Record

DEPTH = 100  # results fetched per query (Recall@100)
CUTOFF = 10  # nDCG@10, MRR@10
AUDIENCE = ("public", "open")
_UNICODE_WORD = re.compile(r"\w+")


# --- data ----------------------------------------------------------------------------------------


@dataclass
class Dataset:
    corpus: list[dict]  # {"id", "title", "text"}
    queries: dict[str, str]  # query id -> text, only queries with judgements
    qrels: dict[str, dict[str, float]]  # query id -> corpus id -> grade
    skipped: int = 0  # queries without any judgement


def _jsonl(path: Path) -> Iterable[dict]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_dataset(data_dir: str | Path, corpus_file: str | Path | None = None) -> Dataset:
    """Read corpus, queries and qrels; keep only queries that have at least one judgement."""
    data_dir = Path(data_dir)
    corpus = [
        {"id": str(row["id"]), "title": row.get("title") or "", "text": row.get("text") or ""}
        for row in _jsonl(Path(corpus_file) if corpus_file else data_dir / "corpus.jsonl")
    ]
    qrels: dict[str, dict[str, float]] = {}
    with open(data_dir / "qrels.tsv", encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or not parts[0].strip():
                continue
            query_id, corpus_id, grade = parts[0].strip(), parts[1].strip(), float(parts[2])
            if grade > 0:
                qrels.setdefault(query_id, {})[corpus_id] = grade
    queries: dict[str, str] = {}
    skipped = 0
    for row in _jsonl(data_dir / "queries.jsonl"):
        if str(row["id"]) in qrels:
            queries[str(row["id"])] = row.get("text") or ""
        else:
            skipped += 1
    return Dataset(
        corpus=corpus,
        queries=queries,
        qrels={qid: rels for qid, rels in qrels.items() if qid in queries},
        skipped=skipped,
    )


# --- metrics -------------------------------------------------------------------------------------


def dcg(gains: Sequence[float]) -> float:
    """Return the discounted cumulative gain of gains in rank order (gain / log2(rank + 1))."""
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg_at(ranked: Sequence[str], rels: dict[str, float], k: int = CUTOFF) -> float:
    """Return nDCG@k of a ranking against graded judgements (grades are the gains)."""
    ideal = dcg(sorted(rels.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([rels.get(doc, 0.0) for doc in ranked[:k]]) / ideal


def mrr_at(ranked: Sequence[str], rels: dict[str, float], k: int = CUTOFF) -> float:
    """Return the reciprocal rank of the first relevant result within the top k (else 0)."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if rels.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], rels: dict[str, float], k: int = DEPTH) -> float:
    """Return the share of the relevant documents found within the top k."""
    relevant = {doc for doc, grade in rels.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, float]]) -> dict[str, float]:
    """Return the mean nDCG@10, MRR@10 and Recall@100 of a run over the judged queries."""
    n = len(qrels) or 1
    return {
        "ndcg@10": sum(ndcg_at(run.get(q, []), rels) for q, rels in qrels.items()) / n,
        "mrr@10": sum(mrr_at(run.get(q, []), rels) for q, rels in qrels.items()) / n,
        "recall@100": sum(recall_at(run.get(q, []), rels) for q, rels in qrels.items()) / n,
    }


# --- systems -------------------------------------------------------------------------------------


@dataclass
class System:
    """How one system turns a corpus entry into an index document and a query into clauses."""

    name: str
    document: Callable[[dict], dict]
    should: Callable[[str], list[Should]]
    # Zhiku ranks as the query service does (search.ranking.ranked_search); baselines take the
    # engine's order.
    reranks: bool = False


@dataclass
class SystemResult:
    name: str
    metrics: dict[str, float]
    index_seconds: float
    query_seconds: float
    run: dict[str, list[str]] = field(default_factory=dict)


def _bare_document(entry: dict, **tokens: str) -> dict:
    return {
        "key": entry["id"],
        "type": "faq",
        "read": list(AUDIENCE[:1]),
        "restrict": list(AUDIENCE[1:]),
        "title": entry["title"],
        **tokens,
    }


def _counted(field_name: str, tokens: Iterable[str]) -> list[Should]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return [Should(field_name, token, float(count)) for token, count in counts.items()]


def zhiku_system(analyzer: Analyzer) -> System:
    """Return Zhiku itself: the real documents and the real ranking."""

    def document(entry: dict) -> dict:
        record = Record(
            key=entry["id"],
            type="faq",
            title=entry["title"],
            url="",
            read=["public"],
            restrict=["open"],
            body=entry["text"],
        )
        return build_document(record, analyzer)

    return System(
        "zhiku",
        document,
        lambda text: build_should(analyzer, text),
        reranks=True,
    )


def bigram_tokens(text: str) -> list[str]:
    """Return character bigrams of Han runs (lone characters whole) and Latin/number words."""
    return Analyzer.grams(fold(text))


def bigram_system() -> System:
    """Return the character-bigram baseline (title and text in one field)."""
    return System(
        "bigram",
        lambda e: _bare_document(e, body_g=" ".join(bigram_tokens(e["title"] + "\n" + e["text"]))),
        lambda text: _counted("body_g", bigram_tokens(text)),
    )


def word_tokens(text: str) -> list[str]:
    """Return Unicode word tokens in lower case (unicode61-style: split on non-word chars)."""
    return _UNICODE_WORD.findall(text.lower())


def word_system() -> System:
    """Return the Unicode-word baseline (title and text in one field)."""
    return System(
        "word",
        lambda e: _bare_document(e, body_w=" ".join(word_tokens(e["title"] + "\n" + e["text"]))),
        lambda text: _counted("body_w", word_tokens(text)),
    )


def _backend(path: str):
    from search.backends import load_backend

    return load_backend("default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=path)


def run_system(system: System, dataset: Dataset, *, depth: int = DEPTH) -> SystemResult:
    """Index the corpus with `system` into a throw-away Tantivy index and run every query."""
    with tempfile.TemporaryDirectory(prefix=f"zhiku-eval-{system.name}-") as path:
        backend = _backend(path)
        try:
            started = time.perf_counter()
            backend.rebuild(system.document(entry) for entry in dataset.corpus)
            indexed = time.perf_counter()
            run: dict[str, list[str]] = {}
            for query_id, text in dataset.queries.items():
                should = system.should(text)
                if not should:  # nothing searchable (only stop words or punctuation)
                    run[query_id] = []
                    continue
                request = SearchRequest(audience=list(AUDIENCE), should=should, limit=depth)
                if system.reranks:
                    response = ranked_search(backend, request, text)
                else:
                    response = backend.search(request)
                run[query_id] = [hit.key for hit in response.hits]
            finished = time.perf_counter()
        finally:
            backend.close()
    return SystemResult(
        name=system.name,
        metrics=score_run(run, dataset.qrels),
        index_seconds=indexed - started,
        query_seconds=finished - indexed,
        run=run,
    )


def evaluate(dataset: Dataset, analyzer: Analyzer) -> list[SystemResult]:
    """Run Zhiku and both baselines on the dataset."""
    return [
        run_system(system, dataset)
        for system in (zhiku_system(analyzer), bigram_system(), word_system())
    ]


def as_json(results: list[SystemResult], dataset: Dataset) -> dict:
    """Return the machine-readable summary: metrics per system and the number of queries."""
    summary: dict = {result.name: dict(result.metrics) for result in results}
    summary["queries"] = len(dataset.qrels)
    return summary


def per_source(result: SystemResult, dataset: Dataset) -> dict[str, dict[str, float]]:
    """Return the metrics per id prefix ("atec-", "cmrc-"), when the ids carry one."""
    groups: dict[str, dict[str, dict[str, float]]] = {}
    for query_id, rels in dataset.qrels.items():
        prefix = query_id.split("-", 1)[0] if "-" in query_id else ""
        groups.setdefault(prefix, {})[query_id] = rels
    return {prefix: score_run(result.run, qrels) for prefix, qrels in sorted(groups.items())}

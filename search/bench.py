"""The search benchmark: synthetic Chinese items, the full query service against its engine and
against SQLite FTS5 (the engine of Wagtail's database backend) on the same tokens.

Items are ~600 characters drawn from a vocabulary with jieba's own word frequencies (jieba's
dictionary, through rjieba: two-character words built from the commonest characters plus the
longer words pypinyin lists), so common words are common and the OR queries touch as many items
as real questions do. They are generated lazily, chunk by chunk (each chunk seeded from the run's
seed and its position), never held all at once.

Indexing goes through the real rebuild path: records -> `search.indexing.build_documents`
(`build_document` in analysing children, started by forkserver) -> `backend.rebuild`, which this
process feeds while Tantivy indexes in its own thread. The records are generated first (in the
children too) and spilled to a file, read back during the timed build as a rebuild reads rows:
making up synthetic text is not indexing. The items/s figure includes the final commit and the
segment merges it waits for.

Three latencies per query:
- service: `search.service.search(q, viewer=...)`, permission trimming, snippets, facets;
- engine: the same engine query the service sends (audience included), top 10 by score, hit
  addresses only: no total count, no facets, no stored documents;
- fts5: bare SQLite FTS5 over the same tokens and the same query terms. The FTS5 table has one
  column per token field the ranking queries (`search.ranking.FIELD_BOOSTS`), filled with the
  very token strings Tantivy indexes (tokenizer `unicode61` keeping `-_.+/` inside tokens, so a
  space-separated token stays one token); each scored clause of `build_should` (field, token,
  boost) becomes a column-filtered term `field : "token"`, all ORed, ranked by `bm25()` with the
  column weights set to the field boosts, `ORDER BY bm25 LIMIT 10`. No permission trimming, no
  snippets, no facets: the bare engine.
- fts5 words (for reference, not in the ratios): the older comparison, a two-column FTS5 table of
  the title's and the body's segmenter words queried with the query's words only.

The FTS5 tables are filled after the Tantivy build is timed, from the same spilled records
analysed again, so their inserts cost the Tantivy figure nothing.

Memory: the queries run in a process of their own, started after the build (as a web process
searches an index the worker built): `peak_rss_mb` is that search process's peak resident set,
`index_peak_rss_mb` the building process's, `workers_peak_rss_mb` an analysing child's. The
text report splits resident memory into anonymous memory and file-backed pages (the
memory-mapped index, which the kernel shares with its page cache and may drop). Runs without
analysing children (below 5000 items, or --workers 0) query in the building process.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import pickle
import random
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from search.backends.base import TOKEN_FIELDS
from search.ranking import FIELD_BOOSTS
from search.records import Record

# Item mix: what a knowledge base holds, and how confidential it is.
TYPES = (("article", 30), ("faq", 25), ("case", 20), ("document", 15), ("ticket", 10))
CONFIDENTIALITY = (("public", 70), ("internal", 20), ("department", 10))
DEPARTMENTS = 5
CATEGORIES = 12  # children of one root, each item in one of them
TAG_POOL = 60
BODY_CHARS = 600
EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


# --- the vocabulary --------------------------------------------------------------------------


_SLOTS = 1 << 20


@dataclass
class Vocabulary:
    words: list[str]
    cumulative: list[int]  # cumulative jieba frequencies, for weighted draws
    content: list[str]  # words of two or more characters, by descending frequency
    _table: list | None = None
    _rest: tuple[list[str], list[float]] | None = None

    def draw(self, rng: random.Random, k: int) -> list[str]:
        """Return `k` words drawn with replacement, weighted by frequency."""
        if self._table is None:
            self._tabulate()
        drawn = rng.choices(self._table, k=k)
        if None in drawn:  # a slot of the remainder: draw there by weight
            words, cumulative = self._rest
            for index, word in enumerate(drawn):
                if word is None:
                    drawn[index] = rng.choices(words, cum_weights=cumulative)[0]
        return drawn

    def _tabulate(self) -> None:
        # A weighted draw bisects the cumulative weights, a plain one only indexes a list: each
        # word gets the whole slots of its share of _SLOTS, and the fractions left over form one
        # remainder, drawn by weight when its slots (None) come up: the odds stay those of the
        # frequencies (to a slot, one part in a million).
        total = self.cumulative[-1]
        table: list = []
        rest_words, rest_weights = [], []
        previous = 0
        for word, cumulative in zip(self.words, self.cumulative, strict=True):
            share = (cumulative - previous) * _SLOTS / total
            previous = cumulative
            whole = int(share)
            table.extend([word] * whole)
            if share > whole:
                rest_words.append(word)
                rest_weights.append(share - whole)
        table.extend([None] * (_SLOTS - len(table)))
        self._table = table
        self._rest = (rest_words, list(itertools.accumulate(rest_weights)))


def build_vocabulary(top_chars: int = 2500) -> Vocabulary:
    """Return jieba's dictionary words we can enumerate, weighted by jieba's frequencies.

    rjieba keeps its dictionary compiled in; `has_word` and `suggest_freq` (the dictionary
    frequency + 1 for a known word) read it. Candidates: the common characters, every pair of
    the `top_chars` commonest ones, and pypinyin's multi-character phrases.
    """
    import rjieba
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    has_word = rjieba.has_word
    chars = [chr(code) for code in pinyin_dict if 0x4E00 <= code <= 0x9FFF]
    by_freq = sorted(
        ((rjieba.suggest_freq(c), c) for c in chars if has_word(c)), key=lambda x: (-x[0], x[1])
    )
    top = [c for _f, c in by_freq[:top_chars]]
    candidates = set(top)
    candidates.update(a + b for a in top for b in top if has_word(a + b))
    candidates.update(w for w in phrases_dict if 3 <= len(w) <= 4 and has_word(w))
    weighted = sorted(
        ((rjieba.suggest_freq(w), w) for w in candidates), key=lambda x: (-x[0], x[1])
    )
    words = [w for _f, w in weighted]
    cumulative = list(itertools.accumulate(f for f, _w in weighted))
    content = [w for w in words if len(w) >= 2]
    return Vocabulary(words=words, cumulative=cumulative, content=content)


# --- synthetic items ---------------------------------------------------------------------------


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _body(rng: random.Random, vocab: Vocabulary, chars: int) -> tuple[str, list[str]]:
    """Return ~`chars` characters of sentences, and the words drawn for it."""
    pieces: list[str] = []
    drawn: list[str] = []
    length = 0
    # Words are drawn 64 at a time: a call per clause cost more than the rest of the text.
    pool: list[str] = []
    at = 0
    while length < chars:
        size = rng.randint(4, 12)
        if at + size > len(pool):
            pool = pool[at:] + vocab.draw(rng, 64)
            at = 0
        clause = pool[at : at + size]
        at += size
        drawn.extend(clause)
        text = "".join(clause) + ("。" if rng.random() < 0.35 else "，")
        pieces.append(text)
        length += len(text)
    return "".join(pieces), drawn


def synthetic_records(
    n: int, *, seed: int, vocab: Vocabulary, remember: set[int] | None = None, start: int = 0
) -> Iterator[tuple[Record, list[str]]]:
    """Yield records `start` .. `start + n - 1` and, for the indices in `remember`, the content
    words drawn for them (the same seed and start give the same items)."""
    rng = random.Random(f"{seed}:{start}")
    head = vocab.content[:3000]  # titles and tags use reasonably common words
    tags = vocab.content[200 : 200 + TAG_POOL]
    categories = [f"分类{i}" for i in range(1, CATEGORIES + 1)]
    for i in range(start, start + n):
        kind = _weighted(rng, TYPES)
        level = _weighted(rng, CONFIDENTIALITY)
        department = rng.randint(1, DEPARTMENTS)
        read = {"all", "public"} if level == "public" else {"all", "staff"}
        if level == "department":
            read = {"all", "dept:any", f"dept:{department}"}
        title_words = rng.sample(head, rng.randint(2, 4))
        body, drawn = _body(rng, vocab, BODY_CHARS)
        attachments = ""
        if kind == "document" or rng.random() < 0.1:
            attachments, more = _body(rng, vocab, 300)
            drawn += more
        category = rng.randrange(CATEGORIES)
        created = EPOCH + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        record = Record(
            key=f"bench.item:{i}",
            type=kind,
            title="".join(title_words),
            url=f"/bench/{i}/",
            read=sorted(read),
            restrict=["all", "open"],
            body=body,
            attachments=attachments,
            tags=rng.sample(tags, rng.randint(1, 3)),
            category_ids=[1, 2 + category],
            category_path=["知识库", categories[category]],
            departments=[department],
            created_at=created,
            updated_at=created + dt.timedelta(days=rng.randrange(60)),
            extra={"number": i},
        )
        words = []
        if remember is not None and i in remember:
            words = [w for w in dict.fromkeys(title_words + drawn) if len(w) >= 2]
        yield record, words


# --- work done in the analysing children (module level: they are pickled by reference) ---------

CHUNK = 250
_vocabularies: dict[int, Vocabulary] = {}


@dataclass
class Chunk:
    start: int
    count: int
    seed: int
    remember: set[int]
    top_chars: int = 2500


def _vocabulary(top_chars: int) -> Vocabulary:
    # Built once per process from rjieba's compiled-in dictionary: every child gets the same one.
    if top_chars not in _vocabularies:
        _vocabularies[top_chars] = build_vocabulary(top_chars)
    return _vocabularies[top_chars]


def _chunk_records(chunk: Chunk):
    vocab = _vocabulary(chunk.top_chars)
    return synthetic_records(
        chunk.count, seed=chunk.seed, vocab=vocab, remember=chunk.remember, start=chunk.start
    )


def generate_chunk(chunk: Chunk, _analyzer) -> tuple[list[Record], list[list[str]]]:
    """Return a chunk's records and the word pools of its remembered items."""
    records, pools = [], []
    for record, words in _chunk_records(chunk):
        records.append(record)
        if words:
            pools.append(words)
    return records, pools


def fts5_rows(records: list[Record], analyzer) -> tuple[list[tuple], int]:
    """Return the FTS5 rows of records (rowid, the ranked token fields, title and body words)
    and the peak memory (kB) of the process that analysed them."""
    from search.documents import build_document

    rows = []
    for record in records:
        document = build_document(record, analyzer)
        rows.append(
            (
                record.extra["number"] + 1,
                *(document.get(name, "") for name in FTS5_FIELDS),
                document["title_w"],
                document["body_w"],
            )
        )
    return rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _spilled(path: Path, *, batches: bool = False) -> Iterator:
    """Yield the records written to `path` (or their batches), in order."""
    with open(path, "rb") as spill:
        while True:
            try:
                batch = pickle.load(spill)
            except EOFError:
                return
            if batches:
                yield batch
            else:
                yield from batch


def chunks(items: int, *, seed: int, remember: set[int], top_chars: int = 2500) -> Iterator[Chunk]:
    """Split `items` into the generation tasks of the children."""
    for start in range(0, items, CHUNK):
        count = min(CHUNK, items - start)
        mine = {i for i in remember if start <= i < start + count}
        yield Chunk(start, count, seed, mine, top_chars)


def make_queries(pools: list[list[str]], count: int, *, seed: int) -> list[str]:
    """Return `count` queries of 2-4 words, each drawn from the words of one item."""
    rng = random.Random(seed)
    pools = [p for p in pools if len(p) >= 4]
    return [
        " ".join(rng.sample(pool, rng.randint(2, 4)))
        for pool in (pools[i % len(pools)] for i in range(count))
    ]


# --- measuring -----------------------------------------------------------------------------------


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Return p50/p95/p99 (nearest-rank) of latencies in milliseconds."""
    ordered = sorted(samples_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]

    return {"p50_ms": rank(50), "p95_ms": rank(95), "p99_ms": rank(99)}


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    out = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _memory_now() -> dict[str, float]:
    """Return this process's resident memory now (MB): anonymous (heap, Tantivy's writer
    buffers) and file-backed (mostly the index's memory-mapped pages, which the kernel may
    drop and re-read)."""
    figures = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                name, _colon, value = line.partition(":")
                if name in ("RssAnon", "RssFile"):
                    figures[name] = int(value.split()[0]) / 1024
    except OSError:  # not Linux
        pass
    return figures


def bench_viewer(department: int = 1):
    """Return an unsaved staff user (R&D engineer of `department`) for the service.

    Nothing is written to the database: the policy's per-user caches (`_kb_groups`,
    `_kb_department_ids`, `_kb_customer_ids`, see permissions.policy._cached) are set on the
    object, so `audience_terms` computes this viewer's terms through the real policy code.
    """
    from django.contrib.auth import get_user_model

    from permissions.roles import Role

    user = get_user_model()(id=0, username="search-bench", is_active=True)
    user._kb_groups = {0: Role.RND_ENGINEER.value}
    user._kb_department_ids = [department]
    user._kb_customer_ids = []
    return user


# The token fields the ranking weighs and the engine indexes: those build_should may query.
FTS5_FIELDS = tuple(name for name in FIELD_BOOSTS if name in TOKEN_FIELDS)
# unicode61 splits on punctuation; our tokens are space-separated and may hold these (a3-200).
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '-_.+/'"


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class _FTS5:
    """Bare FTS5 indexes of the same token strings, in a temporary database file."""

    def __init__(self, path: Path, *, create: bool = True):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.rank = "bm25(items, {})".format(", ".join(str(FIELD_BOOSTS[f]) for f in FTS5_FIELDS))
        if not create:  # the query phase opens the tables the build filled
            return
        columns = ", ".join(FTS5_FIELDS)
        self.db.execute(
            f'CREATE VIRTUAL TABLE items USING fts5({columns}, tokenize="{FTS5_TOKENIZER}")'
        )
        self.db.execute(
            f'CREATE VIRTUAL TABLE words USING fts5(title, body, tokenize="{FTS5_TOKENIZER}")'
        )
        self.db.execute("BEGIN")

    def add_many(self, rows: list[tuple]) -> None:
        width = len(FTS5_FIELDS)
        marks = ", ".join("?" * (width + 1))
        self.db.executemany(
            f"INSERT INTO items(rowid, {', '.join(FTS5_FIELDS)}) VALUES ({marks})",
            [row[: width + 1] for row in rows],
        )
        self.db.executemany(
            "INSERT INTO words(rowid, title, body) VALUES (?, ?, ?)",
            [(row[0], *row[width + 1 :]) for row in rows],
        )

    def finish(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("INSERT INTO items(items) VALUES ('optimize')")
        self.db.execute("INSERT INTO words(words) VALUES ('optimize')")

    @staticmethod
    def match(should) -> str:
        """Return the MATCH expression of the ranking's clauses: `field : "token"`, ORed; a
        clause whose boost counts a repeated query token appears that many times."""
        terms = []
        for clause in should:
            repeat = max(1, round(clause.boost / FIELD_BOOSTS[clause.field]))
            terms += [f"{clause.field} : {_quoted(clause.token)}"] * repeat
        return " OR ".join(terms)

    def search(self, match: str) -> list[int]:
        if not match:
            return []
        rows = self.db.execute(
            f"SELECT rowid FROM items WHERE items MATCH ? ORDER BY {self.rank} LIMIT 10", (match,)
        )
        return [row[0] for row in rows]

    def search_words(self, match: str) -> list[int]:
        if not match:
            return []
        rows = self.db.execute(
            "SELECT rowid FROM words WHERE words MATCH ? ORDER BY bm25(words) LIMIT 10", (match,)
        )
        return [row[0] for row in rows]


def run_bench(
    items: int,
    queries: int,
    *,
    seed: int = 42,
    workdir: Path | None = None,
    progress=None,
    workers: int | None = None,
) -> tuple[dict, dict]:
    """Build the three indexes, run the queries; return the figures of the JSON output and a
    breakdown of the service's time (backend calls with and without facets)."""
    from search.analysis import get_analyzer
    from search.backends import load_backend
    from search.indexing import (
        PARALLEL_MIN_OBJECTS,
        build_documents,
        default_workers,
        pipelined,
    )

    say = progress or (lambda message: None)
    if workers is None:
        workers = default_workers() if items >= PARALLEL_MIN_OBJECTS else 0
    with tempfile.TemporaryDirectory(prefix="zhiku-bench-", dir=workdir) as tmp:
        tmp_path = Path(tmp)
        backend = load_backend(
            "default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=tmp_path / "index"
        )
        analyzer = get_analyzer()
        remember = set(random.Random(seed + 1).sample(range(items), min(items, queries)))
        pools: list[list[str]] = []
        child_peak_kb = 0

        # Generating the items is the bench's stand-in for reading the database, not indexing:
        # it is done first (in the children), into a file read back as a rebuild reads rows.
        say(f"generating {items} synthetic items (not timed)")
        spill_path = tmp_path / "records.pickle"
        with open(spill_path, "wb") as spill:
            tasks = chunks(items, seed=seed, remember=remember)
            for records, chunk_pools in pipelined(
                tasks, generate_chunk, analyzer=analyzer, workers=workers
            ):
                pickle.dump(records, spill, protocol=pickle.HIGHEST_PROTOCOL)
                pools.extend(chunk_pools)
        fed_at = None

        def records():
            nonlocal fed_at
            for done, record in enumerate(_spilled(spill_path), start=1):
                yield record
                if progress and done % 10_000 == 0:
                    say(f"indexed {done} items")
            fed_at = time.perf_counter()

        # The real rebuild path: records -> build_documents (analysing children) -> rebuild.
        say(f"indexing {items} items ({workers} analysing children)")
        start = time.perf_counter()
        backend.rebuild(build_documents(records(), analyzer, workers=workers))
        index_seconds = time.perf_counter() - start
        # What the commit added after the last document: flushing and merging segments.
        commit_seconds = time.perf_counter() - (fed_at or start)
        memory = {"after index build": _memory_now()}

        say("filling the FTS5 tables (not timed)")
        fts = _FTS5(tmp_path / "fts5.sqlite3")
        batches = _spilled(spill_path, batches=True)
        for rows, peak_kb in pipelined(batches, fts5_rows, analyzer=analyzer, workers=workers):
            fts.add_many(rows)
            child_peak_kb = max(child_peak_kb, peak_kb)
        fts.finish()
        spill_path.unlink()
        query_texts = make_queries(pools, queries, seed=seed + 2)
        fts.db.close()
        # The parent lets go of the index before the queries run in a process of their own.
        index_path = backend.path.parent
        backend.close()
        index_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        say(f"running {len(query_texts)} queries")
        phase = QueryPhase(str(index_path), str(tmp_path / "fts5.sqlite3"), query_texts)
        # Searching happens in the web processes, which never build: the queries run in a
        # child started for them, so its memory is a search process's. Without analysing
        # children (small runs, tests) they run here, after the build.
        (timings,) = pipelined([phase], run_queries, analyzer=analyzer, workers=1 if workers else 0)

    service_p = percentiles(timings["service_ms"])
    engine_p = percentiles(timings["engine_ms"])
    fts5_p = percentiles(timings["fts5_ms"])
    clauses = timings["clauses"]
    return {
        "items": items,
        "index_items_per_s": round(items / index_seconds, 1),
        "service": _rounded(service_p),
        "engine": _rounded(engine_p),
        "fts5": _rounded(fts5_p),
        "ratio_p50": round(service_p["p50_ms"] / engine_p["p50_ms"], 2),
        "fts5_ratio_p50": round(fts5_p["p50_ms"] / service_p["p50_ms"], 2),
        "fts5_ratio_p95": round(fts5_p["p95_ms"] / service_p["p95_ms"], 2),
        "peak_rss_mb": round(timings["peak_rss_kb"] / 1024, 1),
        # Beyond the keys: the reference figures.
        "search_process": "separate" if workers else "the building process",
        "index_peak_rss_mb": round(index_peak_kb / 1024, 1),
        "fts5_words": _rounded(percentiles(timings["fts5_words_ms"])),
        "workers": workers,
        "index_commit_s": round(commit_seconds, 1),
        "workers_peak_rss_mb": round(child_peak_kb / 1024, 1),
        "query_clauses_p50": clauses[len(clauses) // 2] if clauses else 0,
        "rss_mb": {
            phase: {key: round(value, 1) for key, value in figures.items()}
            for phase, figures in {**memory, **timings["memory"]}.items()
        },
    }, {name: _rounded(figures) for name, figures in timings["breakdown"].items()}


@dataclass
class QueryPhase:
    """What the query phase needs: where the indexes are, and the queries."""

    index_path: str
    fts5_path: str
    queries: list[str]
    department: int = 1


def run_queries(phase: QueryPhase, analyzer) -> dict:
    """Time the service, the bare Tantivy searcher and FTS5 on the same queries.

    Return the latencies (ms), the breakdown of the service's backend calls, the clause counts
    and this process's memory: its peak RSS and, after the queries, anonymous and file-backed
    resident memory."""
    from search import service
    from search.backends import load_backend
    from search.ranking import build_should

    backend = load_backend(
        "default", BACKEND="search.backends.tantivy.TantivyBackend", PATH=phase.index_path
    )
    fts = _FTS5(Path(phase.fts5_path), create=False)
    query_texts = phase.queries
    try:
        viewer = bench_viewer(phase.department)
        audience = service._audience(viewer, "staff")
        searcher = backend.index_.searcher()
        # What each engine is given, built before timing: the engines' own time is compared.
        requests = {
            q: service._request_for(analyzer, service.parse_query(q), audience, None)
            for q in query_texts
        }
        engine_queries = {q: backend.build_query(r) for q, r in requests.items()}
        fts5_matches = {q: fts.match(build_should(analyzer, q)) for q in query_texts}
        word_matches = {
            q: " OR ".join(_quoted(t) for t in dict.fromkeys(analyzer.analyze(q).words))
            for q in query_texts
        }

        def engine(query: str):
            return searcher.search(engine_queries[query], limit=10, count=False)

        def fts5(query: str):
            return fts.search(fts5_matches[query])

        def fts5_words(query: str):
            return fts.search_words(word_matches[query])

        def _backend_call(facets):
            def run(query: str):
                request = replace(requests[query], facets=facets)
                return backend.search(request)

            return run

        def full(query: str):
            return service.search(query, viewer=viewer, backend=backend)

        for query in query_texts[:20]:  # warm caches (analyzer, jieba, the index's pages)
            full(query), fts5(query), engine(query), fts5_words(query)
        timings = {
            "service_ms": timed(full, query_texts),
            "engine_ms": timed(engine, query_texts),
            "fts5_ms": timed(fts5, query_texts),
            "fts5_words_ms": timed(fts5_words, query_texts),
        }
        # Where the service's time goes: the backend call with and without the facet
        # aggregation (which, for an OR query, visits most of the index).
        sample = query_texts[:200]
        timings["breakdown"] = {
            f"backend, {label}": percentiles(timed(_backend_call(facets), sample))
            for label, facets in (("facets", service.FACETS), ("no facets", ()))
        }
        timings["clauses"] = sorted(len(r.should) for r in requests.values())
        timings["memory"] = {"search process, after queries": _memory_now()}
        timings["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        fts.db.close()
        backend.close()
    return timings


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 3) for key, value in figures.items()}

"""The embedded default backend: a Tantivy index in a local directory, no server to run.

Tantivy allows one writer per index across processes (a second `writer()` fails with LockBusy):
every write takes the writer for one batch, retries while another process holds it, commits and
lets it go, so a web process never blocks the worker. Writers of one process queue on a lock
instead of spinning. Readers reload when the index's meta file changes (checked before each
search, a stat call), so a commit made by another process is seen by the next search; a commit is
atomic, so a rebuild (delete all, add all, one commit) keeps the old index searchable until done.

The long texts of a hit (body, attachments: what snippets and re-ranking read) are kept beside
the index in a SQLite file (`_TextStore`), not in Tantivy's document store: Tantivy maps its
files into the process, and the hits of OR queries read nearly every block of the store (at 20k
items 28 MB of a search process's resident memory was document store, growing with the index). SQLite reads
its file with pread into the kernel's page cache (shared between processes, reclaimable) and
keeps only a small page cache of its own. Tantivy still stores what a hit needs to be listed
(key, type, date, title, url, categories, extra): a hit whose texts are missing shows without a
snippet.

The index lives in `PATH/v<SCHEMA_VERSION>.<ANALYSIS_VERSION>`: new tokens, new directory. A
directory that cannot be opened (corrupt, written by an incompatible Tantivy, a different schema
under the same version) is recreated empty with a warning: the index is derived data, and the
outbox sweep or `rebuild_search_index` refills it.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import tantivy
from django.utils import timezone

from search.analysis import ANALYSIS_VERSION
from search.backends.base import (
    DATE_FIELDS,
    FACET_FIELDS,
    KEYWORD_FIELDS,
    ONCE_FIELDS,
    PHRASE_FIELDS,
    TOKEN_FIELDS,
    Hit,
    SearchBackend,
    SearchRequest,
    SearchResponse,
    split_should,
)

logger = logging.getLogger(__name__)

# Bump when the schema changes: a new directory is used and the outbox sweep/rebuild refills it.
# 2: stored text in GB18030. 3: body and attachments in the text store beside the index.
# 4: no frequencies in the postings of once-joined and keyword fields.
SCHEMA_VERSION = 4
# Stored-only text goes into bytes fields: raw text fields would index it as one huge term.
_STORED_BYTES = ("title", "url", "category_path", "extra")
# The long stored texts, kept in the text store (`_TextStore`) instead.
_LONG_TEXTS = ("body", "attachments")
# Keyword fields returned with hits; the others are only searched, filtered and counted.
_STORED_KEYWORDS = ("key", "type")
# GB18030 encodes every Unicode character (tests/search/test_tantivy_backend.py round-trips
# them all) and a Chinese one in 2 bytes where UTF-8 takes 3: the document store, which the
# hits of OR queries read nearly all of, is a third smaller on disk and in memory. Tantivy's
# LZ4 blocks gain little on Chinese text either way (zstd is not compiled into tantivy-py).
STORED_ENCODING = "gb18030"
_WRITER_WAIT_SECONDS = 60.0
# tantivy-py raises a plain ValueError; the text is TantivyError::LockFailure(LockError::LockBusy).
_LOCK_BUSY = "Failed to acquire Lockfile: LockBusy"
# Errors of Index() that mean the directory's content is unusable, not that the disk is.
_UNUSABLE = ("Data corrupted", "Schema error", "FileDoesNotExist", "IncompatibleIndex")
_META = "meta.json"
_WRITER_LOCKFILE = ".tantivy-writer.lock"

# One lock per index directory, shared by every backend instance of this process.
_path_locks: dict[str, threading.Lock] = {}
_path_locks_guard = threading.Lock()


_facet_threads: ThreadPoolExecutor | None = None


def _facet_pool() -> ThreadPoolExecutor:
    global _facet_threads
    if _facet_threads is None:
        with _path_locks_guard:
            if _facet_threads is None:
                _facet_threads = ThreadPoolExecutor(
                    max_workers=2, thread_name_prefix="tantivy-facets"
                )
    return _facet_threads


def _lock_for(path: Path) -> threading.Lock:
    with _path_locks_guard:
        return _path_locks.setdefault(str(path), threading.Lock())


def _release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc only).

    A rebuild's writer threads and segment merges leave their arenas' freed memory mapped: at 20k
    items about 235 MB of the process stayed resident after the rebuild until malloc_trim."""
    with suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class EngineUnavailable(Exception):
    """The index cannot be written now (another writer holds it too long, disk error...)."""


def _index_option(name: str) -> str:
    """Return what the postings of a token field record.

    Positions for phrase queries only; term frequencies only where a token can repeat: a field
    of once-joined tokens (ONCE_FIELDS) has frequencies of 1, which BM25 reads the same from
    postings without them ("basic"), and its short posting lists are a third smaller (a term's
    last block of fewer than 128 documents stores a frequency byte beside each document). The
    postings of queried terms become resident in the search process (they are mapped, and the
    facet aggregation of an OR query reads them whole), so their size is its memory."""
    if name in PHRASE_FIELDS:
        return "position"
    return "basic" if name in ONCE_FIELDS else "freq"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in TOKEN_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option=_index_option(name))
    for name in KEYWORD_FIELDS:
        # Exact values are matched, never scored or searched as phrases: documents only.
        builder.add_text_field(
            name,
            stored=name in _STORED_KEYWORDS,
            fast=True,
            tokenizer_name="raw",
            index_option="basic",
        )
    for name in DATE_FIELDS:
        builder.add_date_field(name, stored=True, indexed=True, fast=True)
    for name in _STORED_BYTES:
        builder.add_bytes_field(name, stored=True)
    return builder.build()


def _as_utc(value):
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


@contextmanager
def _flock(path: Path):
    """Hold an exclusive lock on `path` across processes (blocking)."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _no_writer(path: Path) -> bool:
    """Return True when no process holds Tantivy's writer lock on the index at `path`.

    Tantivy takes the lock with flock(2) on this file, so a failed non-blocking flock means a
    writer is at work (its commit may be what made the index look broken for a moment)."""
    lockfile = path / _WRITER_LOCKFILE
    if not lockfile.exists():
        return True
    with open(lockfile, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


_TEXTS = "texts.sqlite3"
# Rows written per executemany during a rebuild: one call per document costs more than the insert.
_TEXT_BATCH = 500


class _TextStore:
    """The long texts of the index's documents, by key, in a SQLite file in the index directory
    (in GB18030, like the stored fields: two thirds of the file UTF-8 would take).

    Written only by the holder of the index writer, in the same block as the index: rows are
    added before the index commits and removed after it has, so every document a reader can
    find has its row (a crash in between leaves rows no document refers to, dropped by the
    next rebuild). Deletes, clears and rebuilds therefore only note what to remove
    (`pending_deletes`, `delete_all`, `start_rebuild`); `after_commit` removes it. WAL mode: a rebuild's long transaction never
    blocks readers, who read the last committed rows.

    `PRAGMA mmap_size=0` (SQLite's default, made explicit): pages are read with pread, so they
    sit in the kernel's page cache and not in the process's resident memory. Each thread reads
    through its own connection; a file replaced under us (the index recreated by another
    process) is reopened when the index reloads (`refresh`).
    """

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._generation = 0
        self._file_id = None
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        db.execute("PRAGMA mmap_size=0")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A rebuild writes every row in one transaction: the WAL grows to the whole file, and
        # readers holding connections open keep it from being deleted; truncate it instead.
        db.execute("PRAGMA journal_size_limit=33554432")
        db.execute(
            "CREATE TABLE IF NOT EXISTS texts"
            " (key TEXT PRIMARY KEY, body BLOB NOT NULL, attachments BLOB NOT NULL)"
        )
        with self._guard:
            self._connections.append(db)
        return db

    def _file(self):
        with suppress(FileNotFoundError):
            stat = os.stat(self.path)
            return (stat.st_dev, stat.st_ino)
        return None

    def _reader(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            local.db = self._connect()
            local.generation = self._generation
            if self._file_id is None:
                self._file_id = self._file()
        return local.db

    def refresh(self) -> None:
        """Reopen the connections if the file is no longer the one they read."""
        if self._file_id is not None and self._file() != self._file_id:
            self.close()

    def close(self) -> None:
        with self._guard:
            connections, self._connections = self._connections, []
            self._generation += 1
            self._file_id = None
        for db in connections:
            with suppress(sqlite3.ProgrammingError):
                db.close()

    def fetch(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """Return (body, attachments) of the keys that have a row."""
        if not keys:
            return {}
        marks = ", ".join("?" * len(keys))
        rows = self._reader().execute(
            f"SELECT key, body, attachments FROM texts WHERE key IN ({marks})", keys
        )
        return {
            key: (body.decode(STORED_ENCODING), attachments.decode(STORED_ENCODING))
            for key, body, attachments in rows
        }

    @contextmanager
    def writing(self):
        """Yield a `_TextWrite` in a transaction; the caller commits it (before the index)."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield _TextWrite(db)
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            with self._guard:
                if db in self._connections:
                    self._connections.remove(db)
            db.close()


class _TextWrite:
    """One writer block's changes to the text store (see `_TextStore`)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._rows: list[tuple[str, bytes, bytes]] = []
        self.pending_deletes: list[str] = []
        self.delete_all = False
        self.rebuilding = False

    def put(self, doc: dict) -> None:
        texts = (str(doc.get(name) or "").encode(STORED_ENCODING) for name in _LONG_TEXTS)
        self._rows.append((doc["key"], *texts))
        if len(self._rows) >= _TEXT_BATCH:
            self._flush()

    def start_rebuild(self) -> None:
        """Remember the keys written from now on: after the commit, every other row goes."""
        self.rebuilding = True
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS rebuilt (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.rebuilt")

    def _flush(self) -> None:
        rows, self._rows = self._rows, []
        self.db.executemany(
            "INSERT OR REPLACE INTO texts (key, body, attachments) VALUES (?, ?, ?)", rows
        )
        if self.rebuilding:
            self.db.executemany(
                "INSERT OR IGNORE INTO temp.rebuilt (key) VALUES (?)", [(row[0],) for row in rows]
            )

    def commit(self) -> None:
        """Commit the added rows (called before the index commits)."""
        self._flush()
        self.db.execute("COMMIT")

    def after_commit(self) -> None:
        """Remove the rows of documents the committed index no longer holds."""
        if not (self.pending_deletes or self.delete_all or self.rebuilding):
            return
        self.db.execute("BEGIN IMMEDIATE")
        if self.delete_all:
            self.db.execute("DELETE FROM texts")
        elif self.rebuilding:
            self.db.execute("DELETE FROM texts WHERE key NOT IN (SELECT key FROM temp.rebuilt)")
        else:
            self.db.executemany(
                "DELETE FROM texts WHERE key = ?", [(key,) for key in self.pending_deletes]
            )
        self.db.execute("COMMIT")


class TantivyBackend(SearchBackend):
    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        self.path = Path(params["PATH"]) / f"v{SCHEMA_VERSION}.{ANALYSIS_VERSION}"
        self.writer_heap = int(params.get("WRITER_HEAP", 64_000_000))
        self.writer_threads = int(params.get("WRITER_THREADS", 1))
        self._schema = _schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()
        self._write_lock = _lock_for(self.path)
        self._meta_path = self.path / _META
        self._meta_stamp = None
        self._texts = _TextStore(self.path / _TEXTS)

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def index_(self) -> tantivy.Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._open()
                    self._meta_stamp = self._stamp()
        return self._index

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        # Two processes finding the same broken index must not both wipe and create it.
        with _flock(self.path.parent / f"{self.path.name}.open.lock"):
            problem = None
            for _attempt in range(3):
                problem = self._unusable_because()
                if problem is None:
                    try:
                        return self._new_index(reuse=True)
                    except ValueError as err:
                        if not any(marker in str(err) for marker in _UNUSABLE):
                            raise
                        problem = str(err)
                if _no_writer(self.path):
                    break
                time.sleep(0.2)  # a writer in another process is committing: look again
            logger.warning(
                "Search index %s is unusable (%s); recreating it empty. It fills again from the "
                "outbox sweep; run `manage.py rebuild_search_index` to refill it now.",
                self.path,
                problem,
            )
            self._discard()
            return self._new_index(reuse=False)

    def _unusable_because(self) -> str | None:
        """Return why the stored index cannot be opened, or None (also when there is none)."""
        path = str(self.path)
        if not (self.path / _META).exists():
            return None
        try:
            if not tantivy.Index.is_compatible(path):
                return "written by an incompatible Tantivy version"
        except ValueError as err:
            if not any(marker in str(err) for marker in _UNUSABLE):
                raise  # not the index's fault (too many open files...): keep it
            return str(err)
        return None

    def _discard(self) -> None:
        self._texts.close()
        for entry in self.path.iterdir():
            if entry.name == _WRITER_LOCKFILE:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def _new_index(self, *, reuse: bool) -> tantivy.Index:
        index = tantivy.Index(self._schema, path=str(self.path), reuse=reuse)
        # Reload ourselves (after our commits and when meta.json changes) instead of a watcher
        # thread: the next search after any commit, from any process, sees it.
        index.config_reader(reload_policy="Manual")
        return index

    def _stamp(self):
        try:
            stat = os.stat(self._meta_path)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _writer(self, heap: int | None = None):
        deadline = time.monotonic() + float(self.params.get("WRITER_WAIT", _WRITER_WAIT_SECONDS))
        delay = 0.02
        while True:
            try:
                return self.index_.writer(heap or self.writer_heap, self.writer_threads)
            except ValueError as err:
                if _LOCK_BUSY not in str(err):
                    raise EngineUnavailable(str(err)) from err
                if time.monotonic() > deadline:
                    raise EngineUnavailable(
                        f"another process holds the index writer of {self.path}"
                    ) from err
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def _writing(self, heap: int | None = None):
        """Yield the writer and the text store's changes; commit both when the block ends (the
        texts first, see `_TextStore`), roll back when it raises."""
        with self._write_lock:
            writer = self._writer(heap)
            try:
                with self._texts.writing() as texts:
                    try:
                        yield writer, texts
                        texts.commit()
                        writer.commit()
                    except BaseException:
                        writer.rollback()
                        raise
                    texts.after_commit()
            finally:
                # Ends the writer and frees Tantivy's lock (rollback alone keeps it).
                writer.wait_merging_threads()
        self._reload()

    def _reload(self) -> None:
        self._meta_stamp = self._stamp()
        self.index_.reload()

    def _document(self, doc: dict) -> tantivy.Document:
        document = tantivy.Document()
        for name in TOKEN_FIELDS:
            text = doc.get(name)
            if text:
                document.add_text(name, text)
        for name in KEYWORD_FIELDS:
            value = doc.get(name)
            for item in value if isinstance(value, list | tuple) else [value]:
                if item not in (None, ""):
                    document.add_text(name, str(item))
        for name in DATE_FIELDS:
            value = _as_utc(doc.get(name))
            if value is not None:
                document.add_date(name, value)
        for name in _STORED_BYTES:
            value = doc.get(name)
            if value:
                document.add_bytes(name, str(value).encode(STORED_ENCODING))
        return document

    # --- writing ----------------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> None:
        documents = list(documents)
        if not documents:
            return
        with self._writing() as (writer, texts):
            for doc in documents:
                writer.delete_documents_by_term("key", doc["key"])
                writer.add_document(self._document(doc))
                texts.put(doc)

    def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        with self._writing() as (writer, texts):
            for key in keys:
                writer.delete_documents_by_term("key", key)
            texts.pending_deletes = keys

    def rebuild(self, documents: Iterable[dict]) -> int:
        try:
            return self._rebuild(documents)
        finally:
            _release_free_memory()

    def _rebuild(self, documents: Iterable[dict]) -> int:
        count = 0
        # One atomic commit: readers see the old index until the block ends. The usual heap:
        # measured at 3k-8k items, 128 MB indexed slower than 64 MB (fewer, larger segment
        # flushes), and 32 MB slower still.
        with self._writing() as (writer, texts):
            writer.delete_all_documents()
            texts.start_rebuild()
            for doc in documents:
                writer.add_document(self._document(doc))
                texts.put(doc)
                count += 1
        return count

    def clear(self) -> None:
        with self._writing() as (writer, texts):
            writer.delete_all_documents()
            texts.delete_all = True

    # --- reading ----------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        index = self.index_
        stamp = self._stamp()
        if stamp != self._meta_stamp:  # another process (or instance) committed
            self._texts.refresh()
            try:
                index.reload()
                self._meta_stamp = stamp
            except ValueError as err:  # files of that commit vanished under a merge: next time
                logger.info("search index reload failed, keeping the previous view: %s", err)
        return index.searcher()

    def _filter(self, request: SearchRequest) -> list:
        """Return the Must clauses that trim to the audience and apply the filters (no score)."""
        if not request.audience:
            raise ValueError("a search needs the viewer's audience terms")
        schema = self._schema
        audience = list(request.audience)
        clauses = [
            tantivy.Query.term_set_query(schema, "read", audience),
            tantivy.Query.term_set_query(schema, "restrict", audience),
        ]
        for name, values in request.filters.items():
            if name not in KEYWORD_FIELDS:
                raise ValueError(f"cannot filter on {name!r}")
            clauses.append(tantivy.Query.term_set_query(schema, name, [str(v) for v in values]))
        for name, (start, end) in request.date_ranges.items():
            if name not in DATE_FIELDS:
                raise ValueError(f"no date field {name!r}")
            clauses.append(
                tantivy.Query.range_query(
                    schema,
                    name,
                    tantivy.FieldType.Date,
                    lower_bound=_as_utc(start) or tantivy.MIN_DATETIME,
                    upper_bound=_as_utc(end) or tantivy.MAX_DATETIME,
                )
            )
        return [tantivy.Query.const_score_query(clause, 0.0) for clause in clauses]

    def _phrase(self, phrase) -> tantivy.Query:
        schema = self._schema
        alternatives = []
        for name in phrase.fields:
            if len(phrase.tokens) == 1:
                alternatives.append(
                    tantivy.Query.term_query(schema, name, phrase.tokens[0], index_option="freq")
                )
            else:
                alternatives.append(tantivy.Query.phrase_query(schema, name, list(phrase.tokens)))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in alternatives])

    def _should(self, should) -> tantivy.Query:
        schema = self._schema
        if should.fuzzy or should.prefix:
            query = tantivy.Query.fuzzy_term_query(
                schema, should.field, should.token, distance=should.fuzzy, prefix=should.prefix
            )
        else:
            # Scoring needs frequencies only; tantivy-py's default ("position") makes every term
            # of a positional field (*_g) decode its positions too: CPU, and at 20k items 16 MB
            # of position pages mapped into the process by 300 queries.
            query = tantivy.Query.term_query(
                schema, should.field, should.token, index_option="freq"
            )
        if should.boost != 1.0:
            query = tantivy.Query.boost_query(query, should.boost)
        return query

    def build_query(self, request: SearchRequest) -> tantivy.Query:
        """Return the engine query of a request (the bench runs it bare, without the service)."""
        occur = tantivy.Occur
        clauses = [(occur.Must, clause) for clause in self._filter(request)]
        matching, scoring = split_should(request.should)
        if matching:
            shoulds = [(occur.Should, self._should(s)) for s in matching]
            clauses.append((occur.Must, tantivy.Query.boolean_query(shoulds)))
        if scoring:  # beside Must clauses, Should ones are optional: they only add to the score
            shoulds = [(occur.Should, self._should(s)) for s in scoring]
            clauses.append((occur.Should, tantivy.Query.boolean_query(shoulds)))
        clauses.extend((occur.Must, self._phrase(p)) for p in request.must)
        clauses.extend((occur.MustNot, self._phrase(p)) for p in request.must_not)
        return tantivy.Query.boolean_query(clauses)

    def search(self, request: SearchRequest) -> SearchResponse:
        for name in request.facets:
            if name not in FACET_FIELDS:
                raise ValueError(f"no facet field {name!r}")
        query = self.build_query(request)
        searcher = self._searcher()
        kwargs = {}
        if request.sort in ("newest", "oldest"):
            kwargs = {
                "order_by_field": "updated",
                "order": tantivy.Order.Desc if request.sort == "newest" else tantivy.Order.Asc,
            }
        # The facet aggregation walks every match again; Tantivy releases the GIL, so it runs
        # on another core while this thread ranks and loads the hits (measured at 10k items:
        # 1.7 ms for both instead of 2.7 ms one after the other).
        facets = (
            _facet_pool().submit(self._facets, searcher, query, request) if request.facets else None
        )
        result = searcher.search(
            query, limit=request.limit, count=True, offset=request.offset, **kwargs
        )
        docs = [(order_key, searcher.doc(address)) for order_key, address in result.hits]
        texts = self._texts.fetch([doc.get_first("key") for _order_key, doc in docs])
        hits = []
        for order_key, doc in docs:
            key = doc.get_first("key")
            score = float(order_key) if not kwargs else 0.0
            hits.append(Hit(key=key, score=score, stored=self._stored(doc, texts.get(key))))
        return SearchResponse(
            total=result.count, hits=hits, facets=facets.result() if facets else {}
        )

    @staticmethod
    def _stored(doc: tantivy.Document, texts: tuple[str, str] | None) -> dict:
        stored = {}
        for name in _STORED_BYTES:
            value = doc.get_first(name)
            stored[name] = bytes(value).decode(STORED_ENCODING) if value is not None else ""
        if texts is None:  # not written by this backend's writer, or the file was lost
            logger.warning("search index: no stored texts for %s", doc.get_first("key"))
            texts = ("", "")
        stored.update(zip(_LONG_TEXTS, texts, strict=True))
        stored["category_path"] = json.loads(stored["category_path"] or "[]")
        stored["extra"] = json.loads(stored["extra"] or "{}")
        stored["type"] = doc.get_first("type")
        updated = doc.get_first("updated")
        stored["updated"] = updated.replace(tzinfo=dt.UTC) if updated else None
        return stored

    @staticmethod
    def _facets(searcher, query, request: SearchRequest) -> dict[str, list[tuple[str, int]]]:
        aggs = {
            name: {"terms": {"field": name, "size": request.facet_size}} for name in request.facets
        }
        result = searcher.aggregate(query, aggs)
        return {
            name: [(str(b["key"]), int(b["doc_count"])) for b in result[name]["buckets"]]
            for name in request.facets
        }

    def doc_freq(self, field_name: str, token: str) -> int:
        return self._searcher().doc_freq(field_name, token)

    def count(self) -> int:
        return self._searcher().num_docs

    def keys(self) -> set[str]:
        # Walks the term dictionary of `key`; the filter leaves out deleted documents whose
        # terms stay in the dictionary until their segment is merged.
        searcher = self._searcher()
        if not searcher.num_docs:
            return set()
        terms = searcher.terms_with_prefix("key", "", filter_query=tantivy.Query.all_query())
        return {term for term, count in terms if count}

    def close(self) -> None:
        with self._lock:
            self._index = None
            self._meta_stamp = None
            self._texts.close()

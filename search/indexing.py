"""Bring the index up to date from the database: drain the outbox, rebuild, compare.

The drain claims due outbox rows by pushing their `next_attempt_at` one lease ahead (so a
second drain running at the same time takes other rows, and a crashed drain's rows come due
again when the lease ends), loads the objects through their sources, writes the index, and then
deletes each row only if its `changed_at` is still the value it read. A row changed meanwhile, or
taken over by another drain, is bumped again, so the last write to the index always follows the
last change: a stale write by a slow drain can never be the final one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from search.analysis import Analyzer, get_analyzer
from search.backends import get_backend
from search.documents import build_document
from search.models import IndexOutbox
from search.outbox import mark_many
from search.records import Record, RecordSource, key_for, source_for_label, sources, split_key

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200
# How long a claimed row is left to its drain before another may take it (a crashed worker).
CLAIM_LEASE = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
REPORT_ATTEMPTS = 5


class EngineError(Exception):
    """The search engine failed to take a write; the rows stay in the outbox."""


@dataclass
class _Row:
    pk: int
    label: str
    object_id: str
    changed_at: object
    attempts: int

    @property
    def key(self) -> str:
        return f"{self.label}:{self.object_id}"


@dataclass
class DrainResult:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    batches: int = 0
    engine_error: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def backoff(attempts: int) -> timedelta:
    """Return the wait before retry number `attempts` (exponential, capped, with jitter)."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _claim(batch_size: int) -> list[_Row]:
    now = timezone.now()
    with transaction.atomic():
        rows = [
            _Row(*values)
            for values in IndexOutbox.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("pk")
            .values_list("pk", "model_label", "object_id", "changed_at", "attempts")[:batch_size]
        ]
        if rows:
            IndexOutbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + CLAIM_LEASE
            )
    return rows


def _records_isolating_failures(
    source: RecordSource, objs: list, errors: dict[str, str]
) -> Iterator[tuple[str, Record | None]]:
    try:
        yield from list(source.records(objs))
        return
    except Exception:  # one bad object must not hold back the others: retry them one by one
        logger.exception("building search records of %s failed; retrying one by one", source)
    for obj in objs:
        try:
            yield from list(source.records([obj]))
        except Exception as err:
            errors[key_for(obj)] = f"{type(err).__name__}: {err}"


def _build(rows: list[_Row], analyzer) -> tuple[list[dict], list[str], dict[str, str]]:
    """Return the documents to index, the keys to delete, and the per-key errors of `rows`."""
    documents: list[dict] = []
    deletes: list[str] = []
    errors: dict[str, str] = {}
    by_label: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_label[row.label].append(row)
    for label, group in by_label.items():
        source = source_for_label(label)
        if source is None:  # the model is no longer indexed
            deletes.extend(row.key for row in group)
            continue
        wanted = {row.key for row in group}
        objs = list(source.get_queryset().filter(pk__in=[row.object_id for row in group]))
        seen = set()
        for key, record in _records_isolating_failures(source, objs, errors):
            seen.add(key)
            if key not in wanted:
                continue
            if record is None:
                deletes.append(key)
                continue
            try:
                documents.append(build_document(record, analyzer))
            except Exception as err:
                logger.exception("building the index document of %s failed", key)
                errors[key] = f"{type(err).__name__}: {err}"
        # Gone from the database, or outside what the source indexes (a draft, the bin).
        deletes.extend(key for key in wanted - seen if key not in errors)
    return documents, deletes, errors


def _write(backend, documents: list[dict], deletes: list[str]) -> None:
    try:
        if documents:
            backend.index(documents)
        if deletes:
            backend.delete(deletes)
    except Exception as err:  # the engine's own errors, lock timeouts, disk, network
        raise EngineError(f"{type(err).__name__}: {err}") from err


def _settle(rows: list[_Row], errors: dict[str, str]) -> None:
    """Delete the rows caught up with; bump the others; back off the failed ones."""
    now = timezone.now()
    done = [row for row in rows if row.key not in errors]
    failed = [row for row in rows if row.key in errors]
    rebump = set()
    with transaction.atomic():
        current = dict(
            IndexOutbox.objects.select_for_update()
            .filter(pk__in=[row.pk for row in rows])
            .values_list("pk", "changed_at")
        )
        finished = []
        for row in done:
            if current.get(row.pk) == row.changed_at:
                finished.append(row.pk)
            else:  # changed while we worked, or taken over by another drain: go round again
                rebump.add((row.label, row.object_id))
        IndexOutbox.objects.filter(pk__in=finished).delete()
        for row in failed:
            if current.get(row.pk) != row.changed_at:
                continue  # a newer change made it due again; try that one first
            IndexOutbox.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1,
                last_error=errors[row.key][:2000],
                next_attempt_at=now + backoff(row.attempts + 1),
            )
        mark_many(rebump, drain=False)


def _back_off(rows: list[_Row], error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            IndexOutbox.objects.filter(pk=row.pk, changed_at=row.changed_at).update(
                attempts=row.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=now + backoff(row.attempts + 1),
            )
            # Changed meanwhile: due again now, which is what the next sweep should see.


def drain_outbox(*, batch_size: int = DRAIN_BATCH, backend=None) -> DrainResult:
    """Index the due outbox rows batch by batch until none is left or the engine fails."""
    backend = backend or get_backend()
    result = DrainResult()
    while True:
        rows = _claim(batch_size)
        if not rows:
            return result
        analyzer = get_analyzer()
        documents, deletes, errors = _build(rows, analyzer)
        try:
            _write(backend, documents, deletes)
        except EngineError as err:
            logger.warning("search engine failed, %d outbox rows kept: %s", len(rows), err)
            _back_off(rows, str(err))
            result.engine_error = str(err)
            return result
        _settle(rows, errors)
        result.batches += 1
        result.indexed += len(documents)
        result.deleted += len(deletes)
        result.failed += len(errors)
        result.errors.update(errors)


# --- Rebuild and check --------------------------------------------------------------------------


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def total_objects() -> int:
    """Return how many objects a rebuild considers."""
    return sum(source.get_queryset().count() for source in sources())


def iter_records(*, batch_size: int = DRAIN_BATCH, progress: Callable[[int], None] | None = None):
    """Yield (key, record or None) of every object of every source, `batch_size` at a time."""
    done = 0
    for source in sources():
        queryset = source.get_queryset().order_by("pk")
        for chunk in _chunks(queryset.iterator(chunk_size=batch_size), batch_size):
            errors: dict[str, str] = {}
            yield from _records_isolating_failures(source, chunk, errors)
            for key, error in errors.items():
                logger.warning("no search record for %s: %s", key, error)
            done += len(chunk)
            if progress is not None:
                progress(done)


# --- Building documents in child processes ------------------------------------------------------

# Below this many objects a rebuild analyses in-process: starting a child costs about a second.
PARALLEL_MIN_OBJECTS = 5_000
PIPELINE_CHUNK = 200
_child_analyzer: Analyzer | None = None


def default_workers() -> int:
    """Return how many analysing children a rebuild uses: the cores left to the main process,
    which feeds the engine (Tantivy indexes in threads of its own)."""
    return max(1, min(4, (os.cpu_count() or 1) - 1))


def _analyzer_spec(analyzer: Analyzer) -> dict:
    groups = dict.fromkeys(analyzer.groups.values())
    return {"dictionary": dict(analyzer.dictionary), "synonyms": [list(g) for g in groups]}


# The children unpickle their initializer by importing its module, and this module imports
# Django models: so the initializer is `exec` of this bootstrap, which sets Django up first.
_CHILD_BOOTSTRAP = """
import os, django
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    django.setup()
from search.indexing import _child_init
_child_init(dictionary, synonyms)
"""


def _child_init(dictionary: dict, synonyms: list[list[str]]) -> None:
    global _child_analyzer
    _child_analyzer = Analyzer(dictionary=dictionary, synonyms=synonyms)
    _child_analyzer.install()


def _child_run(work: Callable, task):
    return work(task, _child_analyzer)


def pipelined(tasks: Iterable, work: Callable, *, analyzer: Analyzer, workers: int) -> Iterator:
    """Yield `work(task, analyzer)` of each task, in order, computed in `workers` children
    (in this process when `workers` is 0).

    The children are started by forkserver, never forked from this process (an in-process
    Tika that has run makes a forked child hang, see DESIGN field notes); each gets a copy of
    `analyzer`'s dictionary and synonyms. At most two tasks per child are in flight, so memory
    stays bounded however many tasks there are. `work` must be a module-level function."""
    if workers <= 0 or multiprocessing.current_process().daemon:  # daemons may not have children
        for task in tasks:
            yield work(task, analyzer)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=exec,
        initargs=(
            _CHILD_BOOTSTRAP,
            _analyzer_spec(analyzer),
        ),
    ) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(_child_run, work, task))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _build_records(records: list[Record], analyzer: Analyzer) -> list[dict]:
    return [build_document(record, analyzer) for record in records]


def build_documents(
    records: Iterable[Record], analyzer: Analyzer, *, workers: int = 0
) -> Iterator[dict]:
    """Yield the index document of each record, in order; with `workers`, built in children
    while the caller feeds the engine."""
    chunks = _chunks(records, PIPELINE_CHUNK)
    for documents in pipelined(chunks, _build_records, analyzer=analyzer, workers=workers):
        yield from documents


def rebuild_index(
    *,
    batch_size: int = DRAIN_BATCH,
    backend=None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Rebuild the whole index from the database; clear the outbox rows it caught up with.

    `workers` analysing children build the documents (None: `default_workers()` when there
    are at least PARALLEL_MIN_OBJECTS objects, else none)."""
    backend = backend or get_backend()
    analyzer = get_analyzer()
    # Rows visible now were committed before we read anything, so the rebuild sees their changes;
    # a row bumped or created after this point keeps its (new) changed_at and stays.
    snapshot = list(IndexOutbox.objects.values_list("pk", "changed_at"))
    if workers is None:
        workers = default_workers() if total_objects() >= PARALLEL_MIN_OBJECTS else 0

    def records():
        for _key, record in iter_records(batch_size=batch_size, progress=progress):
            if record is not None:
                yield record

    count = backend.rebuild(build_documents(records(), analyzer, workers=workers))
    for chunk in _chunks(snapshot, 200):
        condition = Q()
        for pk, changed_at in chunk:
            condition |= Q(pk=pk, changed_at=changed_at)
        IndexOutbox.objects.filter(condition).delete()
    return count


@dataclass
class CheckResult:
    missing: set[str]
    stale: set[str]


def check_index(*, batch_size: int = DRAIN_BATCH, backend=None, repair: bool = False):
    """Compare the index's keys with the database's; with `repair`, mark the differences."""
    backend = backend or get_backend()
    expected = {key for key, record in iter_records(batch_size=batch_size) if record is not None}
    present = backend.keys()
    result = CheckResult(missing=expected - present, stale=present - expected)
    if repair and (result.missing or result.stale):
        with transaction.atomic():
            mark_many(split_key(key) for key in result.missing | result.stale)
    return result


class Progress:
    """Text progress on a stream: `n/total`, items per second, at most a few times a second."""

    def __init__(self, total: int, stream, *, interval: float = 0.5):
        self.total = total
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and done < self.total:
            return
        self._last = now
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(f"\r{done}/{self.total}  {rate:,.0f} items/s")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()

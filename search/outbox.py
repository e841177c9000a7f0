"""Mark objects whose index entries are out of date, in the transaction that changes them.

`mark_dirty` writes (or bumps) an `IndexOutbox` row beside the change, so the mark commits or
rolls back with it, and asks for one drain after the commit. The drain (search.tasks) and the
periodic sweep bring the index up to date; nothing else writes the index in production.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import router, transaction
from django.utils import timezone

from search.models import IndexOutbox
from search.records import source_for_model

logger = logging.getLogger(__name__)

_BULK = 500


def _db() -> str:
    return router.db_for_write(IndexOutbox)


def _upsert(pairs: set[tuple[str, str]], using: str) -> None:
    now = timezone.now()
    rows = [
        IndexOutbox(
            model_label=label,
            object_id=pk,
            changed_at=now,
            next_attempt_at=now,
            attempts=0,
        )
        for label, pk in sorted(pairs)
    ]
    # Sorted, so two transactions bumping the same rows take their locks in the same order.
    IndexOutbox.objects.using(using).bulk_create(
        rows,
        batch_size=_BULK,
        update_conflicts=True,
        unique_fields=["model_label", "object_id"],
        update_fields=["changed_at", "next_attempt_at", "attempts"],
    )


def _normalise(pairs: Iterable[tuple[str, object]]) -> set[tuple[str, str]]:
    return {(label.lower(), str(pk)) for label, pk in pairs if pk is not None}


def _enqueue_drain() -> None:
    from search.tasks import drain_search_outbox_task

    drain_search_outbox_task.delay()


_PENDING = "_kb_search_drain_pending"


def once_per_transaction(using: str, name: str, func) -> None:
    """Run `func` after the current transaction commits, once however often this is called.

    A flag on the connection says a callback is queued; the callback clears it when it runs, and
    a rolled-back savepoint drops the callback, so either way the next call queues a new one.
    """
    connection = transaction.get_connection(using)
    flag = f"{_PENDING}_{name}"
    if (
        connection.in_atomic_block
        and getattr(connection, flag, False)
        and any(getattr(f, flag, False) for _sids, f, _robust in connection.run_on_commit)
    ):
        return

    def callback():
        setattr(connection, flag, False)
        func()

    setattr(callback, flag, True)
    setattr(connection, flag, True)
    # robust: a broker that is down must not fail the user's change; the sweep drains later.
    transaction.on_commit(callback, using=using, robust=True)


def _drain_after_commit(using: str) -> None:
    """Ask for one drain when the current transaction commits, however many rows it marked."""
    once_per_transaction(using, "drain", _enqueue_drain)


def mark_many(pairs: Iterable[tuple[str, object]], *, drain: bool = True) -> None:
    """Mark (model label, pk) pairs dirty in the current transaction; drain after it commits."""
    pairs = _normalise(pairs)
    if not pairs:
        return
    using = _db()
    _upsert(pairs, using)
    if drain:
        _drain_after_commit(using)


def mark_dirty(model_label: str, pk) -> None:
    """Mark one object dirty in the current transaction; drain after it commits."""
    mark_many([(model_label, pk)])


def source_label(model) -> str | None:
    """Return the label under which objects of `model` are indexed (nearest registered class)."""
    for cls in model.__mro__:
        meta = getattr(cls, "_meta", None)
        if meta is None or meta.abstract:
            continue
        if source_for_model(cls) is not None:
            return meta.label_lower
    return None


def _specific_class(obj):
    from wagtail.models import Page

    if isinstance(obj, Page):
        return obj.specific_class or type(obj)
    return type(obj)


def keys_for_instance(obj) -> set[tuple[str, str]]:
    """Return the (label, pk) pairs to refresh when `obj` changes: itself and what shows it."""
    model = _specific_class(obj)
    label = source_label(model)
    if label is None or obj.pk is None:
        return set()
    from search.records import source_for_label

    pairs = {(label, str(obj.pk))}
    pairs |= _normalise(source_for_label(label).related_keys(obj))
    return pairs


def mark_instance(obj) -> None:
    """Mark an object (of any indexed model, pages by their specific type) and its dependants."""
    mark_many(keys_for_instance(obj))


def page_keys(page_ids: Iterable[int]) -> set[tuple[str, str]]:
    """Return the (label, pk) pairs of the indexed pages among `page_ids`, by specific type."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    page_ids = {pk for pk in page_ids if pk is not None}
    if not page_ids:
        return set()
    pairs = set()
    rows = Page.objects.filter(pk__in=page_ids).values_list("pk", "content_type_id")
    for pk, content_type_id in rows:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        label = source_label(model) if model is not None else None
        if label is not None:
            pairs.add((label, str(pk)))
    return pairs


def subtree_keys(page, *, inclusive: bool = True) -> set[tuple[str, str]]:
    """Return the (label, pk) pairs of the indexed pages in `page`'s subtree."""
    from wagtail.models import Page

    ids = Page.objects.descendant_of(page, inclusive=inclusive).values_list("pk", flat=True)
    return page_keys(ids)


def all_index_keys(pairs: Iterable[tuple[str, object]]) -> set[str]:
    """Return index keys ("label:pk") of (label, pk) pairs."""
    return {f"{label}:{pk}" for label, pk in _normalise(pairs)}

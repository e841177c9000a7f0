"""Tasks that write the search index. All are safe to repeat and to run at the same time."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from search import indexing
from search.backends import get_backend
from search.models import IndexOutbox

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def drain_search_outbox_task(batch_size: int = indexing.DRAIN_BATCH) -> dict:
    """Index the due outbox rows in batches; on an engine failure keep them for the sweep."""
    result = indexing.drain_outbox(batch_size=batch_size)
    return {
        "indexed": result.indexed,
        "deleted": result.deleted,
        "failed": result.failed,
        "engine_error": result.engine_error,
    }


@shared_task(ignore_result=True)
def sweep_search_outbox_task() -> int:
    """Start a drain when rows are due (failed, or left by a crashed worker); report stuck ones."""
    now = timezone.now()
    stuck = IndexOutbox.objects.filter(attempts__gt=indexing.REPORT_ATTEMPTS)
    stuck_count = stuck.count()
    if stuck_count:
        sample = list(
            stuck.order_by("pk").values_list("model_label", "object_id", "last_error")[:5]
        )
        logger.warning(
            "%d search outbox rows failed more than %d times, e.g. %s",
            stuck_count,
            indexing.REPORT_ATTEMPTS,
            "; ".join(f"{label}:{pk} ({error[:200]})" for label, pk, error in sample),
        )
    if get_backend().count() == 0 and indexing.total_objects():
        # A new or recreated index (new version, corrupt files replaced): refill it at once.
        logger.warning("the search index is empty while the database is not: rebuilding it")
        rebuild_search_index_task.delay()
        return 0
    due = IndexOutbox.objects.filter(next_attempt_at__lte=now).count()
    if due:
        drain_search_outbox_task.delay()
    return due


@shared_task(ignore_result=True)
def rebuild_search_index_task() -> int:
    """Rebuild the whole index from the database (after the dictionary or synonyms change)."""
    return indexing.rebuild_index()

"""Periodic housekeeping tasks of the operations app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from kb.ops.signal_handlers import beat_once

FAILURE_RETENTION_DAYS = 90

# The status page reads this heartbeat to tell whether scheduled tasks really reach a worker:
# beat and worker can both be alive while the messages go nowhere (wrong queue, broken broker).
SCHEDULED_TASKS_SERVICE = "scheduled_tasks"


@shared_task(ignore_result=True)
def prune_task_failures_task(days: int = FAILURE_RETENTION_DAYS) -> int:
    """Delete task failures older than `days` days; return how many were deleted."""
    from kb.ops.models import TaskFailure

    cutoff = timezone.now() - timedelta(days=int(days))
    deleted, _by_model = TaskFailure.objects.filter(failed_at__lt=cutoff).delete()
    return deleted


@shared_task(ignore_result=True)
def record_scheduled_heartbeat_task() -> None:
    """Record that a task sent by beat was executed by a worker."""
    beat_once(SCHEDULED_TASKS_SERVICE)

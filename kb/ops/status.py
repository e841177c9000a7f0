"""Selectors for the operations status page: service liveness, queue lengths, failed tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.ops.models import ServiceHeartbeat, TaskFailure
from kb.ops.tasks import SCHEDULED_TASKS_SERVICE

# A service is alive while its last heartbeat is younger than this many intervals: one missed beat
# (a slow database write, a busy host) must not flip the page to "dead".
MISSED_BEATS_ALLOWED = 3


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    label: str
    heartbeat: ServiceHeartbeat | None
    alive: bool


@dataclass(frozen=True)
class QueueStatus:
    name: str
    message_count: int | None
    error: str = ""


def can_view_system_status(user) -> bool:
    """Return whether `user` may see the operations status page."""
    # has_perm is True for active superusers and False for inactive and anonymous users.
    return user.has_perm("ops.view_systemstatus")


def _scheduled_interval() -> float:
    return float(settings.CELERY_BEAT_SCHEDULE["ops-scheduled-heartbeat"]["schedule"])


def list_service_statuses(now: datetime | None = None) -> list[ServiceStatus]:
    """Return the liveness of the worker, the beat scheduler and the scheduled-task round trip."""
    now = now or timezone.now()
    heartbeat_interval = float(settings.KB_HEARTBEAT_INTERVAL)
    services = [
        ("worker", _("Celery worker"), heartbeat_interval),
        ("beat", _("Celery beat (scheduler)"), heartbeat_interval),
        (SCHEDULED_TASKS_SERVICE, _("Scheduled tasks reach a worker"), _scheduled_interval()),
    ]
    rows = {row.service: row for row in ServiceHeartbeat.objects.all()}
    statuses = []
    for service, label, interval in services:
        row = rows.get(service)
        alive = row is not None and row.last_seen >= now - timedelta(
            seconds=MISSED_BEATS_ALLOWED * interval
        )
        statuses.append(ServiceStatus(service, label, row, alive))
    return statuses


def queue_names(app) -> list[str]:
    """Return the names of the queues tasks can be routed to: the default one and any declared."""
    names = {app.conf.task_default_queue}
    for queue in app.conf.task_queues or ():
        names.add(getattr(queue, "name", queue))
    routes = app.conf.task_routes or {}
    if isinstance(routes, dict):
        for route in routes.values():
            if isinstance(route, dict) and route.get("queue"):
                names.add(route["queue"])
    return sorted(names)


def list_queue_statuses(app=None) -> list[QueueStatus]:
    """Return how many messages wait in each queue, or the broker error for each."""
    if app is None:
        from config.celery import app
    names = queue_names(app)
    try:
        with app.connection_for_read() as conn:
            # Fail within seconds when the broker is down instead of retrying for minutes.
            conn.ensure_connection(max_retries=1, timeout=3)
            channel = conn.default_channel
            return [_queue_status(channel, name) for name in names]
    except Exception as err:  # whatever the transport raises, the page must still render
        message = f"{type(err).__name__}: {err}"
        return [QueueStatus(name, None, message) for name in names]


def _queue_status(channel, name: str) -> QueueStatus:
    from kombu.exceptions import ChannelError

    try:
        return QueueStatus(name, channel.queue_declare(queue=name, passive=True).message_count)
    except ChannelError as err:
        # Redis deletes an empty list, so an empty queue and a never-used queue look the same.
        if "NOT_FOUND" in str(err):
            return QueueStatus(name, 0)
        raise


def count_task_failures(now: datetime | None = None) -> dict[str, int]:
    """Return the number of recorded task failures: in total and in the last 24 hours."""
    now = now or timezone.now()
    return {
        "total": TaskFailure.objects.count(),
        "last_day": TaskFailure.objects.filter(failed_at__gte=now - timedelta(days=1)).count(),
    }


def list_recent_failures(limit: int = 20) -> list[TaskFailure]:
    """Return the latest task failures, newest first."""
    return list(TaskFailure.objects.order_by("-failed_at", "-pk")[:limit])

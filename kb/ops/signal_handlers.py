"""Celery signals that record liveness and failures in the database, where the web can read them."""

from __future__ import annotations

import logging
import os
import socket
import threading

from celery import signals
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

_started: dict[str, threading.Event] = {}


def beat_once(service: str, started_at=None) -> None:
    """Record that `service` is alive now."""
    from kb.ops.models import ServiceHeartbeat

    defaults = {"hostname": socket.gethostname(), "pid": os.getpid(), "last_seen": timezone.now()}
    if started_at is not None:
        defaults["started_at"] = started_at
    ServiceHeartbeat.objects.update_or_create(service=service, defaults=defaults)


def _heartbeat_loop(service: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    while True:
        try:
            close_old_connections()
            beat_once(service, started_at)
        except Exception:  # a locked or unreachable database must not kill the service
            logger.exception("Could not record the %s heartbeat", service)
        if stop.wait(settings.KB_HEARTBEAT_INTERVAL):
            return


def start_heartbeat(service: str) -> None:
    """Start a daemon thread that records the heartbeat of `service` until the process ends."""
    if service in _started:
        return
    stop = threading.Event()
    _started[service] = stop
    threading.Thread(
        target=_heartbeat_loop, args=(service, stop), name=f"{service}-heartbeat", daemon=True
    ).start()


def on_worker_ready(sender=None, **kwargs):
    start_heartbeat("worker")


def on_beat_init(sender=None, **kwargs):
    start_heartbeat("beat")


def on_task_failure(
    sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra
):
    from kb.ops.models import TaskFailure

    try:
        close_old_connections()
        TaskFailure.objects.create(
            task_id=task_id or "",
            task_name=getattr(sender, "name", str(sender)),
            args=list(args or []),
            kwargs=dict(kwargs or {}),
            exception=f"{type(exception).__name__}: {exception}",
            traceback=str(einfo or "")[:20000],
        )
    except Exception:
        logger.exception("Could not record the failure of task %s", task_id)


def connect():
    signals.worker_ready.connect(on_worker_ready, dispatch_uid="ops.worker_ready", weak=False)
    signals.beat_init.connect(on_beat_init, dispatch_uid="ops.beat_init", weak=False)
    signals.task_failure.connect(on_task_failure, dispatch_uid="ops.task_failure", weak=False)

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceHeartbeat(models.Model):
    """The last sign of life of a background service (the Celery worker, the beat scheduler)."""

    service = models.CharField(_("service"), max_length=50, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.IntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("service heartbeat")
        verbose_name_plural = _("service heartbeats")
        permissions = [("view_systemstatus", _("Can view the system status page"))]

    def __str__(self):
        return self.service


class TaskFailure(models.Model):
    """A background task that failed for good (after its retries): kept so it can be reported."""

    task_id = models.CharField(_("task id"), max_length=255, db_index=True)
    task_name = models.CharField(_("task"), max_length=255)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    exception = models.TextField(_("error"))
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task_name} {self.task_id}"

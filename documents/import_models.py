"""Bulk import records: one job per zip or folder, one item per file, the record of what is done.

Imported at the end of documents/models.py so that Django finds the models in the app's module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models import Confidentiality


class ImportSource(models.TextChoices):
    ZIP = "zip", _("Zip archive")
    FOLDER = "folder", _("Server folder")


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportItemStatus(models.TextChoices):
    PENDING = "", _("Waiting")
    IMPORTED = "imported", _("Imported")
    DUPLICATE = "duplicate", _("Duplicate")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A bulk import of a zip archive or a server folder into the knowledge tree."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    path = models.CharField(
        _("path"),
        max_length=1024,
        help_text=_("The stored zip archive, or the folder or zip archive on the server."),
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    # An uploaded zip is ours to delete once the job has finished; a server path is not.
    owns_path = models.BooleanField(default=False, editable=False)
    category = models.ForeignKey(
        "kb.CategoryPage",
        verbose_name=_("target category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
    )
    owning_departments = models.ManyToManyField(
        "permissions.Department", verbose_name=_("owning departments"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.PENDING,
        db_index=True,
    )
    total = models.PositiveIntegerField(_("files"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Who is working on the job right now ("host:pid") and when it last made progress, so that
    # a second runner backs off and a crashed one is replaced (see documents.importing.runner).
    claimed_by = models.CharField(max_length=255, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_source_display()} {self.original_name or self.path} (#{self.pk})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.processed / self.total))


class ImportItem(models.Model):
    """One entry of an import job and what became of it; a final status is never redone."""

    job = models.ForeignKey(
        ImportJob, verbose_name=_("import job"), on_delete=models.CASCADE, related_name="items"
    )
    relative_path = models.CharField(_("path"), max_length=1024)
    status = models.CharField(
        _("result"),
        max_length=10,
        choices=ImportItemStatus.choices,
        default=ImportItemStatus.PENDING,
        blank=True,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    # A stable code beside the translated reason, for filters, scripts and tests.
    reason_code = models.CharField(max_length=40, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    document = models.ForeignKey(
        "documents.KnowledgeDocument",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_items",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["job", "relative_path"]
        constraints = [
            models.UniqueConstraint(fields=["job", "relative_path"], name="unique_import_item_path")
        ]

    def __str__(self):
        return self.relative_path

"""Writes of bulk import: start a job from an uploaded zip or from a path on the server."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from documents.import_models import ImportJob, ImportSource
from permissions.actions import log_audit_event
from permissions.models import Confidentiality
from permissions.policy import can_upload, can_view


def validate_zip_upload(uploaded) -> None:
    """Raise ValidationError unless `uploaded` is a zip archive within the upload size limit."""
    limit = settings.KB_MAX_UPLOAD_MB
    if uploaded.size > limit * 1024 * 1024:
        raise ValidationError(
            _("The archive is larger than the limit of %(limit)s MB.") % {"limit": limit},
            code="too_large",
        )
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    try:
        is_zip = zipfile.is_zipfile(uploaded)
    finally:
        uploaded.seek(position)
    if not is_zip:
        raise ValidationError(_("This is not a zip archive."), code="not_zip")


def _check(actor, category) -> None:
    if not can_upload(actor):
        raise PermissionDenied
    if category is not None and not can_view(actor, category):
        raise PermissionDenied


def _create_job(*, actor, request, departments, **fields) -> ImportJob:
    job = ImportJob.objects.create(created_by=actor, **fields)
    if departments:
        job.owning_departments.set(departments)
    log_audit_event(
        actor=actor,
        action="document.import_start",
        obj=job,
        request=request,
        extra={"source": job.source, "name": job.original_name or job.path},
    )
    return job


def start_zip_import(
    *,
    actor,
    uploaded,
    category=None,
    confidentiality: str = Confidentiality.INTERNAL,
    owning_departments=(),
    request=None,
) -> ImportJob:
    """Store an uploaded zip archive and queue its import into `category` after commit."""
    from documents.importing.tasks import import_job_task

    _check(actor, category)
    validate_zip_upload(uploaded)
    name = default_storage.save(f"imports/{uuid.uuid4().hex}.zip", uploaded)
    try:
        with transaction.atomic(durable=True):
            job = _create_job(
                actor=actor,
                request=request,
                departments=owning_departments,
                source=ImportSource.ZIP,
                path=name,
                owns_path=True,
                original_name=Path(getattr(uploaded, "name", "") or "archive.zip").name[:255],
                category=category,
                confidentiality=confidentiality,
            )
            transaction.on_commit(lambda: import_job_task.delay(job.pk))
    except BaseException:
        default_storage.delete(name)
        raise
    return job


def start_path_import(
    *,
    actor,
    path,
    category=None,
    confidentiality: str = Confidentiality.INTERNAL,
    owning_departments=(),
) -> ImportJob:
    """Record an import of a folder or zip archive on the server; the caller runs it."""
    _check(actor, category)
    path = Path(path).resolve()
    source = ImportSource.FOLDER if path.is_dir() else ImportSource.ZIP
    with transaction.atomic(durable=True):
        return _create_job(
            actor=actor,
            request=None,
            departments=owning_departments,
            source=source,
            path=str(path),
            owns_path=False,
            original_name=path.name[:255],
            category=category,
            confidentiality=confidentiality,
        )

"""Guarded reads of import jobs: only the owner and superusers, the same 404 for everyone else."""

from __future__ import annotations

from documents.import_models import ImportJob
from permissions.access import ItemNotFound


def access_import_job_by_id(viewer, pk) -> ImportJob:
    """Return import job `pk` if `viewer` started it or is a superuser; raise ItemNotFound."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        raise ItemNotFound
    jobs = ImportJob.objects.all()
    if not viewer.is_superuser:
        jobs = jobs.filter(created_by=viewer)
    try:
        return jobs.get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise ItemNotFound from None

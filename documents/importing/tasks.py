"""Background work of bulk import. Tasks take primary keys and are safe to repeat."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from documents.import_models import ImportJob, ImportJobStatus


@shared_task(acks_late=True)
def import_job_task(job_id: int) -> str:
    """Import what is not done yet of a job; do nothing if it is finished or being run."""
    from documents.importing.runner import run_import_job

    job = run_import_job(job_id)
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True)
def resume_import_jobs_task(pending_minutes: int = 2) -> int:
    """Queue again the jobs nobody is running (a killed worker, a lost message); return how many."""
    from documents.importing.runner import is_stale

    now = timezone.now()
    count = 0
    unfinished = ImportJob.objects.filter(
        status__in=[ImportJobStatus.PENDING, ImportJobStatus.RUNNING],
        created_at__lt=now - timedelta(minutes=pending_minutes),
    )
    for job in unfinished.iterator():
        if is_stale(job, now):
            import_job_task.delay(job.pk)
            count += 1
    return count

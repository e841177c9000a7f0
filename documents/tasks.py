"""Background work of the documents app. Tasks take primary keys and are safe to repeat."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from documents.models import ExtractionStatus, KnowledgeDocument

logger = logging.getLogger(__name__)


class ExtractionServiceUnavailable(Exception):
    """The Tika server could not be reached: worth retrying later."""


def save_extraction_result(document_id: int, checksum: str, result) -> bool:
    """Store an extraction result unless the document changed meanwhile; return True if stored."""
    with transaction.atomic():
        document = KnowledgeDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.checksum != checksum:
            return False  # deleted, or a newer version arrived: its own task extracts it
        document.extraction_status = str(result.status)
        document.extraction_error = result.error if not result.ok else ""
        document.extracted_text = result.text if result.ok else ""
        metadata = dict(document.metadata or {})
        metadata.update(result.metadata or {})
        if result.error_code:
            metadata["error_code"] = result.error_code
        else:
            metadata.pop("error_code", None)
        document.metadata = metadata
        if result.language:
            document.language = result.language[:20]
        if result.mime_type and not document.mime_type:
            document.mime_type = result.mime_type[:255]
        if not document.author and metadata.get("author"):
            document.author = str(metadata["author"])[:255]
        document.extracted_at = timezone.now()
        document.save(
            update_fields=[
                "extraction_status",
                "extraction_error",
                "extracted_text",
                "metadata",
                "language",
                "mime_type",
                "author",
                "extracted_at",
            ]
        )
    return True


@shared_task(
    bind=True,
    autoretry_for=(ExtractionServiceUnavailable,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def extract_document_task(self, document_id: int) -> str:
    """Extract the text of a pending document; do nothing if it is gone or already done."""
    from documents.extraction import ErrorCode, get_extractor

    with transaction.atomic():
        document = KnowledgeDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            return "gone"
        if document.extraction_status != ExtractionStatus.PENDING:
            return "done"
        document.extraction_attempts += 1
        document.save(update_fields=["extraction_attempts"])
        checksum = document.checksum
        path = document.file.path
    try:
        result = get_extractor().extract(path)
    except Exception as err:
        # The extractor reports bad files itself; this is a fault of ours. Mark the document so
        # it is listed for retry instead of staying pending, and let the failure be recorded.
        from documents.extraction import ExtractionResult, Status

        failed = ExtractionResult.failure(
            Status.FAILED, ErrorCode.INTERNAL, f"{type(err).__name__}: {err}"
        )
        save_extraction_result(document_id, checksum, failed)
        raise
    if result.error_code == ErrorCode.UNAVAILABLE:
        raise ExtractionServiceUnavailable(result.error)
    stored = save_extraction_result(document_id, checksum, result)
    return str(result.status) if stored else "superseded"


@shared_task(acks_late=True)
def sweep_pending_extractions_task(older_than_minutes: int = 10) -> int:
    """Re-enqueue extractions left pending by a crash or an outage; return how many."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    pending = KnowledgeDocument.objects.filter(
        extraction_status=ExtractionStatus.PENDING, created_at__lt=cutoff, deleted_at__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending.iterator():
        extract_document_task.delay(pk)
        count += 1
    return count


@shared_task(acks_late=True)
def purge_trash_task() -> int:
    """Delete documents that have been in the recycle bin longer than KB_TRASH_DAYS."""
    from documents.actions import purge_document

    cutoff = timezone.now() - timedelta(days=settings.KB_TRASH_DAYS)
    count = 0
    for document in KnowledgeDocument.objects.filter(deleted_at__lt=cutoff).iterator():
        purge_document(actor=None, document=document)
        count += 1
    return count


@shared_task(acks_late=True)
def reconcile_document_versions_task(document_id: int) -> str:
    """Record a file saved outside documents.actions (Wagtail's admin forms) as a new version.

    Wagtail's own add, multiple-add and edit views save the document model directly; this keeps
    every file in the version history and queues its extraction. Nothing to do when the current
    file already is the latest version, so it is safe to repeat.
    """
    from documents.actions import make_version_current, next_version_number, read_facts, sniff_mime
    from documents.models import DocumentVersion
    from permissions.actions import log_audit_event

    with transaction.atomic():
        document = KnowledgeDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or not document.file.name:
            return "gone"
        latest = document.current_version
        if latest is not None and latest.file.name == document.file.name:
            return "in step"
        try:
            with document.file.open("rb") as handle:
                facts = read_facts(handle)
        except OSError:
            logger.exception("Document %s has no readable file", document_id)
            return "unreadable"
        version = DocumentVersion.objects.create(
            document=document,
            number=next_version_number(document),
            file=document.file.name,
            original_filename=Path(document.file.name).name[:255],
            file_size=facts.size,
            checksum=facts.checksum,
            mime_type=sniff_mime(document.file.path),
            uploaded_by=document.uploaded_by_user if latest is None else None,
        )
        make_version_current(document, version, file_hash=facts.sha1)
        log_audit_event(
            actor=version.uploaded_by,
            action="document.add_version",
            obj=document,
            extra={"version": version.number, "via": "wagtail-admin"},
        )
    return f"version {version.number}"

"""Writes of the documents app: upload, versions, extraction requests, recycle bin.

Every action checks the policy, runs in one durable transaction with an audit row, and enqueues
its background work only after commit. Views, the admin, bulk import and commands call these.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import DocumentVersion, ExtractionStatus, KnowledgeDocument
from permissions.actions import log_audit_event
from permissions.models import Confidentiality
from permissions.policy import can_edit, can_edit_in_trash, can_upload, may_purge, visible_to

logger = logging.getLogger(__name__)


class UploadRejected(ValidationError):
    """The file cannot be accepted (size, type, empty); the message says why, translated."""


class DuplicateDocument(Exception):
    """The same content is already stored as a document the uploader may see."""

    def __init__(self, existing: KnowledgeDocument):
        super().__init__(existing.pk)
        self.existing = existing


@dataclass
class FileFacts:
    checksum: str
    size: int
    extension: str


def _read_facts(uploaded, filename: str) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return FileFacts(digest.hexdigest(), size, Path(filename).suffix.lower().lstrip("."))


def validate_upload(uploaded, filename: str) -> FileFacts:
    """Return checksum, size and extension of an upload, or raise UploadRejected with a reason."""
    facts = _read_facts(uploaded, filename)
    limit = settings.KB_MAX_UPLOAD_MB * 1024 * 1024
    if facts.size == 0:
        raise UploadRejected(_("“%(name)s” is empty.") % {"name": filename}, code="empty")
    if facts.size > limit:
        raise UploadRejected(
            _("“%(name)s” is larger than the limit of %(limit)s MB.")
            % {"name": filename, "limit": settings.KB_MAX_UPLOAD_MB},
            code="too_large",
        )
    allowed = {ext.lower().lstrip(".") for ext in settings.KB_UPLOAD_EXTENSIONS}
    if facts.extension not in allowed:
        raise UploadRejected(
            _("Files of type “.%(ext)s” are not accepted (“%(name)s”).")
            % {"ext": facts.extension or "?", "name": filename},
            code="type",
        )
    return facts


def _sniff_mime(path: str) -> str:
    from documents.extraction.sniff import guess_mime

    try:
        return guess_mime(Path(path))
    except Exception:  # sniffing is advisory; extraction reports real problems
        logger.exception("Could not sniff %s", path)
        return "application/octet-stream"


def find_duplicate(viewer, checksum: str) -> KnowledgeDocument | None:
    """Return a live document with this content that `viewer` may see, if there is one."""
    candidates = KnowledgeDocument.objects.filter(checksum=checksum, deleted_at__isnull=True)
    return visible_to(viewer, candidates).order_by("pk").first()


def _store_version(
    *, actor, document, uploaded, filename, facts, comment, stored_files, restored_from=None
):
    number = (
        document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_filename=os.path.basename(filename)[:255],
        file_size=facts.size,
        checksum=facts.checksum,
        comment=comment[:500],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        restored_from=restored_from,
    )
    version.file.save(os.path.basename(filename), File(uploaded), save=False)
    stored_files.append(version.file.name)
    version.mime_type = _sniff_mime(version.file.path)
    version.save()
    return version


def _make_current(document, version, *, reset_extraction=True):
    document.file.name = version.file.name
    document.file_size = version.file_size
    document.checksum = version.checksum
    document.mime_type = version.mime_type
    document.file_hash = ""  # Wagtail's SHA-1, recomputed below from the stored file
    fields = ["file", "file_size", "checksum", "mime_type", "file_hash"]
    if reset_extraction:
        document.extraction_status = ExtractionStatus.PENDING
        document.extraction_error = ""
        document.extracted_text = ""
        document.extraction_attempts = 0
        fields += ["extraction_status", "extraction_error", "extracted_text", "extraction_attempts"]
    try:
        with document.open_file() as handle:
            sha1 = hashlib.sha1()
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                sha1.update(chunk)
            document.file_hash = sha1.hexdigest()
    except OSError:
        logger.exception("Could not hash %s", document.file.name)
    document.save(update_fields=fields)


def _enqueue_extraction(document_id: int) -> None:
    from documents.tasks import extract_document_task

    transaction.on_commit(lambda: extract_document_task.delay(document_id))


def upload_document(
    *,
    actor,
    uploaded,
    filename: str | None = None,
    title: str = "",
    description: str = "",
    category=None,
    collection=None,
    confidentiality: str = Confidentiality.INTERNAL,
    owning_departments=(),
    source_path: str = "",
    comment: str = "",
    allow_duplicate: bool = False,
    request=None,
) -> KnowledgeDocument:
    """Store an uploaded file as a new document (version 1) and queue its text extraction.

    Raise UploadRejected for a bad file, DuplicateDocument when the same content is already a
    document the uploader may see (unless allow_duplicate), PermissionDenied for non-staff.
    """

    if not can_upload(actor):
        raise PermissionDenied
    filename = filename or getattr(uploaded, "name", "") or "upload"
    facts = validate_upload(uploaded, filename)
    if not allow_duplicate:
        existing = find_duplicate(actor, facts.checksum)
        if existing is not None:
            raise DuplicateDocument(existing)
    stored_files: list[str] = []
    try:
        with transaction.atomic(durable=True):
            document = _create_document(
                actor=actor,
                uploaded=uploaded,
                filename=filename,
                facts=facts,
                title=title,
                description=description,
                category=category,
                collection=collection,
                confidentiality=confidentiality,
                owning_departments=owning_departments,
                source_path=source_path,
                comment=comment,
                stored_files=stored_files,
                request=request,
            )
    except BaseException:
        _delete_files(stored_files)
        raise
    return document


def _delete_files(names) -> None:
    """Remove stored files of a rolled-back write, so a failure leaves nothing orphaned."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s", name)


def _create_document(
    *,
    actor,
    uploaded,
    filename,
    facts,
    title,
    description,
    category,
    collection,
    confidentiality,
    owning_departments,
    source_path,
    comment,
    stored_files,
    request,
) -> KnowledgeDocument:
    from wagtail.models import Collection

    document = KnowledgeDocument(
        title=(title or Path(filename).stem)[:255],
        description=description,
        category=category,
        collection=collection or Collection.get_first_root_node(),
        confidentiality=confidentiality,
        source_path=source_path[:1024],
        uploaded_by_user=actor,
        extraction_status=ExtractionStatus.PENDING,
    )
    document.file.name = ""  # set from the first version below
    document.save()
    if owning_departments:
        document.owning_departments.set(owning_departments)
    _add_version(
        actor=actor,
        document=document,
        uploaded=uploaded,
        filename=filename,
        facts=facts,
        comment=comment,
        stored_files=stored_files,
        request=request,
        action="document.upload",
    )
    return document


def _add_version(
    *, actor, document, uploaded, filename, facts, comment, stored_files, request, action
) -> DocumentVersion:
    """Store the file as the next version, make it current, audit it, queue its extraction."""
    version = _store_version(
        actor=actor,
        document=document,
        uploaded=uploaded,
        filename=filename,
        facts=facts,
        comment=comment,
        stored_files=stored_files,
    )
    _make_current(document, version)
    log_audit_event(
        actor=actor,
        action=action,
        obj=document,
        request=request,
        extra={
            "version": version.number,
            "file": version.original_filename,
            "size": facts.size,
            "sha256": facts.checksum,
        },
    )
    _enqueue_extraction(document.pk)
    return version


def add_document_version(
    *, actor, document, uploaded, filename: str | None = None, comment: str = "", request=None
) -> DocumentVersion:
    """Upload a new file for `document`; it becomes the current version and is re-extracted."""
    if not can_edit(actor, document):
        raise PermissionDenied
    filename = filename or getattr(uploaded, "name", "") or "upload"
    facts = validate_upload(uploaded, filename)
    stored_files: list[str] = []
    try:
        with transaction.atomic(durable=True):
            document = KnowledgeDocument.objects.select_for_update().get(pk=document.pk)
            version = _add_version(
                actor=actor,
                document=document,
                uploaded=uploaded,
                filename=filename,
                facts=facts,
                comment=comment,
                stored_files=stored_files,
                request=request,
                action="document.add_version",
            )
    except BaseException:
        _delete_files(stored_files)
        raise
    return version


def restore_document_version(*, actor, document, version, request=None) -> DocumentVersion:
    """Make an older version current again, as a new version that points at the same file."""
    if not can_edit(actor, document) or version.document_id != document.pk:
        raise PermissionDenied
    with transaction.atomic(durable=True):
        document = KnowledgeDocument.objects.select_for_update().get(pk=document.pk)
        number = document.versions.order_by("-number").values_list("number", flat=True).first()
        restored = DocumentVersion.objects.create(
            document=document,
            number=number + 1,
            file=version.file.name,
            original_filename=version.original_filename,
            file_size=version.file_size,
            checksum=version.checksum,
            mime_type=version.mime_type,
            comment=_("Restored from version %(number)s") % {"number": version.number},
            uploaded_by=actor,
            restored_from=version.number,
        )
        _make_current(document, restored)
        log_audit_event(
            actor=actor,
            action="document.restore_version",
            obj=document,
            request=request,
            extra={"restored": version.number, "new": restored.number},
        )
        _enqueue_extraction(document.pk)
    return restored


def request_extraction(*, actor, document, request=None) -> None:
    """Queue the text extraction of `document` again (after a failure, or a new engine)."""
    if not can_edit(actor, document):
        raise PermissionDenied
    with transaction.atomic(durable=True):
        KnowledgeDocument.objects.filter(pk=document.pk).update(
            extraction_status=ExtractionStatus.PENDING, extraction_error=""
        )
        log_audit_event(
            actor=actor, action="document.retry_extraction", obj=document, request=request
        )
        _enqueue_extraction(document.pk)


def extract_with_password(*, actor, document, password: str, request=None) -> KnowledgeDocument:
    """Extract an encrypted document once with the password its uploader supplies.

    Runs now, in an isolated child process, so the password never reaches the broker, the
    database or a log.
    """
    from documents.extraction import get_extractor

    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    if not (actor.is_superuser or document.uploaded_by_user_id == actor.pk):
        raise PermissionDenied
    result = get_extractor().extract(document.file.path, password=password)
    from documents.tasks import save_extraction_result

    save_extraction_result(document.pk, document.checksum, result)
    with transaction.atomic(durable=True):
        log_audit_event(
            actor=actor,
            action="document.extract_with_password",
            obj=document,
            request=request,
            extra={"status": str(result.status)},
        )
    document.refresh_from_db()
    return document


def trash_document(*, actor, document, request=None) -> None:
    """Move `document` with all its versions to the recycle bin; it vanishes from everywhere."""
    if not can_edit(actor, document):
        raise PermissionDenied
    with transaction.atomic(durable=True):
        document.deleted_at = timezone.now()
        document.deleted_by = actor
        document.save(update_fields=["deleted_at", "deleted_by"])
        log_audit_event(actor=actor, action="document.trash", obj=document, request=request)


def restore_document(*, actor, document, request=None) -> None:
    """Bring `document` back from the recycle bin."""
    if document.deleted_at is None or not can_edit_in_trash(actor, document):
        raise PermissionDenied
    with transaction.atomic(durable=True):
        document.deleted_at = None
        document.deleted_by = None
        document.save(update_fields=["deleted_at", "deleted_by"])
        log_audit_event(actor=actor, action="document.restore", obj=document, request=request)


def purge_document(*, actor, document, request=None) -> None:
    """Delete a document in the recycle bin for good, with every version's file."""
    if document.deleted_at is None:
        raise PermissionDenied
    # actor None: the periodic purge of items older than KB_TRASH_DAYS.
    if actor is not None and not (may_purge(actor) and can_edit_in_trash(actor, document)):
        raise PermissionDenied
    names = set(document.versions.values_list("file", flat=True)) | {document.file.name}
    with transaction.atomic(durable=True):
        log_audit_event(
            actor=actor,
            action="document.purge",
            obj=document,
            request=request,
            extra={"title": document.title},
        )
        document.delete()
        transaction.on_commit(lambda: _delete_files(sorted(n for n in names if n)))


def list_trash_for_viewer(viewer):
    """Return the documents in the recycle bin that `viewer` may see and restore."""
    in_trash = KnowledgeDocument.objects.filter(deleted_at__isnull=False).order_by("-deleted_at")
    return [document for document in in_trash if can_edit_in_trash(viewer, document)]


__all__ = [
    "DuplicateDocument",
    "UploadRejected",
    "add_document_version",
    "extract_with_password",
    "find_duplicate",
    "list_trash_for_viewer",
    "purge_document",
    "request_extraction",
    "restore_document",
    "restore_document_version",
    "trash_document",
    "upload_document",
    "validate_upload",
]

"""Writes of the documents app: upload, versions, extraction requests, recycle bin.

Every action checks the policy, runs in one durable transaction with an audit row, and enqueues
its background work only after commit. Views, the admin, bulk import and commands call these.
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import contextmanager
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

# The relations the policy reads to judge one document (permissions.policy._read_terms); prefetch
# them where documents are judged one by one.
POLICY_PREFETCH = ("owning_departments", "allowed_groups", "allowed_users", "allowed_customers")


class UploadRejected(ValidationError):
    """The file cannot be accepted (size, type, empty); the message says why, translated."""


class DuplicateDocument(Exception):
    """The same content is already stored as a document the uploader may see."""

    def __init__(self, existing: KnowledgeDocument):
        super().__init__(existing.pk)
        self.existing = existing


@dataclass
class FileFacts:
    checksum: str  # SHA-256, ours
    size: int
    sha1: str  # Wagtail's file_hash, from the same read
    extension: str = ""


def read_facts(handle, filename: str = "") -> FileFacts:
    """Hash a file once for both digests and measure it, reading from its start."""
    sha256, sha1, size = hashlib.sha256(), hashlib.sha1(), 0
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        sha256.update(chunk)
        sha1.update(chunk)
        size += len(chunk)
    handle.seek(0)
    extension = Path(filename).suffix.lower().lstrip(".")
    return FileFacts(sha256.hexdigest(), size, sha1.hexdigest(), extension)


def accepted_extensions() -> set[str]:
    """Return the accepted upload extensions, lower case and without the dot."""
    return {ext.lower().lstrip(".") for ext in settings.KB_UPLOAD_EXTENSIONS}


def validate_upload(uploaded, filename: str) -> FileFacts:
    """Return checksum, size and extension of an upload, or raise UploadRejected with a reason."""
    facts = read_facts(uploaded, filename)
    limit = settings.KB_MAX_UPLOAD_MB * 1024 * 1024
    if facts.size == 0:
        raise UploadRejected(_("“%(name)s” is empty.") % {"name": filename}, code="empty")
    if facts.size > limit:
        raise UploadRejected(
            _("“%(name)s” is larger than the limit of %(limit)s MB.")
            % {"name": filename, "limit": settings.KB_MAX_UPLOAD_MB},
            code="too_large",
        )
    if facts.extension not in accepted_extensions():
        raise UploadRejected(
            _("Files of type “.%(ext)s” are not accepted (“%(name)s”).")
            % {"ext": facts.extension or "?", "name": filename},
            code="type",
        )
    return facts


def sniff_mime(path: str) -> str:
    """Return the content type of a stored file, as its bytes say; octet-stream if unsure."""
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


def next_version_number(document) -> int:
    """Return the number the next version of `document` gets (call with the row locked)."""
    latest = document.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


def _store_version(*, actor, document, uploaded, filename, facts, comment, stored_files):
    version = DocumentVersion(
        document=document,
        number=next_version_number(document),
        original_filename=os.path.basename(filename)[:255],
        file_size=facts.size,
        checksum=facts.checksum,
        comment=comment[:500],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    version.file.save(os.path.basename(filename), File(uploaded), save=False)
    stored_files.append(version.file.name)
    version.mime_type = sniff_mime(version.file.path)
    version.save()
    return version


def make_version_current(document, version, *, file_hash: str | None = None) -> None:
    """Point a locked `document` at `version`'s file and queue the extraction of its text.

    `file_hash` is Wagtail's SHA-1 of the file when the caller has just read it; otherwise the
    stored file is read for it.
    """
    if file_hash is None:
        try:
            with version.file.open("rb") as handle:
                file_hash = read_facts(handle).sha1
        except OSError:
            logger.exception("Could not hash %s", version.file.name)
            file_hash = ""
    fields = [
        "file_size",
        "checksum",
        "mime_type",
        "file_hash",
        "extraction_status",
        "extraction_error",
        "extracted_text",
        "extraction_attempts",
    ]
    if document.file.name != version.file.name:
        # Saving "file" makes signal_handlers check the history; not when it already is the file.
        document.file.name = version.file.name
        fields.append("file")
    document.file_size = version.file_size
    document.checksum = version.checksum
    document.mime_type = version.mime_type
    document.file_hash = file_hash
    document.extraction_status = ExtractionStatus.PENDING
    document.extraction_error = ""
    document.extracted_text = ""
    document.extraction_attempts = 0
    document.save(update_fields=fields)
    _enqueue_extraction(document.pk)


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
    facts: FileFacts | None = None,
    request=None,
) -> KnowledgeDocument:
    """Store an uploaded file as a new document (version 1) and queue its text extraction.

    Raise UploadRejected for a bad file, DuplicateDocument when the same content is already a
    document the uploader may see (unless allow_duplicate), PermissionDenied for non-staff.
    `facts` is what validate_upload returned for this very file, when the caller has just
    called it; the file is then not read a second time.
    """

    if not can_upload(actor):
        raise PermissionDenied
    filename = filename or getattr(uploaded, "name", "") or "upload"
    if facts is None:
        facts = validate_upload(uploaded, filename)
    if not allow_duplicate:
        existing = find_duplicate(actor, facts.checksum)
        if existing is not None:
            raise DuplicateDocument(existing)
    with _files_removed_on_failure() as stored_files, transaction.atomic(durable=True):
        return _create_document(
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


def upload_customer_attachment(
    *, actor, customer, uploaded, filename: str | None = None, system: bool = False, request=None
) -> KnowledgeDocument:
    """Store a file a customer sent (or an agent attached for them) as a document of that
    customer: confidentiality "customers", readable by staff and the customer's portal users.

    Allowed for staff, for portal users of `customer`, and for e-mail intake (`system=True`).
    The file is kept even when it is a duplicate: it is part of the conversation. Raises
    UploadRejected for a bad file.
    """
    allowed = system or can_upload(actor)
    if not allowed and actor is not None and actor.is_authenticated:
        allowed = customer.portal_users.filter(pk=actor.pk).exists()
    if not allowed:
        raise PermissionDenied
    filename = filename or getattr(uploaded, "name", "") or "attachment"
    facts = validate_upload(uploaded, filename)
    user = actor if actor is not None and actor.is_authenticated else None
    with _files_removed_on_failure() as stored_files, transaction.atomic(durable=True):
        document = _create_document(
            actor=user,
            uploaded=uploaded,
            filename=filename,
            facts=facts,
            title="",
            description="",
            category=None,
            collection=None,
            confidentiality=Confidentiality.CUSTOMERS,
            owning_departments=(),
            source_path="",
            comment="",
            stored_files=stored_files,
            request=request,
        )
        # A parental relation (modelcluster): written by save(), which also reindexes the file.
        document.allowed_customers.set([customer])
        document.save()
    return document


def _delete_files(names) -> None:
    """Remove stored files of a rolled-back write, so a failure leaves nothing orphaned."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s", name)


@contextmanager
def _files_removed_on_failure():
    """Yield a list for the names of files a write stores; delete them if the write fails."""
    stored_files: list[str] = []
    try:
        yield stored_files
    except BaseException:
        _delete_files(stored_files)
        raise


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
    make_version_current(document, version, file_hash=facts.sha1)
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
    return version


def add_document_version(
    *, actor, document, uploaded, filename: str | None = None, comment: str = "", request=None
) -> DocumentVersion:
    """Upload a new file for `document`; it becomes the current version and is re-extracted."""
    if not can_edit(actor, document):
        raise PermissionDenied
    filename = filename or getattr(uploaded, "name", "") or "upload"
    facts = validate_upload(uploaded, filename)
    with _files_removed_on_failure() as stored_files, transaction.atomic(durable=True):
        document = KnowledgeDocument.objects.select_for_update().get(pk=document.pk)
        return _add_version(
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


def restore_document_version(*, actor, document, version, request=None) -> DocumentVersion:
    """Make an older version current again, as a new version that points at the same file."""
    if not can_edit(actor, document) or version.document_id != document.pk:
        raise PermissionDenied
    with transaction.atomic(durable=True):
        document = KnowledgeDocument.objects.select_for_update().get(pk=document.pk)
        restored = DocumentVersion.objects.create(
            document=document,
            number=next_version_number(document),
            file=version.file.name,
            original_filename=version.original_filename,
            file_size=version.file_size,
            checksum=version.checksum,
            mime_type=version.mime_type,
            comment=_("Restored from version %(number)s") % {"number": version.number},
            uploaded_by=actor,
            restored_from=version.number,
        )
        make_version_current(document, restored)
        log_audit_event(
            actor=actor,
            action="document.restore_version",
            obj=document,
            request=request,
            extra={"restored": version.number, "new": restored.number},
        )
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


def can_supply_password(actor, document) -> bool:
    """Return True when `actor` may type the password of `document`: its uploader, or a superuser."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.is_superuser or document.uploaded_by_user_id == actor.pk


def extract_with_password(*, actor, document, password: str, request=None) -> KnowledgeDocument:
    """Extract an encrypted document once with the password its uploader supplies.

    Runs now, in an isolated child process, so the password never reaches the broker, the
    database or a log.
    """
    from documents.extraction import get_extractor

    if not can_supply_password(actor, document):
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
    in_trash = (
        KnowledgeDocument.objects.filter(deleted_at__isnull=False)
        .select_related("deleted_by", "collection")
        .prefetch_related(*POLICY_PREFETCH)
        .order_by("-deleted_at")
    )
    return [document for document in in_trash if can_edit_in_trash(viewer, document)]


__all__ = [
    "DuplicateDocument",
    "UploadRejected",
    "accepted_extensions",
    "add_document_version",
    "can_supply_password",
    "extract_with_password",
    "find_duplicate",
    "list_trash_for_viewer",
    "make_version_current",
    "next_version_number",
    "purge_document",
    "read_facts",
    "request_extraction",
    "restore_document",
    "restore_document_version",
    "trash_document",
    "upload_document",
    "validate_upload",
]

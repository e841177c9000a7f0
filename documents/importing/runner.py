"""Run an import job: list the source, record every entry, import what is not done yet.

Safe to repeat and to kill at any point. The items are the record of what is done: an item with a
final status is never processed again, and an item whose document was stored just before a crash
(before the item was marked) is matched to that document instead of being uploaded twice.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import actions
from documents.import_models import (
    ImportItem,
    ImportItemStatus,
    ImportJob,
    ImportJobStatus,
    ImportSource,
)
from documents.importing.categories import CategoryTree
from documents.importing.sources import (
    MB,
    Entry,
    EntryRejected,
    FolderSource,
    ImportSourceError,
    Limits,
    ZipSource,
)
from documents.models import KnowledgeDocument
from permissions.actions import log_audit_event

logger = logging.getLogger(__name__)

# A runner that has not reported progress for this long is presumed dead (a worker on another
# machine killed mid-file); one on this machine is presumed dead as soon as its process is gone.
STALE_AFTER = timedelta(minutes=10)

COUNTERS = {
    ImportItemStatus.IMPORTED: "imported",
    ImportItemStatus.DUPLICATE: "duplicates",
    ImportItemStatus.REJECTED: "rejected",
    ImportItemStatus.FAILED: "errors",
}


@dataclass
class Outcome:
    status: str
    code: str = ""
    reason: str = ""
    document: KnowledgeDocument | None = None


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _runner_alive(claimed_by: str) -> bool:
    host, _sep, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # cannot tell from here; the heartbeat decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(job: ImportJob, now=None) -> bool:
    """Return True when nobody is working on an unfinished job any more."""
    if not job.claimed_by:
        return True
    now = now or timezone.now()
    if job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER:
        return True
    return job.claimed_by != _runner_id() and not _runner_alive(job.claimed_by)


def limits_for(job: ImportJob) -> Limits:
    """Return the bounds for a job's source; a server folder is trusted, a zip is not."""
    per_file = settings.KB_MAX_UPLOAD_MB * MB
    if job.source == ImportSource.FOLDER:
        return Limits(max_file_bytes=per_file)
    return Limits(
        max_file_bytes=per_file,
        max_total_bytes=settings.KB_IMPORT_MAX_TOTAL_MB * MB,
        max_files=settings.KB_IMPORT_MAX_FILES,
        max_ratio=settings.KB_IMPORT_MAX_RATIO,
    )


def source_path(job: ImportJob) -> str:
    """Return the file-system path of a job's source."""
    return default_storage.path(job.path) if job.owns_path else job.path


def open_source(job: ImportJob):
    """Return the (unopened) source of a job."""
    path = source_path(job)
    if job.source == ImportSource.FOLDER:
        return FolderSource(path, limits_for(job))
    return ZipSource(path, limits_for(job))


def _claim(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        me = _runner_id()
        if job.claimed_by and job.claimed_by != me and not is_stale(job):
            logger.info("Import job %s is being run by %s", job.pk, job.claimed_by)
            return None
        now = timezone.now()
        job.claimed_by = me
        job.heartbeat_at = now
        job.status = ImportJobStatus.RUNNING
        job.started_at = job.started_at or now
        job.save(update_fields=["claimed_by", "heartbeat_at", "status", "started_at"])
    return job


def _release(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk, claimed_by=_runner_id()).update(claimed_by="")


def recount(job: ImportJob) -> None:
    """Recompute a job's counters from its items."""
    by_status = dict(job.items.values_list("status").annotate(n=Count("pk")))
    job.total = sum(by_status.values())
    job.processed = job.total - by_status.get(ImportItemStatus.PENDING, 0)
    for status, counter in COUNTERS.items():
        setattr(job, counter, by_status.get(status, 0))
    job.save(update_fields=["total", "processed", *COUNTERS.values()])


def _record_entries(job: ImportJob, entries: list[Entry]) -> list[ImportItem]:
    """Create the items a previous run has not recorded; return those rejected on sight."""
    known = set(job.items.values_list("relative_path", flat=True))
    new = []
    for entry in entries:
        if entry.path in known:
            continue
        item = ImportItem(job=job, relative_path=entry.path, size=entry.size)
        if entry.problem is not None:
            item.status = ImportItemStatus.REJECTED
            item.reason_code = entry.problem.code
            item.reason = entry.problem.message
        new.append(item)
    ImportItem.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    recount(job)
    return [item for item in new if item.status == ImportItemStatus.REJECTED]


def _record_outcome(job: ImportJob, item: ImportItem, outcome: Outcome) -> None:
    with transaction.atomic():
        updated = ImportItem.objects.filter(pk=item.pk, status=ImportItemStatus.PENDING).update(
            status=outcome.status,
            reason_code=outcome.code,
            reason=outcome.reason,
            document=outcome.document,
            updated_at=timezone.now(),
        )
        if updated:
            counter = COUNTERS[outcome.status]
            ImportJob.objects.filter(pk=job.pk).update(
                processed=F("processed") + 1,
                **{counter: F(counter) + 1},
                heartbeat_at=timezone.now(),
            )
    item.status, item.reason_code, item.reason = outcome.status, outcome.code, outcome.reason
    item.document = outcome.document


def _stored_before_crash(job: ImportJob, item: ImportItem, checksum: str):
    """Return the document an earlier run of this job stored for `item` but did not record."""
    return (
        KnowledgeDocument.objects.filter(
            uploaded_by_user=job.created_by,
            source_path=item.relative_path[:1024],
            checksum=checksum,
            created_at__gte=job.created_at,
            deleted_at__isnull=True,
        )
        .exclude(import_items__status=ImportItemStatus.IMPORTED)
        .order_by("pk")
        .first()
    )


class _Run:
    def __init__(self, job: ImportJob, source, workdir: str, report):
        self.job = job
        self.source = source
        self.workdir = Path(workdir)
        self.report = report
        self.departments = list(job.owning_departments.all())
        self.tree = CategoryTree(
            user=job.created_by,
            category_id=job.category_id,
            confidentiality=job.confidentiality,
            departments=self.departments,
        )
        limit = source.limits.max_total_bytes
        if limit is None:
            self.total_left = None
        else:
            done = job.items.filter(
                status__in=[ImportItemStatus.IMPORTED, ImportItemStatus.DUPLICATE]
            ).aggregate(total=Sum("size"))["total"]
            self.total_left = limit - (done or 0)

    def process(self, entries: list[Entry]) -> None:
        by_path = {entry.path: entry for entry in entries if entry.problem is None}
        # A list, not a cursor: the loop writes to the rows it reads (SQLite isolates neither).
        pending = list(
            self.job.items.filter(status=ImportItemStatus.PENDING).order_by("relative_path")
        )
        for item in pending:
            entry = by_path.get(item.relative_path)
            if entry is None:
                outcome = Outcome(
                    ImportItemStatus.FAILED, "missing", _("The file is no longer in the source.")
                )
            else:
                outcome = self.import_entry(item, entry)
            _record_outcome(self.job, item, outcome)
            if self.report is not None:
                self.report(item)

    def import_entry(self, item: ImportItem, entry: Entry) -> Outcome:
        scratch = self.workdir / "entry"
        with scratch.open("w+b") as dest:
            try:
                size, checksum = self.source.read_into(entry, dest, total_left=self.total_left)
            except EntryRejected as err:
                return Outcome(ImportItemStatus.REJECTED, err.code, err.message)
            if self.total_left is not None:
                self.total_left -= size
            dest.seek(0)
            ImportItem.objects.filter(pk=item.pk).update(
                attempts=F("attempts") + 1, checksum=checksum, size=size
            )
            item.size, item.checksum = size, checksum
            earlier = _stored_before_crash(self.job, item, checksum)
            if earlier is not None:
                return Outcome(ImportItemStatus.IMPORTED, document=earlier)
            return self.upload(item, entry, dest)

    def upload(self, item: ImportItem, entry: Entry, handle) -> Outcome:
        try:
            # Checked first so that a rejected file does not leave an empty category behind.
            facts = actions.validate_upload(handle, entry.name)
            category = self.tree.category_for(entry.folder)
            document = actions.upload_document(
                actor=self.job.created_by,
                uploaded=File(handle, name=entry.name),
                filename=entry.name,
                title=Path(entry.name).stem,
                category=category,
                confidentiality=self.job.confidentiality,
                owning_departments=self.departments,
                source_path=item.relative_path,
                facts=facts,
            )
        except actions.UploadRejected as err:
            return Outcome(ImportItemStatus.REJECTED, err.code or "invalid", " ".join(err.messages))
        except actions.DuplicateDocument as err:
            return Outcome(
                ImportItemStatus.DUPLICATE,
                "duplicate",
                _("The same content is already stored as “%(title)s”.")
                % {"title": err.existing.title},
                document=err.existing,
            )
        except PermissionDenied:
            return Outcome(
                ImportItemStatus.FAILED, "forbidden", _("The importing user may not add documents.")
            )
        except Exception as err:  # one bad file must not stop the others; the reason is kept
            logger.exception("Import job %s: %s failed", self.job.pk, item.relative_path)
            return Outcome(ImportItemStatus.FAILED, "error", str(err)[:1000] or repr(err))
        return Outcome(ImportItemStatus.IMPORTED, document=document)


def _finish(job: ImportJob, *, error: str = "") -> None:
    with transaction.atomic(durable=True):
        job.refresh_from_db()
        recount(job)
        job.status = ImportJobStatus.FAILED if error else ImportJobStatus.DONE
        job.error = error
        job.finished_at = timezone.now()
        job.claimed_by = ""
        job.save(update_fields=["status", "error", "finished_at", "claimed_by"])
        log_audit_event(
            actor=job.created_by,
            action="document.import",
            obj=job,
            extra={
                "status": job.status,
                "imported": job.imported,
                "duplicates": job.duplicates,
                "rejected": job.rejected,
                "errors": job.errors,
            },
        )
    if job.owns_path:
        # After the commit above: a finished job never reads its archive again.
        default_storage.delete(job.path)


def run_import_job(job_id: int, *, report: Callable[[ImportItem], None] | None = None):
    """Import every file of a job that is not done yet; return the job, or None if busy/gone."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        try:
            with open_source(job) as source:
                entries = source.entries()
                for item in _record_entries(job, entries):
                    if report is not None:
                        report(item)
                with tempfile.TemporaryDirectory(prefix="zhiku-import-") as workdir:
                    _Run(job, source, workdir, report).process(entries)
        except ImportSourceError as err:
            _finish(job, error=str(err))
        else:
            _finish(job)
    finally:
        # Also on KeyboardInterrupt or a killed task: the next run may start at once.
        try:
            _release(job)
        except Exception:  # the database may be what failed; the heartbeat then expires
            logger.exception("Could not release import job %s", job.pk)
    job.refresh_from_db()
    return job

"""Measure the ingest pipeline against bare extraction of the same files, in one run."""

from __future__ import annotations

import json
import resource
import time
import uuid
from collections import Counter
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from documents import actions
from documents.extraction import get_extractor
from documents.models import KnowledgeDocument
from documents.tasks import extract_document_task
from permissions.roles import Role

BENCH_USER = "ingest-bench"


def _files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _bench_user():
    """Return the dedicated staff user the benchmark uploads as (no password, no login)."""
    user, created = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "ingest", "last_name": "bench"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=Role.RND_ENGINEER.value))
    return user


def _per_minute(count: int, seconds: float) -> float:
    return round(count * 60 / seconds, 1) if seconds > 0 else 0.0


def _max_rss_mb(who) -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(who).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "Ingest the files of a folder end to end (upload, extraction, saved) and time bare "
        "extraction of the same files; print documents per minute for both and the ratio."
    )

    def add_arguments(self, parser):
        parser.add_argument("--files", required=True, help="folder of sample files")
        parser.add_argument("--copies", type=int, default=1, help="ingest every file N times")
        parser.add_argument("--json", action="store_true", help="print a JSON report")
        parser.add_argument(
            "--keep", action="store_true", help="keep the ingested documents (default: purge)"
        )

    def handle(self, *args, **options):
        folder = Path(options["files"])
        copies = options["copies"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        if copies < 1:
            raise CommandError(_("--copies must be at least 1."))
        files = _files(folder)
        if not files:
            raise CommandError(f"{folder} holds no files.")
        user = _bench_user()
        extractor = get_extractor()
        # Start the extraction child (and in-process Tika, ~1.2 s) before either clock runs.
        extractor.extract(files[0])

        documents, rejected, pipeline_seconds, bare_seconds, bare_statuses = self._measure(
            user, folder, files, copies, extractor
        )
        statuses = Counter(
            KnowledgeDocument.objects.filter(pk__in=documents).values_list(
                "extraction_status", flat=True
            )
        )
        if not options["keep"]:
            self._purge(user, documents)
        # The child's peak only reaches RUSAGE_CHILDREN once it has exited and been waited for.
        extractor.close()
        self_mb = _max_rss_mb(resource.RUSAGE_SELF)
        children_mb = _max_rss_mb(resource.RUSAGE_CHILDREN)

        count = len(documents)
        pipeline_dpm = _per_minute(count, pipeline_seconds)
        bare_dpm = _per_minute(count, bare_seconds)
        report = {
            "documents": count,
            "pipeline_docs_per_min": pipeline_dpm,
            "bare_docs_per_min": bare_dpm,
            "ratio": round(pipeline_seconds / bare_seconds, 3) if bare_seconds else None,
            "peak_rss_mb": round(self_mb + children_mb, 1),
            "peak_rss_self_mb": round(self_mb, 1),
            "peak_rss_children_mb": round(children_mb, 1),
            "pipeline_seconds": round(pipeline_seconds, 3),
            "bare_seconds": round(bare_seconds, 3),
            "copies": copies,
            "statuses": dict(sorted(statuses.items())),
            "bare_statuses": dict(sorted(bare_statuses.items())),
            "rejected": rejected,
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{count} documents ({count // copies} files x {copies})\n"
            f"pipeline: {pipeline_dpm} documents/minute ({report['pipeline_seconds']} s)\n"
            f"bare extraction: {bare_dpm} documents/minute ({report['bare_seconds']} s)\n"
            f"ratio (pipeline time / bare time): {report['ratio']}\n"
            f"peak RSS: {report['peak_rss_mb']} MB (this process {report['peak_rss_self_mb']} "
            f"MB + extraction child {report['peak_rss_children_mb']} MB)\n"
            f"extraction statuses: {report['statuses']}"
        )
        for entry in rejected:
            self.stdout.write(f"rejected {entry['file']}: {entry['reason']}")

    def _measure(self, user, folder: Path, files: list[Path], copies: int, extractor):
        """Ingest every file `copies` times and extract it bare as often; time both."""
        run = uuid.uuid4().hex[:8]
        rejected: list[dict] = []
        documents: list[int] = []
        pipeline = bare = 0.0
        bare_statuses: Counter = Counter()
        # The upload queues extraction after commit; here the task runs in this process instead,
        # through .apply(), so that a running worker cannot take it and skew the clock.
        with mock.patch.object(extract_document_task, "delay", lambda *a, **k: None):
            for copy in range(copies):
                for index, path in enumerate(files):
                    relative = path.relative_to(folder).as_posix()
                    # Pairs in alternating order, so that warm caches and the load of other
                    # processes on the machine favour neither side.
                    bare_first = (copy * len(files) + index) % 2 == 1
                    if bare_first:
                        took, status = self._bare_one(extractor, path)
                    try:
                        document, seconds = self._pipeline_one(
                            user, path, f"ingest_bench/{run}/{copy}/{relative}"
                        )
                    except actions.UploadRejected as err:
                        if copy == 0:
                            rejected.append({"file": relative, "reason": " ".join(err.messages)})
                        continue
                    if not bare_first:
                        took, status = self._bare_one(extractor, path)
                    documents.append(document.pk)
                    pipeline += seconds
                    bare += took
                    bare_statuses[status] += 1
        return documents, rejected, pipeline, bare, bare_statuses

    def _pipeline_one(self, user, path: Path, source_path: str):
        """Upload one file and extract it here, as the worker would; return it and the time."""
        started = time.perf_counter()
        with path.open("rb") as handle:
            document = actions.upload_document(
                actor=user,
                uploaded=File(handle, name=path.name),
                filename=path.name,
                source_path=source_path,
                # Copies are identical bytes on purpose: the same extraction work each time.
                allow_duplicate=True,
            )
        extract_document_task.apply(args=[document.pk])
        return document, time.perf_counter() - started

    def _bare_one(self, extractor, path: Path) -> tuple[float, str]:
        """Extract one file with the same isolated extractor, nothing else."""
        started = time.perf_counter()
        result = extractor.extract(path)
        return time.perf_counter() - started, str(result.status)

    def _purge(self, user, documents: list[int]) -> None:
        for document in KnowledgeDocument.objects.filter(pk__in=documents):
            actions.trash_document(actor=user, document=document)
            document.refresh_from_db()
            # As the periodic purge does: the bench user is no knowledge manager.
            actions.purge_document(actor=None, document=document)

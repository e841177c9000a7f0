"""Import a server folder (or a zip archive on the server), keeping its folder tree as categories."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from documents.import_models import ImportItemStatus, ImportJob
from documents.importing.actions import start_path_import
from documents.importing.runner import run_import_job, source_path
from kb.models import CategoryPage
from permissions.models import Confidentiality, Department

_STYLE = {
    ImportItemStatus.IMPORTED: "SUCCESS",
    ImportItemStatus.DUPLICATE: "WARNING",
    ImportItemStatus.REJECTED: "ERROR",
    ImportItemStatus.FAILED: "ERROR",
}


class Command(BaseCommand):
    help = (
        "Import every file of a folder (or a .zip) on the server as documents; folders become "
        "categories. Safe to interrupt: --resume JOB_ID continues where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder or a .zip archive on this server")
        parser.add_argument("--user", help="username of the importing staff member")
        parser.add_argument("--category-id", type=int, help="page id of the target category")
        parser.add_argument(
            "--confidentiality",
            choices=Confidentiality.values,
            default=Confidentiality.INTERNAL,
        )
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="CODE",
            help="code of an owning department (repeatable)",
        )
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="continue this job")

    def handle(self, *args, **options):
        path = Path(options["path"]).expanduser()
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if options["resume"]:
            job = self._job_to_resume(options["resume"], path)
        else:
            job = self._new_job(path, options)
        self.stdout.write(f"Import job {job.pk}: {path}")
        result = run_import_job(job.pk, report=self._report)
        if result is None:
            job.refresh_from_db()
            if job.finished:
                self.stdout.write(f"Job {job.pk} had already finished.")
                result = job
            else:
                raise CommandError(
                    f"Job {job.pk} is being run by {job.claimed_by}; try again once it stops."
                )
        self._summary(result)
        if result.status == "failed" or result.errors or result.rejected:
            raise SystemExit(1)

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError(_("Name the importing user with --user."))
        return superusers[0]

    def _new_job(self, path: Path, options) -> ImportJob:
        if not path.is_dir() and path.suffix.lower() != ".zip":
            raise CommandError(f"{path} is neither a folder nor a .zip archive.")
        category = None
        if options["category_id"] is not None:
            category = CategoryPage.objects.filter(pk=options["category_id"]).first()
            if category is None:
                raise CommandError(f"No category with id {options['category_id']}.")
        codes = options["department"]
        departments = list(Department.objects.filter(code__in=codes))
        missing = set(codes) - {d.code for d in departments}
        if missing:
            raise CommandError(f"Unknown department codes: {', '.join(sorted(missing))}.")
        try:
            return start_path_import(
                actor=self._user(options["user"]),
                path=path,
                category=category,
                confidentiality=options["confidentiality"],
                owning_departments=departments,
            )
        except PermissionDenied as err:
            raise CommandError(
                "That user may not add documents, or may not see the category."
            ) from err

    def _job_to_resume(self, pk: int, path: Path) -> ImportJob:
        job = ImportJob.objects.filter(pk=pk).first()
        if job is None:
            raise CommandError(f"No import job {pk}.")
        if Path(source_path(job)).resolve() != path.resolve():
            raise CommandError(f"Job {pk} imports {source_path(job)}, not {path}.")
        return job

    def _report(self, item) -> None:
        style = getattr(self.style, _STYLE.get(item.status, "NOTICE"))
        line = f"{item.get_status_display():<10} {item.relative_path}"
        if item.reason:
            line += f"  ({item.reason})"
        self.stdout.write(style(line))

    def _summary(self, job: ImportJob) -> None:
        self.stdout.write(
            f"Job {job.pk} {job.status}: {job.total} files, {job.imported} imported, "
            f"{job.duplicates} duplicates, {job.rejected} rejected, {job.errors} errors."
        )
        if job.error:
            self.stderr.write(job.error)

"""`manage.py import_faqs FILE --user NAME`: import an FAQ spreadsheet the way the web page does."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kb.faq_import.actions import import_faqs, preview_faq_import
from kb.faq_import.parsing import FaqFileError
from kb.faq_import.validation import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    OK,
    CategoryLookup,
    DepartmentLookup,
    ImportOptions,
    parse_confidentiality,
    split_category_path,
)
from kb.management.quiet import quiet_loggers
from permissions.models import Confidentiality, User


class Command(BaseCommand):
    help = (
        "Import FAQs from an Excel workbook (.xlsx) or a CSV file: one published FAQ page per "
        "valid row. Prints every row's result; exits with status 1 if any row has an error. "
        "FAQs already in their category are skipped, so running it again creates nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument("--user", required=True, help="Username of the importer (owner).")
        parser.add_argument(
            "--create-categories",
            action="store_true",
            help="Create the categories named in the file that do not exist yet.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and write nothing."
        )
        parser.add_argument(
            "--category",
            default="",
            help="Import below this category, a path such as 售后政策/退换货.",
        )
        parser.add_argument(
            "--confidentiality",
            default=Confidentiality.PUBLIC,
            help="Default for rows without one: public, internal, department, confidential "
            "(or 公开, 内部, 部门, 机密).",
        )
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            help="Default owning department (name or code); repeat for several.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": err}
            ) from err
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": options["user"]})
        settings = ImportOptions(
            category_id=self._category(user, options["category"]),
            confidentiality=self._level(options["confidentiality"]),
            department_ids=self._departments(options["department"]),
            create_categories=options["create_categories"],
        )
        run = preview_faq_import if options["dry_run"] else import_faqs
        try:
            with quiet_loggers():
                result = run(actor=user, data=data, filename=path.name, options=settings)
        except FaqFileError as err:
            raise CommandError(str(err)) from err
        except PermissionDenied as err:
            raise CommandError(
                _("%(name)s may not import FAQs: a knowledge manager or administrator may.")
                % {"name": user.get_username()}
            ) from err

        for row in result.rows:
            messages = "; ".join(row.messages)
            line = _("Row %(row)s: %(status)s — %(question)s") % {
                "row": row.number,
                "status": row.status_label,
                "question": row.question or "—",
            }
            if messages:
                line = f"{line} ({messages})"
            style = self.style.ERROR if row.status == ERROR else None
            self.stdout.write(line, style_func=style)

        counts = result.counts
        if result.written:
            summary = _(
                "%(rows)s rows: %(imported)s imported, %(duplicates)s already existed, "
                "%(errors)s with errors; %(categories)s categories created."
            ) % {
                "rows": len(result.rows),
                "imported": counts[IMPORTED],
                "duplicates": counts[DUPLICATE],
                "errors": counts[ERROR],
                "categories": result.categories_created,
            }
        else:
            summary = _(
                "Dry run, nothing written. %(rows)s rows: %(ready)s ready, %(duplicates)s already "
                "exist, %(errors)s with errors."
            ) % {
                "rows": len(result.rows),
                "ready": counts[OK],
                "duplicates": counts[DUPLICATE],
                "errors": counts[ERROR],
            }
        if result.new_categories and not result.written:
            summary += " " + _("New categories: %(names)s.") % {
                "names": "; ".join(result.new_categories)
            }
        if result.written:
            summary += " " + _("%(count)s tags stored.") % {"count": result.tags_stored}
        elif result.tagged:
            summary += " " + _("%(count)s rows have tags to store.") % {"count": result.tagged}
        self.stdout.write(summary)
        if counts[ERROR]:
            raise CommandError(
                _("%(count)s rows have errors.") % {"count": counts[ERROR]}, returncode=1
            )

    def _category(self, user, text: str) -> int | None:
        parts = split_category_path(text)
        if not parts:
            return None
        category = CategoryLookup(user, None).find(parts)
        if category is None:
            raise CommandError(_("No category “%(path)s”.") % {"path": text})
        return category.pk

    def _level(self, text: str) -> str:
        level = parse_confidentiality(text)
        if level is None:
            raise CommandError(_("Unknown confidentiality “%(value)s”.") % {"value": text})
        return level

    def _departments(self, names: list[str]) -> list[int]:
        lookup = DepartmentLookup()
        ids = []
        for name in names:
            department = lookup.find(name)
            if department is None:
                raise CommandError(_("Unknown department “%(name)s”.") % {"name": name})
            ids.append(department.pk)
        return ids

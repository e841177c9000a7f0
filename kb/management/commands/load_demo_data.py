"""`manage.py load_demo_data`: load the demo company's knowledge base; safe to run again."""

from __future__ import annotations

import time
import unicodedata

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kb.demo.loader import DemoDataError, load_demo_data
from kb.management.quiet import quiet_loggers


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Lay out rows in columns, counting CJK characters as two terminal cells."""
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Load a demo company's knowledge base (departments, users in every role, categories, "
        "articles, FAQs, case histories, documents, customers and tickets). Running it again "
        "creates nothing new; it always prints the demo logins."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            with quiet_loggers():
                result = load_demo_data()
        except DemoDataError as err:
            raise CommandError(str(err)) from err
        elapsed = time.monotonic() - started

        if result.created:
            summary = ", ".join(
                f"{apps.get_model(label)._meta.verbose_name_plural} {count}"
                for label, count in sorted(result.created.items())
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo data loaded in %(seconds).1f s. Created: %(summary)s.")
                    % {"seconds": elapsed, "summary": summary}
                )
            )
        else:
            self.stdout.write(_("The demo data is already loaded; nothing was changed."))

        rows = [
            [
                login.username,
                login.role,
                login.name,
                login.password if login.password is not None else _("(changed since loaded)"),
            ]
            for login in result.logins
        ]
        self.stdout.write("")
        self.stdout.write(_("Demo logins:"))
        self.stdout.write(format_table([_("Username"), _("Role"), _("Name"), _("Password")], rows))

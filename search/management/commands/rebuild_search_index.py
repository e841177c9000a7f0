"""Rebuild the search index from the database, or check it against the database."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from search import indexing


class Command(BaseCommand):
    help = "Rebuild the search index from the database (or --check it, and --repair it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=indexing.DRAIN_BATCH, help="Objects loaded per query."
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_true", help="Do not ask for confirmation."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the index with the database; change nothing.",
        )
        parser.add_argument(
            "--repair",
            action="store_true",
            help="With --check: mark the missing and stale entries for the indexing worker.",
        )

    def handle(self, *args, batch, noinput, check, repair, **options):
        if batch < 1:
            raise CommandError(_("--batch must be at least 1."))
        if repair and not check:
            raise CommandError(_("--repair only goes with --check."))
        if check:
            return self._check(batch, repair)
        if not noinput and sys.stdin.isatty():
            answer = input(_("Rebuild the whole search index? [y/N] "))
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError(_("Cancelled."))
        total = indexing.total_objects()
        progress = indexing.Progress(total, self.stderr._out)
        started = time.monotonic()
        count = indexing.rebuild_index(batch_size=batch, progress=progress)
        progress.finish()
        elapsed = time.monotonic() - started
        self.stdout.write(
            _("Indexed %(count)d records from %(total)d objects in %(seconds).1f s.")
            % {"count": count, "total": total, "seconds": elapsed}
        )

    def _check(self, batch, repair):
        result = indexing.check_index(batch_size=batch, repair=repair)
        self.stdout.write(
            _("Missing from the index: %(missing)d; stale in the index: %(stale)d.")
            % {"missing": len(result.missing), "stale": len(result.stale)}
        )
        for key in sorted(result.missing)[:20]:
            self.stdout.write(f"  + {key}")
        for key in sorted(result.stale)[:20]:
            self.stdout.write(f"  - {key}")
        if repair and (result.missing or result.stale):
            self.stdout.write(_("Marked them for the indexing worker."))

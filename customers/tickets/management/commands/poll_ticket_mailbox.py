"""Fetch the ticket mailbox once (what the scheduled task does every KB_TICKET_IMAP_POLL_SECONDS)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.tickets.mail import MailboxError, poll_mailbox


class Command(BaseCommand):
    help = "Fetch new e-mail from the ticket mailbox (KB_TICKET_IMAP_*) into tickets and replies."

    def handle(self, *args, **options):
        if not settings.KB_TICKET_IMAP_HOST:
            raise CommandError(_("KB_TICKET_IMAP_HOST is not set."))
        try:
            counts = poll_mailbox()
        except MailboxError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(
            _(
                "Fetched %(fetched)s, created %(created)s, threaded %(threaded)s, "
                "failed %(failed)s, skipped %(skipped)s."
            )
            % counts
        )

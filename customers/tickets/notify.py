"""Notices to staff about tickets: an in-app notice now, an e-mail after commit.

A notice goes only to a recipient the policy lets see the ticket."""

from __future__ import annotations

from django.db import transaction

from customers.tickets.models import TicketEvent, TicketNotice
from permissions.policy import can_view


def record_event(ticket, kind: str, message: str = "", *, actor=None, internal=True, **data):
    """Append one line to the ticket's timeline."""
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=str(message)[:500],
        internal=internal,
        data=data,
    )


def notify_staff(recipients, ticket, kind: str, message: str) -> list[TicketNotice]:
    """Leave a notice for each recipient who may see the ticket; e-mail them after commit."""
    notices = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not can_view(user, ticket):
            continue
        seen.add(user.pk)
        notices.append(
            TicketNotice.objects.create(
                recipient=user, ticket=ticket, kind=kind, message=str(message)[:500]
            )
        )
    if notices:
        from customers.tickets.tasks import send_ticket_notice_emails_task

        ids = [notice.pk for notice in notices]
        transaction.on_commit(lambda: send_ticket_notice_emails_task.delay(ids))
    return notices

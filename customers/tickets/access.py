"""Guarded reads of tickets: one error for missing and forbidden."""

from __future__ import annotations

from customers.tickets.models import Ticket
from permissions.access import ItemNotFound, access_item_by_id
from permissions.policy import is_internal, visible_to


def access_ticket_by_id(viewer, pk) -> Ticket:
    """Return ticket `pk` if the policy lets `viewer` see it; raise ItemNotFound otherwise."""
    return access_item_by_id(viewer, Ticket, pk)


def access_staff_ticket_by_id(viewer, pk) -> Ticket:
    """Return ticket `pk` for the agent console: staff only (customers use the portal)."""
    if not is_internal(viewer):
        raise ItemNotFound()
    return access_ticket_by_id(viewer, pk)


def timeline_for_viewer(viewer, ticket) -> list[dict]:
    """Return the ticket's replies and events in time order, internal ones only for staff."""
    from customers.tickets.models import TicketReply

    staff = is_internal(viewer)
    replies = (
        visible_to(viewer, TicketReply.objects.filter(ticket=ticket))
        .select_related("author", "template")
        .prefetch_related("attachments")
    )
    events = ticket.events.select_related("actor")
    if not staff:
        events = events.filter(internal=False)
    entries = [{"kind": "reply", "at": r.created_at, "reply": r} for r in replies]
    entries += [
        {"kind": "event", "at": e.created_at, "event": e}
        for e in events
        if e.kind not in ("reply", "note")  # the reply itself stands for these
    ]
    return sorted(entries, key=lambda entry: entry["at"])


def list_tickets_for_viewer(viewer):
    """Return the tickets `viewer` may see."""
    return visible_to(viewer, Ticket.objects.all())

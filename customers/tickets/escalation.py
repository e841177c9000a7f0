"""The SLA watch: warn the assignee before a target passes, escalate when it has passed.

Run by `check_ticket_sla_task` every few minutes. Each ticket is locked and re-read before it is
changed, and each warning or breach is stamped on the ticket, so a repeated or overlapping run
fires nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

import reversion
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.tickets import sla
from customers.tickets.models import SLAPolicy, Ticket, TicketEventKind, TicketPriority
from customers.tickets.models.tickets import ACTIVE_STATUSES
from customers.tickets.notify import notify_staff, record_event

logger = logging.getLogger(__name__)

# (due field, done field, warned stamp, breached stamp, label)
TARGETS = (
    (
        "first_response_due",
        "first_responded_at",
        "first_response_warned_at",
        "first_response_breached_at",
        "first response",
    ),
    (
        "resolution_due",
        "resolved_at",
        "resolution_warned_at",
        "resolution_breached_at",
        "resolution",
    ),
)


def _label(kind: str) -> str:
    # A context: "resolution" is also the resolution section of a case history (解决方法).
    if kind == "first response":
        return pgettext("SLA target", "first response")
    return pgettext("SLA target", "resolution")


def _candidates(now):
    """Active tickets with a target not yet met, warned or breached that is near or past."""
    # As far ahead as the widest warning window of any policy (or the default), so that a long
    # window warns as early as it says.
    widest = SLAPolicy.objects.aggregate(widest=Max("warn_before_minutes"))["widest"] or 0
    horizon = now + dt.timedelta(minutes=max(widest, settings.KB_TICKET_SLA_WARN_MINUTES))
    query = Q()
    for due, done, _warned, breached, _kind in TARGETS:
        query |= Q(**{f"{due}__lte": horizon, f"{done}__isnull": True, f"{breached}__isnull": True})
    return Ticket.objects.filter(query, status__in=ACTIVE_STATUSES).values_list("pk", flat=True)


def check_sla(now=None) -> dict[str, int]:
    """Warn and escalate what is due at `now`; return how many warnings and escalations fired."""
    now = now or timezone.now()
    fired = {"warnings": 0, "escalations": 0}
    for pk in list(_candidates(now)):
        try:
            warnings, escalations = _check_one(pk, now)
        except Exception:  # one bad ticket must not stop the watch over the others
            logger.exception("SLA check failed for ticket %s", pk)
            continue
        fired["warnings"] += warnings
        fired["escalations"] += escalations
    return fired


def _check_one(pk, now) -> tuple[int, int]:
    warnings = escalations = 0
    with transaction.atomic(), reversion.create_revision():
        ticket = (
            # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer
            # joins select_related makes for these nullable keys; see
            # https://docs.djangoproject.com/en/5.2/ref/models/querysets/#select-for-update
            Ticket.objects.select_for_update(of=("self",))
            .select_related("group", "assignee", "sla_policy")
            .filter(pk=pk, status__in=ACTIVE_STATUSES)
            .first()
        )
        if ticket is None:
            return 0, 0
        window = sla.warn_before(ticket.sla_policy)
        fields: set[str] = set()
        for due_name, done_name, warned_name, breached_name, kind in TARGETS:
            due = getattr(ticket, due_name)
            if due is None or getattr(ticket, done_name) or getattr(ticket, breached_name):
                continue
            if due <= now:
                _escalate(ticket, kind, due, now)
                setattr(ticket, breached_name, now)
                fields.update({breached_name, "priority", "assignee", "escalation_level"})
                escalations += 1
            elif due - window <= now and getattr(ticket, warned_name) is None:
                _warn(ticket, kind, due)
                setattr(ticket, warned_name, now)
                fields.add(warned_name)
                warnings += 1
        if fields:
            ticket.save(update_fields=[*fields, "updated_at"])
            reversion.set_comment(_("SLA watch"))
    return warnings, escalations


def _due_text(due) -> str:
    return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")


def _warn(ticket, kind: str, due) -> None:
    message = _("Ticket %(number)s: the %(target)s is due at %(due)s.") % {
        "number": ticket.number,
        "target": _label(kind),
        "due": _due_text(due),
    }
    record_event(ticket, TicketEventKind.SLA_WARNING, message, target=kind, due=due.isoformat())
    recipients = [ticket.assignee] if ticket.assignee_id else []
    if not recipients and ticket.group_id and ticket.group.lead_id:
        recipients = [ticket.group.lead]
    notify_staff(recipients, ticket, TicketEventKind.SLA_WARNING, message)


def _escalate(ticket, kind: str, due, now) -> None:
    """Record the breach, raise the priority, hand the ticket to the group lead, notify."""
    from customers.tickets.actions import raised_priority

    message = _("Ticket %(number)s: the %(target)s was due at %(due)s and is overdue.") % {
        "number": ticket.number,
        "target": _label(kind),
        "due": _due_text(due),
    }
    record_event(ticket, TicketEventKind.SLA_BREACH, message, target=kind, due=due.isoformat())
    before_priority, before_assignee = ticket.priority, ticket.assignee
    ticket.priority = raised_priority(ticket.priority)
    ticket.escalation_level += 1
    lead = ticket.group.lead if ticket.group_id else None
    if lead is not None:
        ticket.assignee = lead
    record_event(
        ticket,
        TicketEventKind.ESCALATED,
        _("Escalated: priority %(before)s → %(after)s, assigned to %(who)s.")
        % {
            "before": TicketPriority(before_priority).label,
            "after": TicketPriority(ticket.priority).label,
            "who": ticket.assignee or "—",
        },
        target=kind,
        before_priority=before_priority,
        after_priority=ticket.priority,
        before_assignee=before_assignee.get_username() if before_assignee else None,
        after_assignee=ticket.assignee.get_username() if ticket.assignee else None,
    )
    notify_staff([lead, before_assignee], ticket, TicketEventKind.ESCALATED, message)

"""Writes of service tickets: create, reply, status, assignment, priority, satisfaction.

Each action checks the policy, runs in one durable transaction (a reversion revision for the
ticket, an audit row, timeline events) and sends e-mail only after commit. The agent console, the
help centre, the customer portal, e-mail intake, the SLA task and the API all call these.
"""

from __future__ import annotations

import uuid

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.tickets import sla
from customers.tickets.assignment import apply_assignment_rules
from customers.tickets.models import (
    ContactAttempt,
    ContactOutcome,
    ReplyTemplate,
    Satisfaction,
    SatisfactionVia,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketEventKind,
    TicketPriority,
    TicketReply,
    TicketReplyVia,
    TicketStatus,
)
from customers.tickets.models.tickets import PRIORITY_ORDER
from customers.tickets.notify import notify_staff, record_event
from permissions.actions import log_audit_event
from permissions.policy import can_view, is_service_staff


class TicketError(ValidationError):
    """A ticket change that cannot be made; the message says why, translated."""


def _revision(actor, comment: str) -> None:
    reversion.set_user(actor if actor is not None and actor.is_authenticated else None)
    reversion.set_comment(comment)


def _is_portal_user_of(user, customer) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and customer.portal_users.filter(pk=user.pk).exists()
    )


def can_work_ticket(user, ticket) -> bool:
    """Return True for service staff who may see the ticket: they answer, assign, resolve."""
    return is_service_staff(user) and can_view(user, ticket)


def _require_worker(actor, ticket) -> None:
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied(_("You may not change this ticket."))


def _number(ticket) -> str:
    return f"T{timezone.localtime(ticket.created_at):%Y%m%d}{ticket.pk:05d}"


def create_ticket(
    *,
    actor,
    customer,
    subject: str,
    description: str = "",
    contact=None,
    category: str = TicketCategory.QUESTION,
    product=None,
    priority: str = TicketPriority.NORMAL,
    channel: str = TicketChannel.PHONE,
    requester_email: str = "",
    email_message_id: str = "",
    attachments=(),
    system: bool = False,
    request=None,
) -> Ticket:
    """Open a ticket for a customer: number it, apply the assignment rules, set SLA targets.

    `actor` is the agent taking the call or the portal user of the customer; `system=True` is for
    e-mail intake, where no user is logged in.
    """
    if not system and not (is_service_staff(actor) or _is_portal_user_of(actor, customer)):
        raise PermissionDenied(_("You may not open tickets for this customer."))
    subject = (subject or "").strip()
    if not subject:
        raise TicketError(_("A ticket needs a subject."), code="subject")
    if contact is not None and contact.customer_id != customer.pk:
        raise TicketError(_("The contact belongs to another customer."), code="contact")
    if category not in TicketCategory.values or priority not in TicketPriority.values:
        raise TicketError(_("Unknown category or priority."), code="choice")
    if channel not in TicketChannel.values:
        raise TicketError(_("Unknown channel."), code="choice")
    staff_actor = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic(durable=True), reversion.create_revision():
        now = timezone.now()
        ticket = Ticket(
            # Unique until the pk is known; fits the 30 characters PostgreSQL enforces.
            number=f"tmp-{uuid.uuid4().hex[:24]}",
            customer=customer,
            contact=contact,
            subject=subject[:255],
            description=description,
            category=category,
            product=product,
            priority=priority,
            channel=channel,
            requester_email=requester_email,
            email_message_id=email_message_id[:255],
            created_by=staff_actor,
            created_at=now,
        )
        ticket.save()
        record_event(
            ticket,
            TicketEventKind.CREATED,
            _("Ticket opened via %(channel)s.") % {"channel": ticket.get_channel_display()},
            actor=staff_actor,
            internal=False,
        )
        # Agents who take a call own the ticket unless a rule routes it elsewhere.
        rule = apply_assignment_rules(ticket)
        if rule is None and is_service_staff(staff_actor) and channel in ("phone", "visit"):
            ticket.assignee = staff_actor
        ticket.sla_policy, ticket.first_response_due, ticket.resolution_due = sla.targets(
            ticket.priority, now
        )
        ticket.number = _number(ticket)
        ticket.save()
        if attachments:
            ticket.attachments.set(attachments)
        record_event(
            ticket,
            TicketEventKind.SLA,
            _("First response due %(due)s.")
            % {"due": timezone.localtime(ticket.first_response_due).strftime("%Y-%m-%d %H:%M")},
            policy=ticket.sla_policy_id,
            first_response_due=ticket.first_response_due.isoformat(),
            resolution_due=ticket.resolution_due.isoformat() if ticket.resolution_due else None,
        )
        _revision(staff_actor, _("Ticket opened"))
        log_audit_event(actor=staff_actor, action="ticket.create", obj=ticket, request=request)
        if ticket.assignee_id and ticket.assignee_id != getattr(staff_actor, "pk", None):
            notify_staff(
                [ticket.assignee],
                ticket,
                TicketEventKind.ASSIGNED,
                _("Ticket %(number)s was assigned to you.") % {"number": ticket.number},
            )
        elif ticket.assignee_id is None and ticket.group_id and ticket.group.lead_id:
            notify_staff(
                [ticket.group.lead],
                ticket,
                TicketEventKind.ASSIGNED,
                _("Ticket %(number)s is waiting in the queue of %(group)s.")
                % {"number": ticket.number, "group": ticket.group.name},
            )
    return ticket


def reply_to_ticket(
    *,
    actor,
    ticket,
    body: str,
    internal: bool = False,
    template: ReplyTemplate | None = None,
    attachments=(),
    via: str | None = None,
    author_label: str = "",
    email_message_id: str = "",
    system: bool = False,
    request=None,
) -> TicketReply:
    """Add a public reply or an internal note to a ticket.

    Service staff may do both; the customer's portal users (and e-mail intake, `system=True`)
    add public replies only. The first public reply from staff stops the first-response clock;
    a customer's reply reopens a resolved ticket and puts a waiting one back to open.
    """
    body = (body or "").strip()
    if not body:
        raise TicketError(_("The reply is empty."), code="empty")
    staff = is_service_staff(actor) and can_view(actor, ticket)
    customer_side = system or (not staff and _is_portal_user_of(actor, ticket.customer))
    if not staff and not customer_side:
        raise PermissionDenied(_("You may not reply to this ticket."))
    if internal and not staff:
        raise PermissionDenied(_("Only staff may add internal notes."))
    if via is None:
        via = TicketReplyVia.AGENT if staff else TicketReplyVia.PORTAL
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic(durable=True), reversion.create_revision():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if (
            email_message_id
            and TicketReply.objects.filter(
                ticket=ticket, email_message_id=email_message_id
            ).exists()
        ):
            return TicketReply.objects.get(ticket=ticket, email_message_id=email_message_id)
        reply = TicketReply.objects.create(
            ticket=ticket,
            author=user,
            author_label=author_label or (user.get_username() if user else ""),
            body=body,
            internal=internal,
            from_customer=customer_side,
            via=via,
            template=template,
            email_message_id=email_message_id[:255],
        )
        if attachments:
            reply.attachments.set(attachments)
        if template is not None:
            ReplyTemplate.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1)
        fields = []
        now = timezone.now()
        if staff and not internal:
            if ticket.first_responded_at is None:
                ticket.first_responded_at = now
                fields.append("first_responded_at")
            if ticket.status == TicketStatus.NEW:
                fields += _set_status(ticket, TicketStatus.OPEN, user, now)
        elif customer_side:
            if ticket.status in (TicketStatus.PENDING, TicketStatus.NEW):
                if ticket.status == TicketStatus.PENDING:
                    fields += _set_status(ticket, TicketStatus.OPEN, user, now)
            elif ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                fields += _set_status(ticket, TicketStatus.OPEN, user, now)
        if fields:
            ticket.save(update_fields=[*set(fields), "updated_at"])
        else:
            ticket.save(update_fields=["updated_at"])  # the index shows the latest activity
        record_event(
            ticket,
            TicketEventKind.NOTE if internal else TicketEventKind.REPLY,
            (reply.author_label or "")[:100],
            actor=user,
            internal=internal,
            reply=reply.pk,
            template=template.pk if template else None,
        )
        _revision(user, _("Reply added"))
        log_audit_event(
            actor=user,
            action="ticket.note" if internal else "ticket.reply",
            obj=ticket,
            request=request,
            extra={"reply": reply.pk},
        )
        if customer_side and ticket.assignee_id:
            notify_staff(
                [ticket.assignee],
                ticket,
                TicketEventKind.REPLY,
                _("The customer replied on ticket %(number)s.") % {"number": ticket.number},
            )
        if staff and not internal:
            from customers.tickets.tasks import send_reply_email_task

            transaction.on_commit(lambda: send_reply_email_task.delay(reply.pk))
    return reply


def _set_status(ticket, status: str, actor, now) -> list[str]:
    """Move the ticket to `status` (unsaved), stamping times; return the changed fields."""
    before = ticket.status
    if before == status:
        return []
    if not ticket.may_become(status):
        raise TicketError(
            _("A ticket cannot go from “%(before)s” to “%(after)s”.")
            % {"before": ticket.get_status_display(), "after": TicketStatus(status).label},
            code="transition",
        )
    fields = ["status"]
    ticket.status = status
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        if ticket.resolved_at is None:
            ticket.resolved_at = now
            fields.append("resolved_at")
    elif status == TicketStatus.OPEN and before in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket.reopened_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["reopened_count", "resolved_at", "closed_at"]
    record_event(
        ticket,
        TicketEventKind.STATUS,
        _("Status: %(before)s → %(after)s")
        % {"before": TicketStatus(before).label, "after": TicketStatus(status).label},
        actor=actor,
        internal=False,
        before=before,
        after=status,
    )
    if status == TicketStatus.RESOLVED:
        satisfaction, created = Satisfaction.objects.get_or_create(ticket=ticket)
        if created:
            from customers.tickets.tasks import send_satisfaction_request_task

            transaction.on_commit(lambda: send_satisfaction_request_task.delay(satisfaction.pk))
    return fields


def change_ticket_status(*, actor, ticket, status: str, request=None) -> Ticket:
    """Move a ticket along new → open → pending customer → resolved → closed (or reopen it)."""
    _require_worker(actor, ticket)
    if status not in TicketStatus.values:
        raise TicketError(_("Unknown status."), code="choice")
    with transaction.atomic(durable=True), reversion.create_revision():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        fields = _set_status(ticket, status, actor, timezone.now())
        if fields:
            ticket.save(update_fields=[*fields, "updated_at"])
            _revision(actor, _("Status changed"))
            log_audit_event(
                actor=actor,
                action="ticket.status",
                obj=ticket,
                request=request,
                extra={"status": status},
            )
    return ticket


def assign_ticket(*, actor, ticket, assignee=None, group=None, request=None) -> Ticket:
    """Give a ticket to an agent (and/or a group); the new assignee is notified."""
    _require_worker(actor, ticket)
    if assignee is not None and not is_service_staff(assignee):
        raise TicketError(_("Tickets can only be assigned to service staff."), code="assignee")
    with transaction.atomic(durable=True), reversion.create_revision():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        fields = []
        if group is not None and ticket.group_id != group.pk:
            ticket.group = group
            fields.append("group")
        if ticket.assignee_id != (assignee.pk if assignee else None):
            ticket.assignee = assignee
            fields.append("assignee")
        if not fields:
            return ticket
        ticket.save(update_fields=[*fields, "updated_at"])
        record_event(
            ticket,
            TicketEventKind.ASSIGNED,
            _("Assigned to %(who)s.")
            % {"who": assignee or (ticket.group.name if ticket.group else "—")},
            actor=actor,
            assignee=assignee.get_username() if assignee else None,
            group=ticket.group.name if ticket.group else None,
        )
        _revision(actor, _("Assigned"))
        log_audit_event(actor=actor, action="ticket.assign", obj=ticket, request=request)
        if assignee is not None and assignee.pk != actor.pk:
            notify_staff(
                [assignee],
                ticket,
                TicketEventKind.ASSIGNED,
                _("Ticket %(number)s was assigned to you.") % {"number": ticket.number},
            )
    return ticket


def change_ticket_priority(*, actor, ticket, priority: str, request=None) -> Ticket:
    """Change a ticket's priority; SLA targets not yet met are recomputed from its creation."""
    _require_worker(actor, ticket)
    if priority not in TicketPriority.values:
        raise TicketError(_("Unknown priority."), code="choice")
    with transaction.atomic(durable=True), reversion.create_revision():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.priority == priority:
            return ticket
        before = ticket.priority
        ticket.priority = priority
        fields = ["priority", *retarget_sla(ticket)]
        ticket.save(update_fields=[*fields, "updated_at"])
        record_event(
            ticket,
            TicketEventKind.PRIORITY,
            _("Priority: %(before)s → %(after)s")
            % {"before": TicketPriority(before).label, "after": TicketPriority(priority).label},
            actor=actor,
            before=before,
            after=priority,
        )
        _revision(actor, _("Priority changed"))
        log_audit_event(actor=actor, action="ticket.priority", obj=ticket, request=request)
    return ticket


def retarget_sla(ticket) -> list[str]:
    """Recompute the SLA targets of the ticket's priority (unsaved); return the changed fields."""
    policy, first_due, resolution_due = sla.targets(ticket.priority, ticket.created_at)
    ticket.sla_policy = policy
    fields = ["sla_policy"]
    if ticket.first_responded_at is None and ticket.first_response_breached_at is None:
        ticket.first_response_due = first_due
        ticket.first_response_warned_at = None
        fields += ["first_response_due", "first_response_warned_at"]
    if ticket.resolution_breached_at is None:
        ticket.resolution_due = resolution_due
        ticket.resolution_warned_at = None
        fields += ["resolution_due", "resolution_warned_at"]
    return fields


def raised_priority(priority: str) -> str:
    """Return the next higher priority (urgent stays urgent)."""
    index = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def rate_ticket(
    *, satisfaction, rating: int, comment: str = "", via: str, actor=None, request=None
) -> Satisfaction:
    """Record the customer's rating (1–5) of a resolved ticket; a later rating replaces it."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise TicketError(_("Choose a rating from 1 to 5."), code="rating")
    if via not in SatisfactionVia.values:
        raise TicketError(_("Unknown follow-up channel."), code="choice")
    if via == SatisfactionVia.PHONE and not can_work_ticket(actor, satisfaction.ticket):
        raise PermissionDenied(_("You may not record follow-ups for this ticket."))
    if via == SatisfactionVia.PORTAL and not _is_portal_user_of(
        actor, satisfaction.ticket.customer
    ):
        raise PermissionDenied(_("You may not rate this ticket."))
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic(durable=True):
        satisfaction = Satisfaction.objects.select_for_update().get(pk=satisfaction.pk)
        satisfaction.rating = rating
        satisfaction.comment = (comment or "").strip()[:2000]
        satisfaction.via = via
        satisfaction.rated_at = timezone.now()
        satisfaction.recorded_by = user if via == SatisfactionVia.PHONE else None
        satisfaction.save()
        record_event(
            satisfaction.ticket,
            TicketEventKind.RATED,
            _("Rated %(rating)s of 5.") % {"rating": rating},
            actor=user,
            internal=False,
            rating=rating,
            via=via,
        )
        log_audit_event(actor=user, action="ticket.rate", obj=satisfaction.ticket, request=request)
    return satisfaction


def request_follow_up(*, actor, ticket, request=None) -> Satisfaction:
    """Create (or return) the satisfaction follow-up of a resolved ticket."""
    _require_worker(actor, ticket)
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise TicketError(_("Only resolved tickets are followed up."), code="status")
    try:
        with transaction.atomic():
            satisfaction, _created = Satisfaction.objects.get_or_create(ticket=ticket)
    except IntegrityError:
        satisfaction = Satisfaction.objects.get(ticket=ticket)
    return satisfaction


def record_contact_attempt(
    *, attempt: ContactAttempt, actor, text: str, suggested, outcome: str, **fields
) -> ContactAttempt:
    """Save one use of the help centre's contact form: the question, the FAQs suggested and
    whether one answered it or a ticket was asked for (the deflection rate counts these)."""
    if outcome not in ContactOutcome.values:
        raise TicketError(_("Unknown outcome."), code="choice")
    unknown = set(fields) - {"faq_page_id", "ticket"}
    if unknown:
        raise TypeError(f"unknown contact attempt fields: {sorted(unknown)}")
    attempt.user = actor if actor is not None and actor.is_authenticated else attempt.user
    attempt.text = (text or "")[: ContactAttempt._meta.get_field("text").max_length]
    attempt.suggested = [int(pk) for pk in dict.fromkeys(suggested)]
    attempt.outcome = outcome
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.save()
    return attempt

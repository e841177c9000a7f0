"""The ticket itself, its timeline and the notices it sends to staff."""

from __future__ import annotations

import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Where each status may go (reopening a resolved or closed ticket puts it back to open).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset({"open", "pending", "resolved", "closed"}),
    TicketStatus.OPEN: frozenset({"pending", "resolved", "closed"}),
    TicketStatus.PENDING: frozenset({"open", "resolved", "closed"}),
    TicketStatus.RESOLVED: frozenset({"open", "closed"}),
    TicketStatus.CLOSED: frozenset({"open"}),
}
ACTIVE_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING})


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = [p.value for p in TicketPriority]


class TicketChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Help centre")
    WECHAT = "wechat", _("WeChat")


class TicketCategory(models.TextChoices):
    QUESTION = "question", pgettext_lazy("ticket category", "Question")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    REQUEST = "request", _("Request")
    FAULT = "fault", _("Fault")


@reversion.register()
class Ticket(models.Model):
    """A service request (服务工单) from a customer."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=TicketCategory.choices,
        default=TicketCategory.QUESTION,
        db_index=True,
    )
    product = models.ForeignKey(
        "kb.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TicketStatus.choices,
        default=TicketStatus.NEW,
        db_index=True,
    )
    priority = models.CharField(
        _("priority"), max_length=20, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=TicketChannel.choices, default=TicketChannel.PHONE
    )
    group = models.ForeignKey(
        "tickets.AgentGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # SLA: targets computed on creation (business hours included), stamps as they happen.
    sla_policy = models.ForeignKey(
        "tickets.SLAPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Files that came with the request (a reply's files hang on the reply).
    attachments = models.ManyToManyField(
        "documents.KnowledgeDocument",
        verbose_name=_("attachments"),
        blank=True,
        related_name="tickets",
    )
    # The Message-ID of the e-mail that opened the ticket: replies thread by it.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def may_become(self, status: str) -> bool:
        return status in STATUS_TRANSITIONS.get(self.status, frozenset())


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY = "priority", _("Priority changed")
    RULE = "rule", _("Assignment rule applied")
    SLA = "sla", _("SLA targets set")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    RATED = "rated", _("Satisfaction rated")
    KNOWLEDGE = "knowledge", _("Knowledge captured")
    UPDATED = "updated", pgettext_lazy("ticket event", "Updated")


class TicketEvent(models.Model):
    """One line of a ticket's timeline: every change and every rule firing."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    # Machine-readable details: before/after values, rule and policy ids.
    data = models.JSONField(_("details"), default=dict, blank=True)
    # Internal events are never shown on the customer's side.
    internal = models.BooleanField(_("internal"), default=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket timeline")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket.number} {self.get_kind_display()}"


class TicketNotice(models.Model):
    """An in-app notice to a staff member about a ticket (assigned, SLA warning, escalated)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="ticket_notices",
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TicketEventKind.choices)
    message = models.CharField(_("message"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket notice")
        verbose_name_plural = _("ticket notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.recipient} {self.message}"

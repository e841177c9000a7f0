"""Workflow rules: agent groups, assignment rules, business hours and SLA policies."""

from __future__ import annotations

import reversion
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerGrade
from customers.tickets.models.tickets import TicketCategory, TicketPriority


class AgentGroup(models.Model):
    """A service group (服务组): its agents take tickets in turn, its lead receives escalations."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("group lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_agent_groups",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        blank=True,
        related_name="agent_groups",
    )
    # Round-robin position: the agent who got the last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


@reversion.register()
class AssignmentRule(models.Model):
    """If a new ticket matches category/product/grade, give it to a group (and an agent in turn).

    Rules are tried in order; the first that matches fires. An empty condition matches anything.
    """

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    category = models.CharField(
        _("category"), max_length=20, choices=TicketCategory.choices, blank=True
    )
    product = models.ForeignKey(
        "kb.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer_grade = models.CharField(
        _("customer grade"), max_length=1, choices=CustomerGrade.choices, blank=True
    )
    group = models.ForeignKey(
        AgentGroup, verbose_name=_("assign to group"), on_delete=models.CASCADE, related_name="+"
    )
    round_robin = models.BooleanField(
        _("assign an agent in turn"),
        default=True,
        help_text=_("Otherwise the ticket waits in the group's queue."),
    )
    set_priority = models.CharField(
        _("set priority"), max_length=20, choices=TicketPriority.choices, blank=True
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def matches(self, ticket) -> bool:
        if self.category and ticket.category != self.category:
            return False
        if self.product_id and ticket.product_id != self.product_id:
            return False
        return not (self.customer_grade and ticket.customer.grade != self.customer_grade)


@reversion.register()
class BusinessHours(models.Model):
    """Working time the SLA clock runs in: weekdays, daily hours and holidays (local time)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # ISO weekdays, Monday = 1.
    weekdays = models.JSONField(_("working days"), default=list)
    start = models.TimeField(_("day starts"))
    end = models.TimeField(_("day ends"))
    holidays = models.JSONField(
        _("holidays"), default=list, blank=True, help_text=_("Dates as YYYY-MM-DD.")
    )
    # Weekend days worked instead of a holiday (调休).
    extra_workdays = models.JSONField(
        _("extra working days"), default=list, blank=True, help_text=_("Dates as YYYY-MM-DD.")
    )

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["name"]

    def __str__(self):
        return self.name


@reversion.register()
class SLAPolicy(models.Model):
    """First-response and resolution targets for tickets of one priority."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(
        _("priority"), max_length=20, choices=TicketPriority.choices, unique=True
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), default=12 * 60
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), default=5 * 24 * 60
    )
    warn_before_minutes = models.PositiveIntegerField(
        _("warn the assignee this many minutes before"), default=60
    )
    business_hours = models.ForeignKey(
        BusinessHours,
        verbose_name=_("business hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Empty: the clock runs around the clock."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority"]

    def __str__(self):
        return self.name

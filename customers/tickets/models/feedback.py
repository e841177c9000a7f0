"""Satisfaction follow-ups (回访) and help-centre contact attempts (for the deflection rate)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.tickets.models.tickets import Ticket


def _token() -> str:
    return secrets.token_urlsafe(24)


class SatisfactionVia(models.TextChoices):
    LINK = "link", _("Rating link")
    PORTAL = "portal", _("Customer portal")
    PHONE = "phone", _("Phone follow-up")


class Satisfaction(models.Model):
    """The follow-up of a resolved ticket: a rating link sent to the customer, and the answer."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("via"), max_length=20, choices=SatisfactionVia.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("satisfaction follow-up")
        verbose_name_plural = _("satisfaction follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="tickets_satisfaction_rating_1_5",
            )
        ]

    def __str__(self):
        return f"{self.ticket.number} {self.rating or '-'}"


class ContactOutcome(models.TextChoices):
    DEFLECTED = "deflected", _("Answered by an FAQ")
    TICKET = "ticket", _("Ticket created")
    ABANDONED = "abandoned", _("Left without either")


class ContactAttempt(models.Model):
    """One use of the help centre's contact form: did a suggested FAQ answer it, or a ticket?"""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(_("question"), max_length=500, blank=True)
    suggested = models.JSONField(_("suggested FAQs"), default=list, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=ContactOutcome.choices,
        default=ContactOutcome.ABANDONED,
        db_index=True,
    )
    faq_page_id = models.IntegerField(_("FAQ that answered"), null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("help-centre contact")
        verbose_name_plural = _("help-centre contacts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"

"""Replies on a ticket and the reply templates (常用回复) agents insert."""

from __future__ import annotations

import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.tickets.models.tickets import Ticket, TicketCategory


class TicketReplyVia(models.TextChoices):
    AGENT = "agent", _("Agent console")
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("E-mail")


class TicketReply(models.Model):
    """A public reply (the customer sees it) or an internal note (staff only)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who wrote it when there is no user (an e-mail from the customer).
    author_label = models.CharField(_("from"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    internal = models.BooleanField(_("internal note"), default=False)
    from_customer = models.BooleanField(_("from the customer"), default=False)
    via = models.CharField(
        _("via"), max_length=20, choices=TicketReplyVia.choices, default=TicketReplyVia.AGENT
    )
    template = models.ForeignKey(
        "tickets.ReplyTemplate",
        verbose_name=_("reply template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attachments = models.ManyToManyField(
        "documents.KnowledgeDocument",
        verbose_name=_("attachments"),
        blank=True,
        related_name="ticket_replies",
    )
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket.number} {self.created_at:%Y-%m-%d %H:%M}"


@reversion.register()
class ReplyTemplate(models.Model):
    """A reusable answer (常用回复), usually drawn from an FAQ; keywords choose it for e-mails."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    faq = models.ForeignKey(
        "kb.FAQPage",
        verbose_name=_("FAQ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply_templates",
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Words that suggest this reply for an incoming e-mail, separated by commas."),
    )
    category = models.CharField(
        _("ticket category"), max_length=20, choices=TicketCategory.choices, blank=True
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["-usage_count", "title"]

    def __str__(self):
        return self.title

    def keyword_list(self) -> list[str]:
        raw = self.keywords.replace("，", ",").replace("、", ",")
        return [word.strip() for word in raw.split(",") if word.strip()]

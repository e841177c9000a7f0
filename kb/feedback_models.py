"""Reader feedback on knowledge pages: "was this helpful?" with an optional comment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 1000


class PageFeedback(models.Model):
    """One reader's vote on one page; voting again updates the same row."""

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="kb_feedback",
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_page_feedback",
    )
    # SHA-256 of the anonymous visitor's session key: enough to recognise a second vote from the
    # same browser, useless to anyone who reads the table and wants to hijack the session.
    session_hash = models.CharField(_("session hash"), max_length=64, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    handled = models.BooleanField(_("handled"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        app_label = "kb"
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=Q(user__isnull=False),
                name="kb_feedback_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["page", "session_hash"],
                condition=Q(user__isnull=True) & ~Q(session_hash=""),
                name="kb_feedback_one_per_session",
            ),
        ]
        indexes = [models.Index(fields=["handled", "-updated_at"], name="kb_feedback_queue_idx")]

    def __str__(self) -> str:
        return f"{self.page_id}: {'+' if self.helpful else '-'}"

"""What readers do with knowledge: favourites and daily view counts (usage statistics)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Favourite(models.Model):
    """A page a user marked as a favourite (收藏); shown in their portal."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="kb_favourites",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="kb_favourites",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="kb_favourite_once_per_user")
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} ★ {self.page_id}"


class PageUsageDay(models.Model):
    """How often a page was read on one day: one row per page and day, counted with F()."""

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="kb_usage_days",
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)
    staff_views = models.PositiveIntegerField(_("views by staff"), default=0)

    class Meta:
        verbose_name = _("page usage")
        verbose_name_plural = _("page usage")
        constraints = [
            models.UniqueConstraint(fields=["page", "day"], name="kb_usage_once_per_day")
        ]

    def __str__(self):
        return f"{self.page_id} {self.day}: {self.views}"

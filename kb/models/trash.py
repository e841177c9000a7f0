"""The page recycle bin: a deleted subtree is moved under one bin page, never deleted at once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class RecycleBinPage(Page):
    """The container trashed subtrees are moved under; it sits outside every site, never served."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "kb.CategoryPage",
        "kb.ArticlePage",
        "kb.FAQPage",
        "kb.CaseHistoryPage",
        "kb.StructuredItemPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("recycle bin")

    def serve(self, request, *args, **kwargs):
        raise Http404


class TrashedPage(models.Model):
    """Where a trashed subtree came from, who trashed it and which of its pages were live."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="kb_trash_entry",
    )
    original_parent = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("original parent"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_path_titles = models.CharField(_("original location"), max_length=1000, blank=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trashed_at = models.DateTimeField(_("deleted at"), db_index=True)
    live_page_ids = models.JSONField(_("pages that were live"), default=list, blank=True)

    class Meta:
        verbose_name = _("page in the recycle bin")
        verbose_name_plural = _("pages in the recycle bin")
        ordering = ["-trashed_at", "-pk"]

    def __str__(self):
        return str(self.page)

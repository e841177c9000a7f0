"""Snippets shared by knowledge pages: products (tags are taggit tags, managed as a snippet)."""

from __future__ import annotations

import reversion
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


@reversion.register()
class Product(index.Indexed, models.Model):
    """A product or product line that FAQs apply to and cases are about (versioned by reversion)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("model number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("active"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("code")]

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

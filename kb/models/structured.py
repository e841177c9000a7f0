"""Structured knowledge (结构化知识): templates with custom fields, and items made from them."""

from __future__ import annotations

import reversion
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from kb.models.pages import KnowledgePage, page_tags
from kb.structured.forms import KnowledgeTemplateForm, StructuredItemForm
from kb.structured.panels import StructuredFieldsPanel
from kb.structured.values import (
    FieldKind,
    data_text,
    display_values,
    document_ids,
    visible_documents,
)

__all__ = ["FieldKind", "KnowledgeTemplate", "StructuredItemPage", "TemplateField"]


@reversion.register(follow=["fields"])
class KnowledgeTemplate(index.Indexed, ClusterableModel):
    """A form that knowledge managers define; authors fill it in to create structured items."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates are offered to authors.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("active"),
        InlinePanel("fields", label=_("Fields"), min_num=1),
    ]
    search_fields = [index.SearchField("name")]
    base_form_class = KnowledgeTemplateForm

    class Meta:
        verbose_name = _("knowledge template")
        verbose_name_plural = _("knowledge templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


@reversion.register()
class TemplateField(Orderable):
    """One custom field of a template."""

    template = ParentalKey(KnowledgeTemplate, on_delete=models.CASCADE, related_name="fields")
    label = models.CharField(_("label"), max_length=100)
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_(
            "Letters, digits, hyphens and underscores; stored with the data, keep it stable."
        ),
    )
    kind = models.CharField(_("type"), max_length=20, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice field: one choice per line.")
    )
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    filterable = models.BooleanField(
        _("filterable"), default=True, help_text=_("Offer this field as a filter in the item list.")
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("key"),
        FieldPanel("kind"),
        FieldPanel("required"),
        FieldPanel("choices"),
        FieldPanel("help_text"),
        FieldPanel("filterable"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("template field")
        verbose_name_plural = _("template fields")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="kb_template_field_key_unique")
        ]

    def __str__(self):
        return self.label

    def choice_list(self) -> list[str]:
        """Return the choices of a choice field, one per non-empty line."""
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class StructuredItemPage(KnowledgePage):
    """A knowledge item filled in from a template; its values live in `data`, keyed by field key.

    `data_text` repeats the values as plain text so that search indexes them with the page.
    """

    tags = page_tags("structured_item_pages")
    template = models.ForeignKey(
        KnowledgeTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    data = models.JSONField(_("field values"), default=dict, blank=True)
    data_text = models.TextField(_("field values as text"), blank=True, editable=False)

    content_panels = KnowledgePage.content_panels + [
        StructuredFieldsPanel(heading=_("Template fields")),
        *KnowledgePage.link_panels,
    ]
    base_form_class = StructuredItemForm
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []
    search_fields = KnowledgePage.search_fields + [index.SearchField("data_text")]

    class Meta:
        verbose_name = _("structured item")
        verbose_name_plural = _("structured items")

    def refresh_data_text(self) -> None:
        """Recompute `data_text` from `data` and the template's current fields."""
        self.data_text = (
            data_text(self.template.fields.all(), self.data) if self.template_id else ""
        )

    def save(self, *args, **kwargs):
        # Every path that stores an item (editor, publishing a revision, imports, the demo) keeps
        # the search text in step with the values.
        self.refresh_data_text()
        return super().save(*args, **kwargs)

    def get_template(self, request, *args, **kwargs):
        # The `template` field (the knowledge template) hides the class attribute through which
        # Wagtail names a page type's HTML template.
        return "kb/structured_item_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        fields = list(self.template.fields.all())
        documents = visible_documents(request.user, document_ids(fields, [self.data]))
        context["structured_values"] = display_values(fields, self.data, documents=documents)
        return context

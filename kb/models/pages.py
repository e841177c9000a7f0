from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page

from kb.workflow.forms import KnowledgePageForm
from permissions.models import ProtectedContent
from permissions.policy import visible_to

PERMISSION_PANEL = MultiFieldPanel(
    [
        FieldPanel("confidentiality"),
        FieldPanel("owning_departments"),
        FieldPanel("allowed_customers"),
        FieldPanel("allowed_groups"),
        FieldPanel("allowed_users"),
    ],
    heading=_("Who may see this"),
)


class KnowledgePageTag(TaggedItemBase):
    """A tag on a knowledge page (any type): one through table for the whole knowledge base."""

    content_object = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="knowledge_tagged_items"
    )

    class Meta:
        verbose_name = _("page tag")
        verbose_name_plural = _("page tags")


class PageAttachment(Orderable):
    """A document attached to a knowledge page; readers see it only if the policy lets them."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="page_attachments",
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")


class PageRelation(Orderable):
    """An editor-chosen related item ("see also") of a knowledge page."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("related page"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("related item")
        verbose_name_plural = _("related items")


def page_tags(related_name: str):
    """Return the tags field of one page type (taggit wants a distinct reverse name per type)."""
    return ClusterTaggableManager(
        through=KnowledgePageTag, blank=True, verbose_name=_("tags"), related_name=related_name
    )


class KnowledgePage(ProtectedContent, Page):
    """Common base of every knowledge page: protected by the policy, summarised, reviewed."""

    policy_owner_field = "owner"

    summary = models.TextField(_("summary"), blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("tags")]
    # Attachments and related items come after each type's own fields.
    link_panels = [
        InlinePanel("attachments", label=_("Attached documents")),
        InlinePanel("related_links", label=_("Related items")),
    ]
    settings_panels = Page.settings_panels + [PERMISSION_PANEL, FieldPanel("review_date")]
    base_form_class = KnowledgePageForm

    class Meta:
        abstract = True


class KnowledgeHomePage(Page):
    """The root of the help centre and of the knowledge tree."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["kb.CategoryPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("knowledge home")

    def get_context(self, request, *args, **kwargs):
        from kb.engagement.reader import category_cards_for_viewer, customer_content_for_viewer
        from kb.engagement.selectors import popular_faqs_for_viewer

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        categories = visible_to(user, CategoryPage.objects.child_of(self)).order_by("path")
        context["category_cards"] = category_cards_for_viewer(user, list(categories))
        context["latest_articles"] = visible_to(
            user, ArticlePage.objects.descendant_of(self)
        ).order_by("-last_published_at")[:8]
        context["popular_faqs"] = popular_faqs_for_viewer(user, limit=8, within=self)
        context["customer_content"] = customer_content_for_viewer(user, within=self)
        return context


class CategoryPage(KnowledgePage):
    """A node of the knowledge tree (知识分类), nestable."""

    tags = page_tags("category_pages")

    subpage_types = [
        "kb.CategoryPage",
        "kb.ArticlePage",
        "kb.FAQPage",
        "kb.CaseHistoryPage",
        "kb.StructuredItemPage",
    ]
    parent_page_types = ["kb.KnowledgeHomePage", "kb.CategoryPage"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def get_context(self, request, *args, **kwargs):
        from kb.engagement.reader import category_cards_for_viewer
        from kb.models.structured import StructuredItemPage

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        children = {}
        for model in (CategoryPage, ArticlePage, FAQPage, CaseHistoryPage, StructuredItemPage):
            children[model._meta.model_name] = visible_to(
                user, model.objects.child_of(self)
            ).order_by("title")
        context["children"] = children
        context["subcategory_cards"] = category_cards_for_viewer(user, children["categorypage"])
        return context


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("info", _("Note")), ("warning", _("Warning")), ("tip", _("Tip"))],
        default="info",
        label=_("kind"),
    )
    text = blocks.RichTextBlock(label=_("text"))

    class Meta:
        template = "kb/blocks/callout.html"
        icon = "warning"
        label = _("Callout")


class CodeBlock(blocks.StructBlock):
    language = blocks.CharBlock(required=False, label=_("language"))
    code = blocks.TextBlock(label=_("code"))

    class Meta:
        template = "kb/blocks/code.html"
        icon = "code"
        label = _("Code")


BODY_BLOCKS = [
    (
        "heading",
        blocks.CharBlock(
            form_classname="title", label=_("Heading"), template="kb/blocks/heading.html"
        ),
    ),
    ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
    ("image", ImageChooserBlock(label=_("Image"))),
    ("callout", CalloutBlock()),
    ("code", CodeBlock()),
    ("document", DocumentChooserBlock(label=_("Document"), template="kb/blocks/document.html")),
]


class ArticlePage(KnowledgePage):
    """A knowledge article (知识文章) with a rich body."""

    tags = page_tags("article_pages")

    body = StreamField(BODY_BLOCKS, verbose_name=_("body"), blank=True)

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("body"),
        *KnowledgePage.link_panels,
    ]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class FAQPage(KnowledgePage):
    """A frequently asked question with its answer (常见问题)."""

    tags = page_tags("faq_pages")

    question = models.CharField(_("question"), max_length=255)
    alternative_questions = models.TextField(
        _("other phrasings"), blank=True, help_text=_("One phrasing of the question per line.")
    )
    answer = RichTextField(_("answer"))
    products = ParentalManyToManyField(
        "kb.Product", verbose_name=_("applies to products"), blank=True, related_name="faqs"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("question"),
        FieldPanel("alternative_questions"),
        FieldPanel("answer"),
        FieldPanel("products"),
        *KnowledgePage.link_panels,
    ]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")


class CaseHistoryPage(KnowledgePage):
    """A customer case history (客户案例): what went wrong, why, and how it was resolved."""

    tags = page_tags("case_history_pages")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_histories",
    )
    product = models.ForeignKey(
        "kb.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_histories",
    )
    symptom = RichTextField(_("symptom"))
    cause = RichTextField(_("cause"), blank=True)
    resolution = RichTextField(_("resolution"))
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    tickets = ParentalManyToManyField(
        "tickets.Ticket",
        verbose_name=_("linked tickets"),
        blank=True,
        related_name="case_histories",
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("customer"),
        FieldPanel("product"),
        FieldPanel("symptom"),
        FieldPanel("cause"),
        FieldPanel("resolution"),
        FieldPanel("outcome"),
        FieldPanel("tickets"),
        *KnowledgePage.link_panels,
    ]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("case history")
        verbose_name_plural = _("case histories")

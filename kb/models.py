from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from permissions.models import ProtectedContent
from permissions.policy import visible_to

PERMISSION_PANEL = MultiFieldPanel(
    [
        FieldPanel("confidentiality"),
        FieldPanel("owning_departments"),
        FieldPanel("allowed_groups"),
        FieldPanel("allowed_users"),
    ],
    heading=_("Who may see this"),
)


class KnowledgePage(ProtectedContent, Page):
    """Common base of every knowledge page: protected by the policy, summarised, reviewed."""

    policy_owner_field = "owner"

    summary = models.TextField(_("summary"), blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    settings_panels = Page.settings_panels + [PERMISSION_PANEL, FieldPanel("review_date")]

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
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["categories"] = visible_to(user, CategoryPage.objects.child_of(self)).order_by(
            "path"
        )
        context["latest_articles"] = visible_to(
            user, ArticlePage.objects.descendant_of(self)
        ).order_by("-last_published_at")[:8]
        context["popular_faqs"] = visible_to(user, FAQPage.objects.descendant_of(self)).order_by(
            "-first_published_at"
        )[:8]
        return context


class CategoryPage(KnowledgePage):
    """A node of the knowledge tree (知识分类), nestable."""

    subpage_types = ["kb.CategoryPage", "kb.ArticlePage", "kb.FAQPage", "kb.CaseHistoryPage"]
    parent_page_types = ["kb.KnowledgeHomePage", "kb.CategoryPage"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        children = {}
        for model in (CategoryPage, ArticlePage, FAQPage, CaseHistoryPage):
            children[model._meta.model_name] = visible_to(
                user, model.objects.child_of(self)
            ).order_by("title")
        context["children"] = children
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

    body = StreamField(BODY_BLOCKS, verbose_name=_("body"), blank=True)

    content_panels = KnowledgePage.content_panels + [FieldPanel("body")]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class FAQPage(KnowledgePage):
    """A frequently asked question with its answer (常见问题)."""

    question = models.CharField(_("question"), max_length=255)
    alternative_questions = models.TextField(
        _("other phrasings"), blank=True, help_text=_("One phrasing of the question per line.")
    )
    answer = RichTextField(_("answer"))
    products = models.CharField(_("applies to products"), max_length=255, blank=True)

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("question"),
        FieldPanel("alternative_questions"),
        FieldPanel("answer"),
        FieldPanel("products"),
    ]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")


class CaseHistoryPage(KnowledgePage):
    """A customer case history (客户案例): what went wrong, why, and how it was resolved."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_histories",
    )
    product = models.CharField(_("product"), max_length=255, blank=True)
    symptom = RichTextField(_("symptom"))
    cause = RichTextField(_("cause"), blank=True)
    resolution = RichTextField(_("resolution"))
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("customer"),
        FieldPanel("product"),
        FieldPanel("symptom"),
        FieldPanel("cause"),
        FieldPanel("resolution"),
        FieldPanel("outcome"),
    ]
    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("case history")
        verbose_name_plural = _("case histories")


from kb.feedback_models import PageFeedback  # noqa: E402,F401

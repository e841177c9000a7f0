"""Admin viewsets of the knowledge base's shared snippets: products and tags."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from kb.models import CaseHistoryPage, FAQPage, Product
from kb.versions.snippets import PolicyUsageView, VersionedDeleteView, VersionedSnippetViewSet
from permissions.policy import readable_to


class ProductDeleteView(VersionedDeleteView):
    """Warn that FAQs and case histories lose the product (M2M, SET_NULL): nothing is blocked."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        usage = [
            (
                capfirst(FAQPage._meta.verbose_name_plural),
                FAQPage.objects.filter(products=self.object),
            ),
            (
                capfirst(CaseHistoryPage._meta.verbose_name_plural),
                CaseHistoryPage.objects.filter(product=self.object),
            ),
        ]
        # The editor's view: drafts count, pages the user may not read do not.
        counted = [(label, readable_to(user, pages).count()) for label, pages in usage]
        context["knowledge_usage"] = [(label, count) for label, count in counted if count]
        return context


class ProductViewSet(VersionedSnippetViewSet):
    """Products: knowledge managers and administrators maintain them, authors choose them."""

    model = Product
    delete_view_class = ProductDeleteView
    delete_template_name = "kb/versions/confirm_delete.html"
    icon = "cogs"
    menu_label = _("Products")
    menu_order = 440
    add_to_admin_menu = True
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    # Substring search in the database: the search index matches whole words only, and a
    # product is usually looked up by part of its Chinese name or model number.
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = False


class TagViewSet(SnippetViewSet):
    """Tags of knowledge pages (taggit tags): renamed and tidied by knowledge managers."""

    model = Tag
    icon = "tag"
    menu_label = _("Tags")
    menu_order = 450
    add_to_admin_menu = True
    panels = [FieldPanel("name"), FieldPanel("slug")]
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    ordering = ["name"]
    copy_view_enabled = False
    usage_view_class = PolicyUsageView

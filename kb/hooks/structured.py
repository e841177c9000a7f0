"""Wagtail hooks of the structured part of the knowledge base (imported by kb.wagtail_hooks)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from kb.models import StructuredItemPage
from kb.structured.admin import (
    KnowledgeTemplateViewSet,
    choose_template,
    refuse_deleting_templates_in_use,
)

register_snippet(KnowledgeTemplateViewSet)


@hooks.register("before_create_page")
def choose_structured_item_template(request, parent_page, page_class):
    """Ask for the template before the add form of a structured item opens."""
    # Only the form's first display: a submitted form carries the template in a hidden field.
    if issubclass(page_class, StructuredItemPage) and request.method == "GET":
        return choose_template(request, parent_page)
    return None


hooks.register("before_delete_snippet", refuse_deleting_templates_in_use)

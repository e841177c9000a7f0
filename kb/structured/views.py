"""Readers' views of structured knowledge: the templates, and a template's items with filters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from kb.models import KnowledgeTemplate, StructuredItemPage
from kb.structured.filters import ItemFilterForm
from kb.structured.values import display_values, document_ids, visible_documents
from permissions.policy import is_internal, visible_to

ITEMS_PER_PAGE = 25


def count_visible_items(viewer) -> dict[int, int]:
    """Return {template pk: number of its items `viewer` may see}; templates without any are left out."""
    rows = (
        visible_to(viewer, StructuredItemPage.objects.all())
        .order_by()
        .values("template")
        .annotate(n=Count("pk"))
    )
    return {row["template"]: row["n"] for row in rows}


def list_templates_for_viewer(viewer) -> list[tuple[KnowledgeTemplate, int]]:
    """Return (template, visible item count) pairs the viewer may know about, by name.

    Staff see every active template; everyone else only templates with items they may see, so
    that neither a template's name nor its count hints at content hidden from them.
    """
    counts = count_visible_items(viewer)
    templates = KnowledgeTemplate.objects.filter(pk__in=list(counts))
    if is_internal(viewer):
        templates = KnowledgeTemplate.objects.filter(active=True) | templates
    return [(template, counts.get(template.pk, 0)) for template in templates.order_by("name")]


def template_list(request):
    """List the structured-knowledge templates with the number of items the viewer may see."""
    return render(
        request,
        "kb/structured/template_list.html",
        {"templates": list_templates_for_viewer(request.user)},
    )


def item_list(request, template_id: int):
    """List a template's items the viewer may see, filtered by its filterable fields."""
    template = get_object_or_404(KnowledgeTemplate, pk=template_id)
    items = visible_to(request.user, StructuredItemPage.objects.filter(template=template))
    if not is_internal(request.user) and not items.exists():
        raise Http404  # the same answer as for a template that does not exist
    fields = list(template.fields.all())
    form = ItemFilterForm(request.GET or None, template_fields=fields)
    filtered = form.apply(items) if form.is_bound else items.order_by("title", "pk")
    page = Paginator(filtered, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    pages = list(page.object_list)
    documents = visible_documents(request.user, document_ids(fields, [p.data for p in pages]))
    rows = [
        (item, item.get_url(request), display_values(fields, item.data, documents=documents))
        for item in pages
    ]
    return render(
        request,
        "kb/structured/item_list.html",
        {
            "knowledge_template": template,
            "template_fields": fields,
            "form": form,
            "page_obj": page,
            "rows": rows,
            "count": page.paginator.count,
        },
    )

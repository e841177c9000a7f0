"""Template helpers of the reader pages and the staff panel; each reads through kb.engagement."""

from __future__ import annotations

from django import template

from kb.engagement import reader, selectors

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def kb_attachments(context, page):
    """Return the documents attached to `page` that the viewer may see."""
    return reader.attachments_for_viewer(_user(context), page)


@register.simple_tag(takes_context=True)
def kb_related_items(context, page, limit=5):
    """Return the chosen, then the automatic, related items the viewer may see."""
    return reader.related_items_for_viewer(_user(context), page, limit=limit)


@register.simple_tag(takes_context=True)
def kb_case_customer_for_viewer(context, page):
    """Return the customer of a case history when the viewer may see that customer."""
    return reader.case_customer_for_viewer(_user(context), page)


@register.simple_tag(takes_context=True)
def kb_case_tickets(context, page):
    """Return the tickets linked to a case history, for service staff."""
    return reader.case_tickets_for_viewer(_user(context), page)


@register.simple_tag(takes_context=True)
def kb_staff_panel(context, page):
    """Return the staff panel of `page`, or None when the viewer is not staff."""
    return reader.staff_panel_for_viewer(_user(context), page)


@register.simple_tag(takes_context=True)
def kb_is_favourite(context, page):
    """Return True when `page` is one of the viewer's favourites."""
    return selectors.is_favourite(_user(context), page)

"""Template helper for the feedback box of a knowledge page."""

from __future__ import annotations

from django import template

from kb import feedback

register = template.Library()


@register.simple_tag(takes_context=True)
def kb_page_feedback(context, page):
    """Return the viewer's vote and, for staff, the counts of `page`; None for other page types."""
    request = context.get("request")
    # A page previewed before its first save has no id to vote on.
    if request is None or page.pk is None or not isinstance(page, feedback.feedback_page_models()):
        return None
    return feedback.get_page_feedback_state(request, page)

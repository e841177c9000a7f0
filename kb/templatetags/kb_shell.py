"""Template helpers of the site shell; every one asks permissions.policy, never decides itself."""

from __future__ import annotations

from django import template

from permissions.policy import can_view, visible_to

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def kb_breadcrumbs(context, page):
    """Return the knowledge home and the ancestor categories of `page` the user may see."""
    from kb.models import CategoryPage, KnowledgeHomePage

    crumbs = list(KnowledgeHomePage.objects.ancestor_of(page).live())
    # A hidden ancestor category is left out rather than shown: its title may be confidential.
    crumbs += list(
        visible_to(_user(context), CategoryPage.objects.ancestor_of(page)).order_by("path")
    )
    return crumbs


@register.simple_tag(takes_context=True)
def kb_can_view(context, obj):
    """Return True when the policy lets the current user see `obj`."""
    return obj is not None and can_view(_user(context), obj)

"""Template helpers of the site shell; every one asks permissions.policy, never decides itself."""

from __future__ import annotations

from django import template

from permissions.policy import can_view, is_internal, visible_to

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


@register.simple_tag(takes_context=True)
def kb_case_customer(context, page):
    """Return the customer of a case history for staff the policy lets see it, else None."""
    user = _user(context)
    # The cheap role check first, so readers outside staff never load the customer.
    if page.customer_id is None or not is_internal(user):
        return None
    customer = page.customer
    return customer if can_view(user, customer) else None

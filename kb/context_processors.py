from django.conf import settings

from permissions.policy import can_manage_knowledge, is_internal, is_service_staff

# Which navigation entry a route belongs to; pages served by Wagtail belong to the help centre.
_NAV_BY_VIEW_NAME = {
    "wagtail_serve": "home",
    "kb:search": "search",
    "help_search:search": "home",
    "kb:tickets": "tickets",
    "kb:portal": "portal",
    "login": "login",
}


def site_shell(request):
    """Give every template what the site shell needs: the site name and the user's roles.

    The three role checks cost one query together: the policy keeps the user's role names on
    the user object for the rest of the request.
    """
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "KB_SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "kb_is_staff": is_internal(user),
        "kb_is_service_staff": is_service_staff(user),
        "kb_can_review_feedback": can_manage_knowledge(user),
        "kb_nav_active": _NAV_BY_VIEW_NAME.get(match.view_name, "") if match else "",
    }

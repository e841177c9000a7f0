from django.conf import settings

# Which navigation entry a route belongs to; pages served by Wagtail belong to the help centre.
_NAV_BY_VIEW_NAME = {
    "wagtail_serve": "home",
    "kb:search": "search",
    "kb:tickets": "tickets",
    "kb:portal": "portal",
    "login": "login",
}


def site_shell(request):
    """Give every template what the site shell needs: the site name and the user's roles."""
    from kb.feedback import can_review_feedback
    from permissions.policy import is_internal, is_service_staff

    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "KB_SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "kb_is_staff": is_internal(user) if user is not None else False,
        "kb_is_service_staff": is_service_staff(user) if user is not None else False,
        "kb_can_review_feedback": can_review_feedback(user) if user is not None else False,
        "kb_nav_active": _NAV_BY_VIEW_NAME.get(match.view_name, "") if match else "",
    }

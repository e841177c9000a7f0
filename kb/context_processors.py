from django.conf import settings


def site_shell(request):
    """Give every template what the site shell needs: the site name and the user's roles."""
    from permissions.policy import is_internal

    user = getattr(request, "user", None)
    return {
        "KB_SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "kb_is_staff": is_internal(user) if user is not None else False,
    }

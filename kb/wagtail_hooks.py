from django.http import Http404
from wagtail import hooks

from permissions.models import ProtectedContent
from permissions.policy import can_read


@hooks.register("before_serve_page")
def enforce_confidentiality(page, request, serve_args, serve_kwargs):
    """Serve a knowledge page only to users the policy lets read it; others get a plain 404.

    Wagtail's own view restrictions (login, groups, password) are checked by Wagtail's hook,
    which shows its login or password form; this hook adds the confidentiality level.
    """
    if isinstance(page, ProtectedContent) and not can_read(request.user, page):
        raise Http404

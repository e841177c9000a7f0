"""A 404 for Wagtail's per-page admin views when the page's confidentiality bars the user.

Wagtail decides from page permissions (add/change/publish on a subtree) who may edit, see the
history of, compare, revert, preview, move or copy a page; it knows nothing of confidentiality, so
a knowledge manager could open a confidential draft they may not read. This middleware asks the
policy first, with the same answer for "missing" and "forbidden".
"""

from __future__ import annotations

from django.http import Http404
from wagtail.models import Page

from permissions.models import ProtectedContent
from permissions.policy import can_read

# URL keyword arguments of Wagtail's admin views that name a page.
PAGE_ID_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id", "pk")
# The page views, and the admin API behind the explorer menu (its page detail names "pk").
GUARDED_NAMESPACES = ("wagtailadmin_pages", "wagtailadmin_api:pages")
GUARDED_URL_NAMES = (
    "wagtailadmin_explore",
    "wagtailadmin_explore_results",
    "wagtailadmin_choose_page_child",
)
BULK_ACTION_URL_NAME = "wagtail_bulk_action"


def _page_ids(match, request) -> list:
    if match.url_name == BULK_ACTION_URL_NAME:
        if (match.kwargs.get("app_label"), match.kwargs.get("model_name")) != (
            "wagtailcore",
            "page",
        ):
            return []
        return [value for value in request.GET.getlist("id") if str(value).isdigit()]
    if match.namespace not in GUARDED_NAMESPACES and match.url_name not in GUARDED_URL_NAMES:
        return []
    return [match.kwargs[name] for name in PAGE_ID_KWARGS if name in match.kwargs]


def may_open_in_admin(user, page) -> bool:
    """Return True unless `page` is protected content whose confidentiality bars `user`.

    The editor's view of one page or other workflow object; its notifications and review tasks
    ask the same question.
    """
    page = page.specific if isinstance(page, Page) else page
    return not isinstance(page, ProtectedContent) or can_read(user, page)


class PageAdminGuardMiddleware:
    """Answer 404 for admin views of pages the user may not read (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None:
            return None
        ids = _page_ids(match, request)
        if not ids:
            return None
        user = request.user
        if user.is_authenticated and user.is_superuser:
            return None
        for page in Page.objects.filter(pk__in=ids):
            if not may_open_in_admin(user, page):
                raise Http404
        return None

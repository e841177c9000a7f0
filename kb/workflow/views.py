"""The admin's "My notifications" page: the reader's inbox, filtered by the policy."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb.workflow.actions import mark_notifications_read
from kb.workflow.selectors import notifications_for_viewer, unread_count_for_viewer
from permissions.policy import is_internal

PAGE_SIZE = 30


def notifications(request):
    """List the user's notifications, newest first, about pages they may still read."""
    if not is_internal(request.user):
        raise PermissionDenied
    items = notifications_for_viewer(request.user)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "kb/admin/notifications.html",
        {
            "page_title": _("My notifications"),
            "page": page,
            "unread_count": unread_count_for_viewer(request.user),
        },
    )


@require_POST
def mark_read(request):
    """Mark one notification (`id`) or all of them (`all`) read, then go back to the list."""
    if not is_internal(request.user):
        raise PermissionDenied
    if request.POST.get("all"):
        mark_notifications_read(actor=request.user)
    else:
        ids = [value for value in request.POST.getlist("id") if value.isdigit()]
        mark_notifications_read(actor=request.user, ids=ids)
    return redirect("kb_notifications")

"""Stale knowledge: pages whose review date has passed, for the people who keep the KB alive."""

from __future__ import annotations

from datetime import date, timedelta

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import KnowledgePage
from kb.models.notifications import Notification, NotificationKind
from kb.workflow.notifications import notify
from permissions.policy import can_manage_knowledge, outside_page_bin, visible_to


def reviewed_models() -> list:
    """Return every knowledge page type: all of them carry a review date."""
    return [model for model in apps.get_models() if issubclass(model, KnowledgePage)]


def list_pages_due_for_review(viewer, *, until: date):
    """Return the knowledge pages `viewer` may see whose review date is on or before `until`."""
    pages = []
    for model in reviewed_models():
        queryset = visible_to(viewer, model.objects.filter(review_date__lte=until))
        pages.extend(queryset.select_related("owner"))
    return sorted(pages, key=lambda page: (page.review_date, page.title))


def review_due(request):
    """List overdue pages, or those due within 30 days, with who owns them."""
    if not can_manage_knowledge(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    upcoming = request.GET.get("window") == "30"
    until = today + timedelta(days=30) if upcoming else today
    pages = list_pages_due_for_review(request.user, until=until)
    page = Paginator(pages, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "kb/admin/review_due.html",
        {
            "page_title": _("Review due"),
            "page": page,
            "today": today,
            "upcoming": upcoming,
        },
    )


def notify_owners_of_review_due(*, today: date) -> int:
    """Tell each owner once about each of their pages whose review date has come; return how many.

    Safe to repeat: a page's owner is not told again about the same review date. The policy is
    applied by notify (an owner who may no longer read the page is not told).
    """
    told_already = Notification.objects.filter(
        kind=NotificationKind.REVIEW_DUE,
        page=OuterRef("pk"),
        recipient=OuterRef("owner"),
        created_at__date__gte=OuterRef("review_date"),
    )
    told = 0
    for model in reviewed_models():
        pages = outside_page_bin(
            model.objects.filter(review_date__lte=today, owner__isnull=False).exclude(
                Exists(told_already)
            )
        )
        for page in pages.select_related("owner"):
            with transaction.atomic():
                told += len(
                    notify(
                        recipients=[page.owner],
                        kind=NotificationKind.REVIEW_DUE,
                        page=page,
                        actor=None,
                    )
                )
    return told

"""Reads of the review workflow, filtered by the permission policy."""

from __future__ import annotations

from django.db.models import Q
from wagtail.models import Page

from kb.models.notifications import Notification
from permissions.policy import is_internal, readable_pages


def notifications_for_viewer(viewer):
    """Return the viewer's notifications about pages they may still read (or about no page)."""
    if viewer is None or not viewer.is_authenticated or not is_internal(viewer):
        return Notification.objects.none()
    readable = readable_pages(viewer, Page.objects.all()).values("pk")
    return (
        Notification.objects.filter(recipient=viewer)
        .filter(Q(page__isnull=True) | Q(page__in=readable))
        .select_related("actor", "page")
    )


def unread_count_for_viewer(viewer) -> int:
    """Return how many notifications the viewer has not read yet (only those they may read)."""
    return notifications_for_viewer(viewer).filter(read_at__isnull=True).count()

"""Writes of the engagement part: page views and favourites."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from kb.models.engagement import Favourite, PageUsageDay
from permissions.access import ItemNotFound
from permissions.actions import log_audit_event
from permissions.policy import can_view, is_internal


def record_page_view(*, page, viewer) -> None:
    """Count one view of `page` for today; a view by staff also counts in `staff_views`.

    `views` counts every view, `staff_views` the part of them by staff, so readers' views are
    `views - staff_views`. No audit row: a row per page view would drown the audit log. The
    caller has let the policy decide that `viewer` may read the page.
    """
    day = timezone.localdate()
    staff = 1 if is_internal(viewer) else 0
    increment = {"views": F("views") + 1, "staff_views": F("staff_views") + staff}
    rows = PageUsageDay.objects.filter(page_id=page.pk, day=day)
    with transaction.atomic():
        if rows.update(**increment):
            return
        try:
            # A savepoint, so that losing the race for the day's first row leaves the outer
            # transaction usable for the update that follows.
            with transaction.atomic():
                PageUsageDay.objects.create(page_id=page.pk, day=day, views=1, staff_views=staff)
        except IntegrityError:
            rows.update(**increment)


def toggle_favourite(*, actor, page, request=None) -> bool:
    """Mark `page` as a favourite of `actor`, or unmark it; return True when it now is one.

    A page the actor may not see raises the same ItemNotFound as a missing page.
    """
    if actor is None or not actor.is_authenticated or not can_view(actor, page):
        raise ItemNotFound(gettext("No such item."))
    with transaction.atomic(durable=True):
        deleted, _ = Favourite.objects.filter(user=actor, page_id=page.pk).delete()
        if not deleted:
            Favourite.objects.get_or_create(user=actor, page_id=page.pk)
        log_audit_event(
            actor=actor,
            action="page.unfavourite" if deleted else "page.favourite",
            obj=page,
            request=request,
        )
    return not deleted

"""In-app and e-mail notifications about pages, sent only to users the policy lets read the page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kb.models.notifications import Notification, NotificationKind
from kb.workflow.admin_guard import may_open_in_admin
from permissions.policy import is_internal

logger = logging.getLogger(__name__)


def may_be_told_about(user, page) -> bool:
    """Return True when `user` may read `page` as an editor (drafts are what is reviewed)."""
    if user is None or not user.is_active or not is_internal(user):
        return False
    return page is None or may_open_in_admin(user, page)


def notify(*, recipients, kind, page, actor, comment="") -> list[Notification]:
    """Tell each recipient who may read `page` what happened to it, in the admin and by e-mail.

    Runs inside the caller's transaction; the e-mails leave after it commits. The actor is never
    told about their own action.
    """
    kind = NotificationKind(kind)
    seen = set()
    allowed = []
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        if may_be_told_about(user, page):
            allowed.append(user)
    notifications = [
        Notification.objects.create(
            recipient=user, kind=kind, page=page, actor=actor, comment=comment or ""
        )
        for user in allowed
    ]
    ids = [notification.pk for notification in notifications]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return notifications


def _absolute_admin_url(page) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    if page is None:
        return base + reverse("kb_notifications")
    return base + reverse("wagtailadmin_pages:edit", args=[page.pk])


def _message(notification) -> tuple[str, str]:
    page = notification.page
    title = page.specific.get_admin_display_title() if page is not None else ""
    subject = gettext("[Zhiku] %(kind)s: %(title)s") % {
        "kind": notification.get_kind_display(),
        "title": title,
    }
    lines = [
        gettext("%(kind)s: %(title)s") % {"kind": notification.get_kind_display(), "title": title},
    ]
    if notification.actor is not None:
        lines.append(gettext("By: %(actor)s") % {"actor": notification.actor})
    if notification.comment:
        lines.append(gettext("Comment: %(comment)s") % {"comment": notification.comment})
    lines.append(_absolute_admin_url(page))
    return subject, "\n\n".join(lines)


def send_notification_emails(ids) -> None:
    """E-mail the given notifications to recipients who have an address and may still read them."""
    notifications = Notification.objects.filter(pk__in=ids).select_related(
        "recipient", "actor", "page"
    )
    for notification in notifications:
        recipient = notification.recipient
        if not recipient.email or not may_be_told_about(recipient, notification.page):
            continue
        # Zhiku is Chinese first; a per-user language is not stored yet.
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(notification)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        except OSError:
            # The in-app notification is already stored; a mail outage must not undo a review.
            logger.exception("Could not e-mail notification %s", notification.pk)

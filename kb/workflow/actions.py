"""Writes of the review workflow: change notes and the reader's notification inbox."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from kb.workflow.forms import CHANGE_NOTE_MAX_LENGTH
from kb.workflow.selectors import notifications_for_viewer
from permissions.actions import log_audit_event

CHANGE_NOTE_ACTION = "kb.change_note"


def record_change_note(*, actor, page, note: str, request=None):
    """Attach `note` to the revision `actor` just saved of `page`, in its history and audit log.

    Returns the log entry, or None when there is no note or no revision of the actor's to attach
    it to (a save without content changes makes no revision).
    """
    note = (note or "").strip()[:CHANGE_NOTE_MAX_LENGTH]
    if not note:
        return None
    page = page.specific
    revision = page.get_latest_revision()
    if revision is None or revision.user_id != actor.pk:
        return None
    with transaction.atomic(durable=True):
        entry = log(
            instance=page,
            action=CHANGE_NOTE_ACTION,
            user=actor,
            revision=revision,
            data={"note": note, "revision_id": revision.pk},
        )
        log_audit_event(
            actor=actor,
            action="page.change_note",
            obj=page,
            request=request,
            extra={"revision_id": revision.pk},
        )
    return entry


def mark_notifications_read(*, actor, ids=None) -> int:
    """Mark the actor's unread notifications read (all of them, or those with the given ids).

    Returns how many changed. Not audited: it is the reader's own inbox, not the content.
    """
    with transaction.atomic(durable=True):
        unread = notifications_for_viewer(actor).filter(read_at__isnull=True)
        if ids is not None:
            unread = unread.filter(pk__in=list(ids))
        return unread.update(read_at=timezone.now())

"""Writes of versions: record a revision of a plain model, revert to an earlier version."""

from __future__ import annotations

import reversion
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reversion.models import Version
from wagtail.log_actions import log

from permissions.actions import log_audit_event

AUDIT_REVERT = "version.revert"


def record_revision(*, actor, obj, comment: str) -> None:
    """Save a reversion revision of `obj` as it is now (with the rows it follows).

    Runs inside the caller's transaction, so the version commits or rolls back with the change.
    Objects are added explicitly after every save is done: reversion serialises an object when it
    is added, and a signal-driven add would catch a template before its inline rows are saved.
    """
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(obj)
        reversion.set_user(actor if actor is not None and actor.is_authenticated else None)
        reversion.set_comment(comment[:1000])


def revert_comment(version: Version) -> str:
    """Return the comment of a revision that restores `version`."""
    created = timezone.localtime(version.revision.date_created)
    return _("Reverted to version of %(date)s") % {
        "date": formats.date_format(created, "SHORT_DATETIME_FORMAT")
    }


def revert_to_version(*, actor, version: Version, request=None):
    """Restore the object of `version` (and the rows it follows) and record that as a new version.

    Rows followed now but absent from the old version (a field added to a template later) are
    deleted, as reversion's `revert(delete=True)` does. Return the restored object.
    """
    model = version._model
    with transaction.atomic(durable=True):
        with reversion.create_revision(manage_manually=True):
            version.revision.revert(delete=True)
            obj = model._default_manager.get(pk=version.object_id)
            reversion.add_to_revision(obj)
            reversion.set_user(actor)
            reversion.set_comment(revert_comment(version))
        log(instance=obj, action="wagtail.revert", user=actor)
        log_audit_event(
            actor=actor,
            action=AUDIT_REVERT,
            obj=obj,
            request=request,
            extra={"version": version.pk, "revision": version.revision_id},
        )
    return obj

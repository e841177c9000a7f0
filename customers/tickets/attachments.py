"""Files on tickets: stored as documents of the ticket's customer (see
documents.actions.upload_customer_attachment), checked all together before any is stored."""

from __future__ import annotations

from django.utils.translation import gettext as _

from documents.actions import UploadRejected, upload_customer_attachment, validate_upload

MAX_FILES = 10


def store_attachments(*, actor, customer, files, system: bool = False, request=None) -> list:
    """Store uploaded files for `customer` and return their documents.

    Every file is validated first, so one bad file rejects the lot before anything is stored
    (the message names it); the caller then adds nothing.
    """
    files = [f for f in files if f is not None]
    if not files:
        return []
    if len(files) > MAX_FILES:
        raise UploadRejected(
            _("At most %(count)s files can be attached at once.") % {"count": MAX_FILES},
            code="too_many",
        )
    for uploaded in files:
        validate_upload(uploaded, getattr(uploaded, "name", "") or "attachment")
    return [
        upload_customer_attachment(
            actor=actor,
            customer=customer,
            uploaded=uploaded,
            filename=getattr(uploaded, "name", None),
            system=system,
            request=request,
        )
        for uploaded in files
    ]

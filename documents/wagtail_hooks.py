"""Wagtail hooks of the documents app: Wagtail's own document URL obeys the permission policy.

Wagtail serves /documents/<id>/<filename> itself (WAGTAILDOCS_SERVE_METHOD = "serve_view"); its
serve view runs every `before_serve_document` hook in order and stops at the first one that
returns a response (wagtail/documents/views/serve.py), so one hook denies before Wagtail's own
collection-restriction check and another records the download only once every check has passed.
"""

from __future__ import annotations

from django.http import Http404
from wagtail import hooks

from permissions.actions import log_audit_event
from permissions.policy import can_view


@hooks.register("before_serve_document", order=-100)
def deny_documents_outside_the_policy(document, request):
    """Answer 404, as for a missing file, unless the policy lets the user see the document."""
    if not can_view(request.user, document):
        raise Http404


@hooks.register("before_serve_document", order=100)
def record_document_download(document, request):
    """Write the audit row of a download through Wagtail's URL."""
    version = document.versions.order_by("-number").values_list("number", flat=True).first()
    log_audit_event(
        actor=request.user,
        action="document.download",
        obj=document,
        request=request,
        extra={"version": version, "via": "wagtail"},
    )

"""Wagtail hooks of the documents app: Wagtail's own document URL obeys the permission policy.

Wagtail serves /documents/<id>/<filename> itself (WAGTAILDOCS_SERVE_METHOD = "serve_view"); its
serve view runs every `before_serve_document` hook in order and stops at the first one that
returns a response (wagtail/documents/views/serve.py), so one hook denies before Wagtail's own
collection-restriction check and another records the download only once every check has passed.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from permissions.actions import log_audit_event
from permissions.policy import can_upload, can_view


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


class ExtractionMenuItem(MenuItem):
    def is_shown(self, request):
        return can_upload(request.user)


@hooks.register("register_admin_urls")
def register_extraction_admin_urls():
    from documents import admin_views

    return [
        path(
            "documents-extraction/",
            include(
                (
                    [
                        path("", admin_views.extraction_problems, name="extraction"),
                        path("<int:pk>/retry/", admin_views.retry_extraction, name="retry"),
                    ],
                    "documents_admin",
                ),
                namespace="documents_admin",
            ),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_extraction_menu_item():
    return ExtractionMenuItem(
        _("Text extraction"),
        reverse("documents_admin:extraction"),
        icon_name="doc-full",
        order=410,
    )

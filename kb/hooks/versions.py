"""Wagtail hooks of the versions part of the knowledge base (imported by kb.wagtail_hooks).

Products and tags are registered as snippets here; every reversion-registered snippet gets a
"Version history" listing button and, if its viewset does not record versions itself
(kb.versions.snippets), a version after each admin create, edit and delete.
"""

from __future__ import annotations

import reversion
from django.db import transaction
from django.urls import include, path
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from kb.snippets_admin import ProductViewSet, TagViewSet
from kb.versions.actions import record_revision
from kb.versions.selectors import may_see_versions
from kb.versions.snippets import RECORDED_BY_VIEW
from kb.versions.views import history_url

register_snippet(ProductViewSet)
register_snippet(TagViewSet)


@hooks.register("register_admin_urls")
def register_version_urls():
    return [path("versions/", include("kb.versions.urls", namespace="kb_versions"))]


@hooks.register("register_snippet_listing_buttons")
def version_history_listing_button(snippet, user, next_url=None):
    if reversion.is_registered(type(snippet)) and may_see_versions(user, type(snippet)):
        yield Button(
            _("Version history"), url=history_url(snippet), icon_name="history", priority=60
        )


def _versioned_by_hook(request, instances) -> list:
    if getattr(request, RECORDED_BY_VIEW, False):
        return []
    return [obj for obj in instances if reversion.is_registered(type(obj))]


# Fallbacks for reversion-registered snippets whose viewset does not use kb.versions.snippets:
# recorded in a transaction of their own, after Wagtail's has committed.
@hooks.register("after_create_snippet")
def record_created_snippet(request, instance):
    for obj in _versioned_by_hook(request, [instance]):
        with transaction.atomic():
            record_revision(actor=request.user, obj=obj, comment=_("Created"))


@hooks.register("after_edit_snippet")
def record_edited_snippet(request, instance):
    for obj in _versioned_by_hook(request, [instance]):
        with transaction.atomic():
            record_revision(actor=request.user, obj=obj, comment=_("Edited"))


@hooks.register("before_delete_snippet")
def record_snippet_before_delete(request, instances):
    # Before, not after: a deleted row can no longer be serialised. The hook also runs for the
    # confirmation page (GET), which deletes nothing.
    if request.method != "POST":
        return None
    for obj in _versioned_by_hook(request, instances):
        with transaction.atomic():
            record_revision(actor=request.user, obj=obj, comment=_("Deleted"))
    return None

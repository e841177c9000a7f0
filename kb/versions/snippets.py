"""Snippet viewsets whose admin views record reversion versions and count usage through the policy.

Why wrap the views rather than rely on the after_*_snippet hooks alone: the hooks run after the
view's transaction has committed, so a failure between the save and the hook leaves a change with
no version, and after_delete_snippet runs when the row is gone and can no longer be serialised.
The views below record the version inside the save's own transaction (and, for a delete, the last
state just before the row goes, so reversion can restore it). The hooks in kb/hooks/versions.py
cover reversion-registered snippets whose viewset does not use these views.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.ui.side_panels import StatusSidePanel
from wagtail.admin.widgets import Button
from wagtail.models import Page, ReferenceIndex
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    SnippetViewSet,
    UsageView,
)

from kb.versions.actions import record_revision
from kb.versions.selectors import may_see_versions
from kb.versions.views import history_url
from permissions.models import ProtectedContent
from permissions.policy import readable_pages, readable_to

# Set on the request by the views below; the fallback hooks skip requests that carry it.
RECORDED_BY_VIEW = "_kb_versions_recorded_by_view"


def visible_references(user, obj):
    """Return the ReferenceIndex rows pointing at `obj` whose source `user` may read.

    Wagtail's usage listing and counts would otherwise name (or count) confidential pages.
    """
    references = ReferenceIndex.get_references_to(obj)
    hidden = Q()
    for base_type_id in references.values_list("base_content_type", flat=True).distinct():
        base_model = ContentType.objects.get_for_id(base_type_id).model_class()
        if base_model is None:
            continue
        ids = references.filter(base_content_type_id=base_type_id).values_list(
            "object_id", flat=True
        )
        if issubclass(base_model, Page):
            allowed = readable_pages(user, Page.objects.filter(pk__in=list(ids)))
        elif issubclass(base_model, ProtectedContent):
            allowed = readable_to(user, base_model._default_manager.filter(pk__in=list(ids)))
        else:
            continue
        allowed_ids = [str(pk) for pk in allowed.values_list("pk", flat=True)]
        hidden |= Q(base_content_type_id=base_type_id) & ~Q(object_id__in=allowed_ids)
    return references.exclude(hidden) if hidden else references


class _PolicyStatusSidePanel(StatusSidePanel):
    def get_usage_context(self):
        context = super().get_usage_context()
        if self.usage_url is not None:
            context["usage_count"] = (
                visible_references(self.request.user, self.object).group_by_source_object().count()
            )
        return context


class _RecordedByView:
    def dispatch(self, request, *args, **kwargs):
        setattr(request, RECORDED_BY_VIEW, True)
        return super().dispatch(request, *args, **kwargs)


class VersionedCreateView(_RecordedByView, CreateView):
    def save_instance(self):
        instance = super().save_instance()
        record_revision(actor=self.request.user, obj=instance, comment=_("Created"))
        return instance


class VersionedEditView(_RecordedByView, EditView):
    def save_instance(self):
        instance = super().save_instance()
        record_revision(actor=self.request.user, obj=instance, comment=_("Edited"))
        return instance

    def get_side_panels(self):
        panels = super().get_side_panels()
        for panel in panels:
            # Wagtail builds its status panel inline; swapping the class keeps everything it
            # passed and only changes how the usage count is computed.
            if isinstance(panel, StatusSidePanel) and type(panel).get_usage_context is (
                StatusSidePanel.get_usage_context
            ):
                panel.__class__ = type(
                    f"Policy{type(panel).__name__}", (_PolicyStatusSidePanel, type(panel)), {}
                )
        return panels

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if may_see_versions(self.request.user, self.model):
            buttons.append(
                Button(
                    _("Version history"),
                    url=history_url(self.object),
                    icon_name="history",
                    priority=40,
                )
            )
        return buttons


class VersionedDeleteView(_RecordedByView, DeleteView):
    def get_usage(self):
        if not self.usage_url:
            return None
        return visible_references(self.request.user, self.object).group_by_source_object()

    def delete_action(self):
        with transaction.atomic():
            # The last state before the row goes: reversion lists it as deleted and can restore it.
            record_revision(actor=self.request.user, obj=self.object, comment=_("Deleted"))
            super().delete_action()


class PolicyUsageView(UsageView):
    def get_queryset(self):
        return visible_references(self.request.user, self.object).group_by_source_object()


class VersionedSnippetViewSet(SnippetViewSet):
    """A snippet viewset for a reversion-registered model: every admin write makes a version."""

    add_view_class = VersionedCreateView
    edit_view_class = VersionedEditView
    delete_view_class = VersionedDeleteView
    usage_view_class = PolicyUsageView

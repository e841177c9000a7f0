"""Wagtail hooks of the workflow part of the knowledge base (imported by kb.wagtail_hooks)."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter

from kb.workflow.actions import CHANGE_NOTE_ACTION, record_change_note
from kb.workflow.forms import CHANGE_NOTE_FIELD
from kb.workflow.selectors import unread_count_for_viewer
from permissions.policy import is_internal


@hooks.register("register_log_actions")
def register_change_note_log_action(actions):
    @actions.register_action(CHANGE_NOTE_ACTION)
    class ChangeNoteFormatter(LogFormatter):
        label = _("Change note")
        message = _("Change note")

        def format_comment(self, log_entry):
            return (log_entry.data or {}).get("note", "")


def _store_change_note(request, page):
    if request.method == "POST" and request.POST.get(CHANGE_NOTE_FIELD):
        record_change_note(
            actor=request.user,
            page=page,
            note=request.POST[CHANGE_NOTE_FIELD],
            request=request,
        )


@hooks.register("after_create_page")
def store_change_note_after_create(request, page):
    _store_change_note(request, page)


@hooks.register("after_edit_page")
def store_change_note_after_edit(request, page):
    _store_change_note(request, page)


class NotificationsMenuItem(MenuItem):
    """ "My notifications", with the number of unread ones the user may still read."""

    def is_shown(self, request):
        return is_internal(request.user)

    def render_component(self, request):
        component = super().render_component(request)
        count = unread_count_for_viewer(request.user)
        if count:
            # Menu items are shared between requests: label this rendering only.
            component.label = f"{self.label} ({count})"
        return component


@hooks.register("register_admin_urls")
def register_notification_urls():
    from kb.workflow import views

    return [
        path("notifications/", views.notifications, name="kb_notifications"),
        path("notifications/read/", views.mark_read, name="kb_notifications_mark_read"),
    ]


@hooks.register("register_admin_menu_item")
def register_notifications_menu_item():
    return NotificationsMenuItem(
        _("My notifications"), reverse("kb_notifications"), icon_name="mail", order=150
    )

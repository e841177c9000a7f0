"""Wagtail hooks of the trash part of the knowledge base (imported by kb.wagtail_hooks).

Deleting a page in the admin, alone or in bulk, moves it to the recycle bin instead; pages in
the bin cannot be edited, added to, moved or copied until they are restored.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from kb.trash import views
from kb.trash.actions import in_recycle_bin, may_trash_page
from permissions.models import ProtectedContent
from permissions.policy import is_internal


@hooks.register("register_admin_urls")
def register_page_trash_urls():
    return [
        path("page-trash/", views.page_trash_index, name="kb_page_trash"),
        path("page-trash/bulk/", views.trash_pages_in_bulk, name="kb_page_trash_bulk"),
        path("page-trash/<int:page_id>/", views.confirm_trash_page, name="kb_page_trash_confirm"),
        path(
            "page-trash/<int:page_id>/restore/",
            views.restore_trashed_page,
            name="kb_page_trash_restore",
        ),
        path(
            "page-trash/<int:page_id>/purge/",
            views.purge_trashed_page,
            name="kb_page_trash_purge",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_internal(request.user)


@hooks.register("register_admin_menu_item")
def register_page_trash_menu_item():
    return StaffMenuItem(
        gettext_lazy("Page recycle bin"), reverse("kb_page_trash"), icon_name="bin", order=440
    )


def _redirect_preserving_method(request, url):
    """Redirect a GET, or hand a POST on to `url` as a POST (307 keeps method and body)."""
    response = HttpResponseRedirect(url)
    if request.method == "POST":
        response.status_code = 307
    return response


def _bin_instead(request, page):
    """Return the response that sends a page delete to the recycle bin."""
    if in_recycle_bin(page):
        return redirect("kb_page_trash")
    if not isinstance(page.specific, ProtectedContent):
        messages.error(
            request,
            _("Only knowledge pages can be deleted; they go to the recycle bin."),
        )
        parent = page.get_parent()
        return redirect("wagtailadmin_explore", parent.pk if parent else page.pk)
    url = reverse("kb_page_trash_confirm", args=[page.pk])
    next_url = request.GET.get("next")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return _redirect_preserving_method(request, url)


@hooks.register("before_delete_page")
def trash_instead_of_delete(request, page):
    return _bin_instead(request, page)


@hooks.register("before_bulk_action")
def trash_instead_of_bulk_delete(request, action_type, objects, action_class_instance):
    if action_type != "delete" or not isinstance(action_class_instance, PageBulkAction):
        return None
    query = [("id", page.pk) for page in objects]
    if action_class_instance.next_url:
        query.append(("next", action_class_instance.next_url))
    # Wagtail runs this hook inside its own transaction; the trash actions need their own.
    return _redirect_preserving_method(
        request, reverse("kb_page_trash_bulk") + "?" + urlencode(query)
    )


class TrashPagesBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete of pages, worded as what it does: a move to the recycle bin."""

    display_name = gettext_lazy("Move to recycle bin")
    aria_label = gettext_lazy("Move the selected pages to the recycle bin")
    template_name = "kb/admin/page_trash_bulk_confirm.html"

    def check_perm(self, page):
        return may_trash_page(self.request.user, page)

    def post(self, request):
        # No site name to type: nothing is deleted, the bin gives it back.
        return BulkAction.post(self, request)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        # trash_instead_of_bulk_delete answers before this; never delete straight away.
        raise PermissionDenied


# Registered after Wagtail's own (order), so it replaces the pages' "delete" bulk action.
hooks.register("register_bulk_action", TrashPagesBulkAction, order=100)


class TrashPageMenuItem(PageMenuItem):
    label = gettext_lazy("Move to recycle bin")
    icon_name = "bin"
    url_name = "kb_page_trash_confirm"

    def is_shown(self, user):
        # Wagtail shows its own "Delete" (which comes here) to those with its delete permission.
        if self.page.permissions_for_user(user).can_delete():
            return False
        return may_trash_page(user, self.page)


@hooks.register("register_page_listing_more_buttons")
def page_trash_listing_button(page, user, next_url=None):
    yield TrashPageMenuItem(page=page, next_url=next_url, priority=30)


@hooks.register("register_page_header_buttons")
def page_trash_header_button(page, user, view_name, next_url=None):
    yield TrashPageMenuItem(page=page, next_url=next_url, priority=50)


def _restore_first(request):
    messages.error(request, _("This page is in the recycle bin: restore it first."))
    return redirect("kb_page_trash")


@hooks.register("before_edit_page")
def no_editing_in_the_bin(request, page):
    if in_recycle_bin(page):
        return _restore_first(request)
    return None


@hooks.register("before_create_page")
def no_new_pages_in_the_bin(request, parent_page, page_class):
    if in_recycle_bin(parent_page):
        return _restore_first(request)
    return None


@hooks.register("before_move_page")
def no_moves_into_or_out_of_the_bin(request, page, destination):
    if in_recycle_bin(page) or in_recycle_bin(destination):
        return _restore_first(request)
    return None


@hooks.register("before_copy_page")
def no_copies_of_the_bin(request, page):
    if in_recycle_bin(page):
        return _restore_first(request)
    return None

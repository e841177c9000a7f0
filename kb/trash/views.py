"""Admin views of the page recycle bin: the list, the confirm page, restore and purge."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page

from kb.models import TrashedPage
from kb.trash.actions import (
    can_trash_page,
    list_trashed_pages_for_viewer,
    may_trash_page,
    purge_page,
    restore_page,
    trash_page,
)
from permissions.models import ProtectedContent
from permissions.policy import can_edit_in_trash, can_read, is_internal, may_purge


def page_trash_index(request):
    """List the trashed pages the user may restore, with restore and purge buttons."""
    if not is_internal(request.user):
        raise PermissionDenied
    entries = list_trashed_pages_for_viewer(request.user)
    return TemplateResponse(
        request,
        "kb/admin/page_trash.html",
        {
            "page_title": _("Page recycle bin"),
            "entries": entries,
            "can_purge": may_purge(request.user),
            "trash_days": settings.KB_TRASH_DAYS,
        },
    )


def _readable_page_or_404(user, page_id):
    """Return the page if `user` may read it; otherwise 404, whether it exists or not."""
    page = Page.objects.filter(pk=page_id).first()
    page = page.specific if page is not None else None
    if page is None or not isinstance(page, ProtectedContent) or not can_read(user, page):
        raise Http404
    return page


def _explorer_url(page) -> str:
    parent = page.get_parent()
    if parent is None:
        return reverse("wagtailadmin_explore_root")
    return reverse("wagtailadmin_explore", args=[parent.pk])


def confirm_trash_page(request, page_id):
    """Ask before moving a page and its subtree to the recycle bin; move it on POST."""
    page = _readable_page_or_404(request.user, page_id)
    if not may_trash_page(request.user, page):
        raise PermissionDenied
    next_url = get_valid_next_url_from_request(request)
    # A next URL pointing at the page itself would lead to a page in the bin.
    if next_url and str(page.pk) in next_url.split("/"):
        next_url = ""
    back_url = next_url or _explorer_url(page)
    if not can_trash_page(request.user, page):
        messages.error(
            request,
            _("“%(title)s” has pages under it that you may not delete.") % {"title": page.title},
        )
        return redirect(back_url)
    if request.method == "POST":
        trash_page(actor=request.user, page=page, request=request)
        messages.success(
            request,
            _("“%(title)s” moved to the recycle bin.") % {"title": page.title},
            buttons=[messages.button(reverse("kb_page_trash"), _("Open the recycle bin"))],
        )
        return redirect(back_url)
    return TemplateResponse(
        request,
        "kb/admin/confirm_trash_page.html",
        {
            "page_title": _("Move to the recycle bin"),
            "page": page,
            "descendant_count": page.get_descendant_count(),
            "trash_days": settings.KB_TRASH_DAYS,
            "next": next_url,
            "back_url": back_url,
        },
    )


@require_POST
def trash_pages_in_bulk(request):
    """Move the selected pages to the recycle bin (after Wagtail's bulk confirm page)."""
    if not is_internal(request.user):
        raise PermissionDenied
    ids = [value for value in request.GET.getlist("id") if value.isdigit()]
    moved = skipped = 0
    for pk in Page.objects.filter(pk__in=ids).order_by("path").values_list("pk", flat=True):
        page = Page.objects.get(pk=pk)  # loaded one at a time: an ancestor's move changes paths
        if can_trash_page(request.user, page):
            trash_page(actor=request.user, page=page, request=request)
            moved += 1
        elif not _trashed_with_an_ancestor(page):
            skipped += 1
    if moved:
        messages.success(
            request,
            ngettext(
                "%(count)d page moved to the recycle bin.",
                "%(count)d pages moved to the recycle bin.",
                moved,
            )
            % {"count": moved},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d page was not moved: you may not delete it or pages under it.",
                "%(count)d pages were not moved: you may not delete them or pages under them.",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect(
        get_valid_next_url_from_request(request) or reverse("wagtailadmin_explore_root")
    )


def _trashed_with_an_ancestor(page) -> bool:
    return TrashedPage.objects.filter(page__in=Page.objects.ancestor_of(page)).exists()


def _entry_or_404(user, page_id) -> TrashedPage:
    entry = TrashedPage.objects.select_related("page").filter(page_id=page_id).first()
    if entry is None or not can_edit_in_trash(user, entry.page.specific):
        raise Http404
    return entry


@require_POST
def restore_trashed_page(request, page_id):
    """Bring a trashed page back where it was."""
    entry = _entry_or_404(request.user, page_id)
    title = entry.page.title
    result = restore_page(actor=request.user, page=entry.page, request=request)
    explore = [messages.button(reverse("wagtailadmin_explore", args=[result.parent.pk]), _("Show"))]
    if result.moved_home:
        messages.warning(
            request,
            _(
                "“%(title)s” is back under the knowledge home: its original place is gone. "
                "Move it into a category."
            )
            % {"title": title},
            buttons=explore,
        )
    elif entry.live_page_ids and not result.republished:
        messages.success(
            request,
            _("“%(title)s” is back as a draft; a knowledge manager publishes it again.")
            % {"title": title},
            buttons=explore,
        )
    else:
        messages.success(
            request, _("“%(title)s” is back where it was.") % {"title": title}, buttons=explore
        )
    return redirect("kb_page_trash")


@require_POST
def purge_trashed_page(request, page_id):
    """Delete a trashed page and the pages under it for good."""
    entry = _entry_or_404(request.user, page_id)
    if not may_purge(request.user):
        raise PermissionDenied
    title = entry.page.title
    purge_page(actor=request.user, page=entry.page, request=request)
    messages.success(request, _("“%(title)s” deleted for good.") % {"title": title})
    return redirect("kb_page_trash")

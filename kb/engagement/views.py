"""Views of favourites: the toggle on a knowledge page and the user's own list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from kb.engagement.actions import toggle_favourite
from kb.engagement.selectors import favourites_for_viewer
from kb.http import wants_json
from permissions.access import access_page_by_id


@require_POST
def favourite_toggle(request, page_id):
    """Add a page to the user's favourites or take it out: back to `next` or the page, or JSON."""
    as_json = wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse({"ok": False, "error": gettext("Please log in.")}, status=401)
        return redirect_to_login(request.META.get("HTTP_REFERER") or "/")
    try:
        page = access_page_by_id(request.user, page_id)
        favourite = toggle_favourite(actor=request.user, page=page, request=request)
    except Http404:
        if as_json:
            return JsonResponse({"ok": False, "error": gettext("No such page.")}, status=404)
        raise
    if as_json:
        message = (
            gettext("Added to your favourites.")
            if favourite
            else gettext("Removed from your favourites.")
        )
        return JsonResponse({"ok": True, "favourite": favourite, "message": message})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(page.get_url(request) + "#page-favourite")


@require_GET
@login_required
def favourite_list(request):
    """List the user's favourites that they may still see, newest first."""
    return render(
        request, "kb/favourites.html", {"favourites": favourites_for_viewer(request.user)}
    )

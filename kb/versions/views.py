"""Admin views of the versions of any reversion-registered model: history, compare, revert."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.admin_url_finder import AdminURLFinder

from kb.versions.actions import revert_to_version
from kb.versions.selectors import (
    compare_versions,
    get_current_object,
    get_version,
    get_versioned_model,
    list_versions,
    may_revert,
    may_see_versions,
)

VERSIONS_PER_PAGE = 50


def history_url(obj) -> str:
    """Return the URL of the version history of `obj`."""
    opts = obj._meta
    return reverse("kb_versions:history", args=(opts.app_label, opts.model_name, obj.pk))


def _load(request, app_label, model_name, pk, *, change=False):
    model = get_versioned_model(app_label, model_name)
    allowed = may_revert if change else may_see_versions
    if not allowed(request.user, model):
        raise PermissionDenied
    obj = get_current_object(request.user, model, pk)
    return model, obj


def _context(request, model, obj, pk, latest):
    label = str(obj) if obj is not None else (latest.object_repr if latest else str(pk))
    opts = model._meta
    return {
        "model_opts": opts,
        "model_label": capfirst(opts.verbose_name),
        "object": obj,
        "object_label": label,
        "object_pk": pk,
        "deleted": obj is None,
        "edit_url": AdminURLFinder(request.user).get_edit_url(obj) if obj is not None else None,
        "history_url": reverse("kb_versions:history", args=(opts.app_label, opts.model_name, pk)),
        "can_revert": may_revert(request.user, model),
    }


def history(request, app_label, model_name, pk):
    """List the versions of one object, newest first: who, when, with what comment."""
    model, obj = _load(request, app_label, model_name, pk)
    versions = list_versions(model, pk)
    latest = versions.first()
    if obj is None and latest is None:
        raise Http404
    context = _context(request, model, obj, pk, latest)
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("p"))
    context.update(
        {
            "page_title": _("Version history"),
            "page": page,
            "latest_id": latest.pk if latest else None,
            "count": page.paginator.count,
        }
    )
    return TemplateResponse(request, "kb/versions/history.html", context)


def compare(request, app_label, model_name, pk):
    """Show two versions side by side (?a=…&b=…): every field, and the rows each one follows."""
    model, obj = _load(request, app_label, model_name, pk)
    context = _context(request, model, obj, pk, list_versions(model, pk).first())
    try:
        first = get_version(model, pk, int(request.GET.get("a", "")))
        second = get_version(model, pk, int(request.GET.get("b", "")))
    except ValueError:
        messages.error(request, _("Choose two versions to compare."))
        return redirect(context["history_url"])
    comparison = compare_versions(request.user, first, second)
    context.update({"page_title": _("Compare versions"), "comparison": comparison})
    return TemplateResponse(request, "kb/versions/compare.html", context)


def revert(request, app_label, model_name, pk, version_id):
    """Confirm, then restore one version; the restored state is recorded as a new version."""
    model, obj = _load(request, app_label, model_name, pk, change=True)
    version = get_version(model, pk, version_id)
    latest = list_versions(model, pk).first()
    context = _context(request, model, obj, pk, latest)
    if request.method == "POST":
        restored = revert_to_version(actor=request.user, version=version, request=request)
        messages.success(
            request,
            _("“%(object)s” was reverted to the version of %(date)s.")
            % {"object": restored, "date": _date(version)},
        )
        return redirect(context["history_url"])
    # A deleted object has no current state to compare with (the page does not show one).
    showable = latest is not None and obj is not None
    context.update(
        {
            "page_title": _("Revert"),
            "version": version,
            "version_date": _date(version),
            "comparison": compare_versions(request.user, version, latest) if showable else None,
        }
    )
    return TemplateResponse(request, "kb/versions/revert.html", context)


def _date(version) -> str:
    return formats.date_format(
        timezone.localtime(version.revision.date_created), "SHORT_DATETIME_FORMAT"
    )

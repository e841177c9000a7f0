"""FAQ import pages: upload a spreadsheet, preview every row with its status, import the valid ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kb.faq_import.actions import import_faqs, preview_faq_import
from kb.faq_import.forms import FaqImportForm
from kb.faq_import.parsing import FaqFileError
from kb.faq_import.stash import (
    StashNotFound,
    discard_stash,
    load_stash,
    stash_upload,
    update_stash_options,
)
from kb.faq_import.validation import ERROR, STATUS_LABELS, ImportOptions
from permissions.access import ItemNotFound
from permissions.policy import can_manage_knowledge


def _require_importer(request) -> None:
    if not can_manage_knowledge(request.user):
        raise PermissionDenied


def _expired(request):
    messages.error(
        request, _("This preview has expired or was already imported; upload the file again.")
    )
    return redirect("faq_import:start")


@login_required
@require_http_methods(["GET", "POST"])
def faq_import_start(request):
    """Show the upload form; on POST read the file, keep it, and show its preview."""
    _require_importer(request)
    form = FaqImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        data = uploaded.read()
        options = form.options()
        try:
            # Read once here so an unreadable file is reported on the form, not on a new page.
            preview_faq_import(
                actor=request.user, data=data, filename=uploaded.name, options=options
            )
        except FaqFileError as err:
            form.add_error("file", str(err))
        except ItemNotFound:
            form.add_error("category", _("This category no longer exists."))
        else:
            token = stash_upload(
                request.user, data, filename=uploaded.name, options=options.as_dict()
            )
            return redirect("faq_import:preview", token=token)
    return render(request, "kb/faq_import/start.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def faq_import_preview(request, token):
    """Show what importing the stashed file would do; import it on POST."""
    _require_importer(request)
    try:
        stash = load_stash(request.user, token)
    except StashNotFound:
        return _expired(request)
    options = ImportOptions.from_dict(stash.options)
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "create_categories":
            options.create_categories = True
            update_stash_options(request.user, token, options.as_dict())
            return redirect("faq_import:preview", token=token)
        if action == "import":
            result = import_faqs(
                actor=request.user,
                data=stash.data,
                filename=stash.filename,
                options=options,
                request=request,
            )
            discard_stash(request.user, token)
            return render(
                request,
                "kb/faq_import/result.html",
                {"result": result, "filename": stash.filename, "counts": result.counts},
            )
        check = preview_faq_import(
            actor=request.user, data=stash.data, filename=stash.filename, options=options
        )
    except (FaqFileError, ItemNotFound, StashNotFound):
        discard_stash(request.user, token)
        return _expired(request)
    only_errors = request.GET.get("show") == "errors"
    rows = [row for row in check.rows if row.status == ERROR] if only_errors else check.rows
    missing_categories = any(
        row.category is None and row.category_path and row.status == ERROR for row in check.rows
    )
    return render(
        request,
        "kb/faq_import/preview.html",
        {
            "check": check,
            "rows": rows,
            "counts": check.counts,
            "only_errors": only_errors,
            "filename": stash.filename,
            "token": token,
            "offer_create_categories": missing_categories and not options.create_categories,
            "status_labels": STATUS_LABELS,
        },
    )

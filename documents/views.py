"""Staff document pages on the site: library, upload, detail, versions, recycle bin, downloads.

Reads go through documents.access and permissions.policy, writes through documents.actions; a
view never decides who may do what, it only turns the answers into pages, 403s and 404s.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from functools import reduce
from operator import or_
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from documents import actions
from documents.access import (
    access_document_by_id,
    access_document_version,
    access_trashed_document_by_id,
    visible_category_ids_for_viewer,
)
from documents.extraction.messages import describe_error
from documents.forms import (
    FILE_TYPES,
    DocumentFilterForm,
    DocumentPasswordForm,
    DocumentUploadForm,
    DocumentVersionForm,
)
from documents.models import ExtractionStatus, KnowledgeDocument
from permissions.actions import log_audit_event
from permissions.policy import can_edit, can_upload, may_purge, visible_to

logger = logging.getLogger(__name__)

DOCUMENTS_PER_PAGE = 25
PREVIEW_CHARS = 20_000

# Served inline only when the sniffed content type is one of these. Everything else (HTML, SVG,
# XML, office files) is an attachment, so an uploaded file can never run script in our origin.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
INLINE_TYPES = INLINE_IMAGE_TYPES | {"application/pdf"}
# Chrome's PDF viewer breaks under `default-src 'none'` (https://crbug.com/271452), so PDFs get no
# CSP; images and attachments get one that forbids everything active.
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
ATTACHMENT_CSP = "default-src 'none'; sandbox"


# ---------------------------------------------------------------------------------------------
# Library


def _file_type_q(key: str) -> Q:
    if key == "other":
        known = [ext for _label, extensions in FILE_TYPES.values() for ext in extensions]
        return ~reduce(or_, (Q(file__iendswith=f".{ext}") for ext in known))
    return reduce(or_, (Q(file__iendswith=f".{ext}") for ext in FILE_TYPES[key][1]))


def _file_ext(document) -> str:
    return Path(document.file.name or "").suffix.lstrip(".").upper()


def _show_visible_categories(user, documents) -> None:
    """Set `shown_category`: the category, unless `user` may not see it (its title stays hidden)."""
    visible = visible_category_ids_for_viewer(user, [d.category_id for d in documents])
    for document in documents:
        document.shown_category = document.category if document.category_id in visible else None


@login_required
def document_list(request):
    """List the documents the policy lets the user see, filtered and paginated."""
    form = DocumentFilterForm(request.GET or None, user=request.user)
    documents = visible_to(request.user, KnowledgeDocument.objects.all())
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            documents = documents.filter(title__icontains=data["q"].strip())
        if data["category"] is not None:
            documents = documents.filter(category=data["category"])
        if data["status"]:
            documents = documents.filter(extraction_status=data["status"])
        if data["type"]:
            documents = documents.filter(_file_type_q(data["type"]))
    documents = (
        documents.select_related("uploaded_by_user", "category")
        .annotate(version_number=Max("versions__number"), updated_at=Max("versions__uploaded_at"))
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    _show_visible_categories(request.user, page.object_list)
    for document in page.object_list:
        document.file_ext = _file_ext(document)
    return render(
        request,
        "documents/document_list.html",
        {
            "form": form,
            "page_obj": page,
            "documents": page.object_list,
            "can_upload": can_upload(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Upload, with duplicates kept aside so "store anyway" needs no second upload

STASH_MAX_AGE_SECONDS = 24 * 3600
_STASH_SESSION_KEY = "documents_upload_stash"


def _stash_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "upload-stash"


def _stash_dir(user, token: str) -> Path:
    return _stash_root() / str(user.pk) / token


def _prune_stash() -> None:
    """Delete duplicates nobody chose to store within a day."""
    root = _stash_root()
    if not root.is_dir():
        return
    cutoff = time.time() - STASH_MAX_AGE_SECONDS
    for folder in root.glob("*/*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _stash_upload(request, uploaded, options: dict) -> str:
    _prune_stash()
    token = secrets.token_urlsafe(16)
    folder = _stash_dir(request.user, token)
    folder.mkdir(parents=True, exist_ok=True)
    uploaded.seek(0)
    with (folder / "file").open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    # Forget tokens whose files were pruned, so the session does not grow without end.
    stash = {
        key: entry
        for key, entry in request.session.get(_STASH_SESSION_KEY, {}).items()
        if _stash_dir(request.user, key).is_dir()
    }
    stash[token] = {**options, "name": uploaded.name}
    request.session[_STASH_SESSION_KEY] = stash
    return token


def _take_stash(request, token: str) -> tuple[Path, dict] | None:
    # Only tokens this session was given lead to a path, so a token cannot name another folder.
    entry = request.session.get(_STASH_SESSION_KEY, {}).get(token)
    if entry is None:
        return None
    path = _stash_dir(request.user, token) / "file"
    return (path, entry) if path.is_file() else None


def _drop_stash(request, token: str) -> None:
    stash = request.session.get(_STASH_SESSION_KEY, {})
    if stash.pop(token, None) is not None:
        request.session[_STASH_SESSION_KEY] = stash
    shutil.rmtree(_stash_dir(request.user, token), ignore_errors=True)


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request):
    """Upload one or several files; report for each whether it was stored, a duplicate or refused."""
    if not can_upload(request.user):
        raise PermissionDenied
    results = []
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            results = _store_uploads(request, form.cleaned_data)
            form = DocumentUploadForm(user=request.user)
    else:
        form = DocumentUploadForm(user=request.user)
    return render(
        request,
        "documents/document_upload.html",
        {
            "form": form,
            "results": results,
            "max_upload_mb": settings.KB_MAX_UPLOAD_MB,
            "accepted_extensions": sorted(actions.accepted_extensions()),
        },
    )


def _store_uploads(request, data) -> list[dict]:
    files = data["files"]
    options = {
        "title": data["title"] if len(files) == 1 else "",
        "description": data["description"],
        "category": data["category"].pk if data["category"] else None,
        "confidentiality": data["confidentiality"],
        "owning_departments": [d.pk for d in data["owning_departments"]],
    }
    results = []
    for uploaded in files:
        result = {"name": uploaded.name}
        try:
            result["document"] = _upload(request, uploaded, options)
            result["status"] = "stored"
        except actions.DuplicateDocument as duplicate:
            result.update(
                status="duplicate",
                existing=duplicate.existing,
                token=_stash_upload(request, uploaded, options),
            )
        except actions.UploadRejected as rejected:
            result.update(status="rejected", reasons=rejected.messages)
        results.append(result)
    stored = sum(1 for r in results if r["status"] == "stored")
    if stored:
        messages.success(
            request,
            ngettext(
                "%(count)s file stored; its text is being extracted.",
                "%(count)s files stored; their text is being extracted.",
                stored,
            )
            % {"count": stored},
        )
    if stored < len(results):
        messages.warning(request, _("Some files were not stored; see the list below."))
    return results


def _upload(request, uploaded, options: dict, *, filename=None, allow_duplicate=False):
    from kb.models import CategoryPage

    category = None
    if options.get("category"):
        # Checked again at store time: the category may have been hidden since the form was shown.
        category = visible_to(request.user, CategoryPage.objects.filter(pk=options["category"]))
        category = category.first()
    return actions.upload_document(
        actor=request.user,
        uploaded=uploaded,
        filename=filename,
        title=options.get("title", ""),
        description=options.get("description", ""),
        category=category,
        confidentiality=options["confidentiality"],
        owning_departments=options.get("owning_departments", []),
        allow_duplicate=allow_duplicate,
        request=request,
    )


@login_required
@require_POST
def store_duplicate(request):
    """Store a file kept aside as a duplicate, because the uploader chose to store it anyway."""
    if not can_upload(request.user):
        raise PermissionDenied
    token = request.POST.get("token", "")
    taken = _take_stash(request, token)
    if taken is None:
        messages.error(request, _("That file is no longer waiting; upload it again."))
        return redirect("documents:upload")
    path, entry = taken
    try:
        with path.open("rb") as handle:
            document = _upload(
                request, File(handle), entry, filename=entry["name"], allow_duplicate=True
            )
    except actions.UploadRejected as rejected:
        _drop_stash(request, token)
        for reason in rejected.messages:
            messages.error(request, reason)
        return redirect("documents:upload")
    _drop_stash(request, token)
    messages.success(request, _("“%(name)s” stored as a new document.") % {"name": entry["name"]})
    return redirect("documents:detail", pk=document.pk)


# ---------------------------------------------------------------------------------------------
# Detail and its forms


def _preview_kind(version) -> str:
    if version is None:
        return "none"
    if version.mime_type == "application/pdf":
        return "pdf"
    if version.mime_type in INLINE_IMAGE_TYPES:
        return "image"
    return "text"


def _parse_created(value):
    """Return the creation time from extraction metadata as a datetime when it parses as one."""
    if not value:
        return ""
    try:
        return parse_datetime(str(value)) or str(value)
    except ValueError:
        return str(value)


def _render_detail(request, document, *, version_form=None, password_form=None, status=200):
    user = request.user
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    current = versions[0] if versions else None
    editable = can_edit(user, document)
    metadata = document.metadata or {}
    document.file_ext = _file_ext(document)
    _show_visible_categories(user, [document])
    context = {
        "document": document,
        "versions": versions,
        "current": current,
        "can_edit": editable,
        "can_retry": editable
        and document.extraction_status in (ExtractionStatus.FAILED, ExtractionStatus.SKIPPED),
        "can_supply_password": document.extraction_status == ExtractionStatus.ENCRYPTED
        and actions.can_supply_password(user, document),
        "error_message": describe_error(metadata.get("error_code", "")),
        "meta_author": document.author or metadata.get("author", ""),
        "meta_pages": metadata.get("page_count"),
        "meta_created": _parse_created(metadata.get("created")),
        "preview": _preview_kind(current),
        "preview_text": document.extracted_text[:PREVIEW_CHARS],
        "preview_truncated": len(document.extracted_text) > PREVIEW_CHARS,
        "version_form": version_form or (DocumentVersionForm() if editable else None),
        "password_form": password_form or DocumentPasswordForm(),
        "max_upload_mb": settings.KB_MAX_UPLOAD_MB,
    }
    return render(request, "documents/document_detail.html", context, status=status)


@login_required
def document_detail(request, pk):
    """Show a document: facts, extraction status, preview, versions and what the user may do."""
    document = access_document_by_id(request.user, pk)
    return _render_detail(request, document)


@login_required
@require_POST
def add_version(request, pk):
    """Upload a new file for a document; it becomes the current version."""
    document = access_document_by_id(request.user, pk)
    if not can_edit(request.user, document):
        raise PermissionDenied
    form = DocumentVersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = actions.add_document_version(
                actor=request.user,
                document=document,
                uploaded=form.cleaned_data["file"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except actions.UploadRejected as rejected:
            form.add_error("file", rejected)
        else:
            messages.success(
                request,
                _("Version %(number)s uploaded; its text is being extracted.")
                % {"number": version.number},
            )
            return redirect("documents:detail", pk=document.pk)
    return _render_detail(request, document, version_form=form, status=400)


@login_required
@require_POST
def restore_version(request, pk, number):
    """Make an older version current again (as a new version)."""
    version = access_document_version(request.user, pk, number)
    document = version.document
    restored = actions.restore_document_version(
        actor=request.user, document=document, version=version, request=request
    )
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s.")
        % {"old": version.number, "new": restored.number},
    )
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def retry_extraction(request, pk):
    """Queue the text extraction of a document again."""
    document = access_document_by_id(request.user, pk)
    actions.request_extraction(actor=request.user, document=document, request=request)
    messages.success(request, _("Text extraction queued again."))
    return redirect("documents:detail", pk=document.pk)


@sensitive_variables("password")
@sensitive_post_parameters("password")
@login_required
@require_POST
def extract_with_password(request, pk):
    """Extract an encrypted document once with the password its uploader types; keep nothing."""
    document = access_document_by_id(request.user, pk)
    if document.extraction_status != ExtractionStatus.ENCRYPTED:
        messages.error(request, _("This document is not waiting for a password."))
        return redirect("documents:detail", pk=document.pk)
    form = DocumentPasswordForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, document, password_form=form, status=400)
    password = form.cleaned_data["password"]
    document = actions.extract_with_password(
        actor=request.user, document=document, password=password, request=request
    )
    del password
    if document.extraction_status == ExtractionStatus.EXTRACTED:
        messages.success(request, _("The document was decrypted and its text extracted."))
    else:
        code = (document.metadata or {}).get("error_code", "")
        messages.error(request, describe_error(code) or _("Extraction failed."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def trash(request, pk):
    """Move a document to the recycle bin."""
    document = access_document_by_id(request.user, pk)
    actions.trash_document(actor=request.user, document=document, request=request)
    messages.success(
        request,
        _("“%(title)s” moved to the recycle bin. It can be restored for %(days)s days.")
        % {"title": document.title, "days": settings.KB_TRASH_DAYS},
    )
    return redirect("documents:list")


# ---------------------------------------------------------------------------------------------
# Recycle bin


@login_required
def trash_list(request):
    """List the documents in the recycle bin the user may restore."""
    if not can_upload(request.user):
        raise PermissionDenied
    documents = actions.list_trash_for_viewer(request.user)
    return render(
        request,
        "documents/trash.html",
        {
            "documents": documents,
            "trash_days": settings.KB_TRASH_DAYS,
            "can_purge": may_purge(request.user),
        },
    )


@login_required
@require_POST
def restore_from_trash(request, pk):
    """Bring a document back from the recycle bin."""
    document = access_trashed_document_by_id(request.user, pk)
    actions.restore_document(actor=request.user, document=document, request=request)
    messages.success(request, _("“%(title)s” restored.") % {"title": document.title})
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def purge(request, pk):
    """Delete a document in the recycle bin for good (knowledge managers and administrators)."""
    document = access_trashed_document_by_id(request.user, pk)
    title = document.title
    actions.purge_document(actor=request.user, document=document, request=request)
    messages.success(request, _("“%(title)s” deleted for good.") % {"title": title})
    return redirect("documents:trash")


# ---------------------------------------------------------------------------------------------
# Downloads


def _serve_version(request, document, version):
    inline = request.GET.get("inline") == "1" and version.mime_type in INLINE_TYPES
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("File of %s version %s is missing", document.pk, version.number)
        raise Http404 from None
    log_audit_event(
        actor=request.user,
        action="document.download",
        obj=document,
        request=request,
        extra={"version": version.number, "inline": inline},
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=version.original_filename,
        # An attachment's type is never trusted to a browser: it only needs to save the bytes.
        content_type=version.mime_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline and version.mime_type == "application/pdf":
        response["X-Frame-Options"] = "SAMEORIGIN"  # the detail page embeds it
    elif inline:
        response["Content-Security-Policy"] = IMAGE_CSP
    else:
        response["Content-Security-Policy"] = ATTACHMENT_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request, pk):
    """Send the current file of a document the user may see (inline for PDF and images)."""
    document = access_document_by_id(request.user, pk)
    version = document.current_version
    if version is None:
        raise Http404
    return _serve_version(request, document, version)


@login_required
def download_version(request, pk, number):
    """Send one version's file of a document the user may see."""
    version = access_document_version(request.user, pk, number)
    return _serve_version(request, version.document, version)

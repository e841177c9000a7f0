"""Bulk import pages: upload a zip archive, watch its progress, read the per-file results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from documents.access import visible_category_ids_for_viewer
from documents.import_models import ImportItemStatus, ImportJob
from documents.importing.access import access_import_job_by_id
from documents.importing.actions import start_zip_import
from documents.importing.forms import ZipImportForm
from documents.models import KnowledgeDocument
from permissions.policy import can_upload, visible_to

ITEMS_PER_PAGE = 200
RECENT_JOBS = 10


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    """Show the zip import form and the user's recent imports; start an import on POST."""
    if not can_upload(request.user):
        raise PermissionDenied
    form = ZipImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = start_zip_import(
            actor=request.user,
            uploaded=form.cleaned_data["archive"],
            category=form.cleaned_data["category"],
            confidentiality=form.cleaned_data["confidentiality"],
            owning_departments=list(form.cleaned_data["owning_departments"]),
            request=request,
        )
        return redirect("document_import:job", pk=job.pk)
    jobs = list(
        ImportJob.objects.filter(created_by=request.user).select_related("category")[:RECENT_JOBS]
    )
    visible = visible_category_ids_for_viewer(request.user, [job.category_id for job in jobs])
    for job in jobs:
        if job.category_id not in visible:
            job.category = None  # for display only: a category hidden since stays unnamed
    return render(request, "documents/import/start.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def import_job(request, pk):
    """Show a job's progress and, as files are done, what became of each."""
    job = access_import_job_by_id(request.user, pk)
    items = job.items.exclude(status=ImportItemStatus.PENDING).select_related("document")
    status = request.GET.get("status", "")
    if status in ImportItemStatus.values and status:
        items = items.filter(status=status)
    else:
        status = ""
    page = Paginator(items.order_by("relative_path"), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    _hide_invisible_documents(request.user, page.object_list)
    statuses = [(value, label) for value, label in ImportItemStatus.choices if value]
    category_visible = job.category_id in visible_category_ids_for_viewer(
        request.user, [job.category_id]
    )
    return render(
        request,
        "documents/import/job.html",
        {
            "job": job,
            "category": job.category if category_visible else None,
            "page_obj": page,
            "status": status,
            "statuses": statuses,
        },
    )


def _hide_invisible_documents(user, items) -> None:
    """Unlink items from documents `user` may no longer see (moved, restricted, in the bin).

    A duplicate's stored reason names the document it matched, so it is hidden with the link.
    """
    ids = [item.document_id for item in items if item.document_id is not None]
    documents = KnowledgeDocument.objects.filter(pk__in=ids)
    visible = set(visible_to(user, documents).values_list("pk", flat=True)) if ids else set()
    for item in items:
        if item.document_id not in visible:
            item.document = None
            if item.status == ImportItemStatus.DUPLICATE:
                item.reason = ""


@never_cache
@login_required
@require_GET
def import_job_progress(request, pk):
    """Return a job's counters as JSON, for the progress bar."""
    job = access_import_job_by_id(request.user, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "finished": job.finished,
            "percent": job.percent,
            "total": job.total,
            "processed": job.processed,
            "imported": job.imported,
            "duplicates": job.duplicates,
            "rejected": job.rejected,
            "errors": job.errors,
            "error": job.error,
        }
    )

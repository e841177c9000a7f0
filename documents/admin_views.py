"""A Wagtail admin page listing documents whose text could not be extracted, with a retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import actions
from documents.access import access_document_by_id
from documents.extraction.messages import describe_error
from documents.models import ExtractionStatus, KnowledgeDocument
from permissions.policy import can_edit, can_upload, visible_to

PROBLEM_STATUSES = [
    ExtractionStatus.FAILED,
    ExtractionStatus.SKIPPED,
    ExtractionStatus.ENCRYPTED,
    ExtractionStatus.PENDING,
]


def extraction_problems(request):
    """List visible documents that are failed, skipped, encrypted or still pending."""
    if not can_upload(request.user):
        raise PermissionDenied
    status = request.GET.get("status") or ExtractionStatus.FAILED
    if status not in PROBLEM_STATUSES:
        status = ExtractionStatus.FAILED
    documents = (
        visible_to(request.user, KnowledgeDocument.objects.filter(extraction_status=status))
        # can_edit below judges each row of the page: load what the policy reads with the page.
        .select_related("collection")
        .prefetch_related(*actions.POLICY_PREFETCH)
        .order_by("-created_at")
    )
    page = Paginator(documents, 50).get_page(request.GET.get("p"))
    rows = [
        {
            "document": document,
            "reason": describe_error((document.metadata or {}).get("error_code", "")),
            "can_retry": can_edit(request.user, document),
        }
        for document in page
    ]
    counts = dict(
        visible_to(
            request.user, KnowledgeDocument.objects.filter(extraction_status__in=PROBLEM_STATUSES)
        )
        .order_by()
        .values_list("extraction_status")
        .annotate(n=Count("pk"))
    )
    return TemplateResponse(
        request,
        "documents/admin/extraction_problems.html",
        {
            "page_title": _("Text extraction"),
            "rows": rows,
            "page": page,
            "status": status,
            "tabs": [(s, ExtractionStatus(s).label, counts.get(s, 0)) for s in PROBLEM_STATUSES],
        },
    )


@require_POST
def retry_extraction(request, pk):
    """Queue the extraction of one document again."""
    document = access_document_by_id(request.user, pk)
    actions.request_extraction(actor=request.user, document=document, request=request)
    messages.success(request, _("Text extraction queued again."))
    next_url = request.POST.get("next", "")
    # Only back to a page of this site: `next` comes from the browser.
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "documents_admin:extraction"
    return redirect(next_url)

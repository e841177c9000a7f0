from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kb.ops import status
from kb.ops.tasks import FAILURE_RETENTION_DAYS


@never_cache
@login_required
def system_status(request):
    """Show whether the worker and scheduler are alive, queue lengths and failed tasks."""
    if not status.can_view_system_status(request.user):
        raise PermissionDenied
    now = timezone.now()
    return TemplateResponse(
        request,
        "ops/status.html",
        {
            "page_title": _("System status"),
            "now": now,
            "services": status.list_service_statuses(now),
            "queues": status.list_queue_statuses(),
            "failure_counts": status.count_task_failures(now),
            "failures": status.list_recent_failures(),
            "retention_days": FAILURE_RETENTION_DAYS,
            "missed_beats": status.MISSED_BEATS_ALLOWED,
        },
    )


@never_cache
@require_safe
def health(request):
    """Answer whether the database responds; reveal nothing else (it is public, for probes)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

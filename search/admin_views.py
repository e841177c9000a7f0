"""The search analytics report in the Wagtail admin: what people look for and do not find."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from permissions.policy import can_manage_knowledge
from search import analytics


def _period(request) -> int:
    try:
        days = int(request.GET.get("days", analytics.DEFAULT_PERIOD))
    except ValueError:
        days = analytics.DEFAULT_PERIOD
    return days if days in analytics.PERIODS else analytics.DEFAULT_PERIOD


def search_analytics(request):
    """Show top queries, zero-result queries and queries with no click over a period."""
    if not can_manage_knowledge(request.user):
        raise PermissionDenied
    days = _period(request)
    since = analytics.period_start(days)
    return TemplateResponse(
        request,
        "search/admin/analytics.html",
        {
            "page_title": _("Search analytics"),
            "days": days,
            "periods": analytics.PERIODS,
            "summary": analytics.summary(since),
            "top_queries": analytics.top_queries(since),
            "zero_result_queries": analytics.zero_result_queries(since),
            "no_click_queries": analytics.no_click_queries(since),
        },
    )


def knowledge_gap_export(request):
    """Download the knowledge-gap list (zero-result and no-click queries) as CSV."""
    if not can_manage_knowledge(request.user):
        raise PermissionDenied
    days = _period(request)
    body = analytics.knowledge_gap_csv(analytics.period_start(days))
    # A byte-order mark so that spreadsheet programs read the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="knowledge-gaps-{days}d-{stamp}.csv"'
    return response

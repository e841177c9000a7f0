"""Search analytics: every query logged, and the knowledge-gap report built from the log.

The report shows query texts and counts only, never result titles: a query log row records how
many hits the searcher got, not which, so the report cannot reveal an item to its reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from permissions.policy import has_role
from permissions.roles import Role
from search.analysis import fold
from search.models import SearchQueryLog

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
# A click is credited to the search it came from only for this long: a result list bookmarked
# and reopened next week is not the search that was logged.
CLICK_WINDOW = dt.timedelta(hours=24)

# The most telling role first: a knowledge manager who is also a reviewer counts as a manager.
_ROLE_ORDER = (
    Role.ADMINISTRATOR,
    Role.KNOWLEDGE_MANAGER,
    Role.REVIEWER,
    Role.RND_ENGINEER,
    Role.TRAINER,
    Role.SERVICE_AGENT,
    Role.CUSTOMER,
)
_MAX_CHARS = SearchQueryLog._meta.get_field("normalized").max_length


def normalize_query(text: str) -> str:
    """Return the query as the log groups it: folded, whitespace collapsed."""
    return " ".join(fold(text or "").split())[:_MAX_CHARS]


def viewer_role(user) -> str:
    """Return a coarse role name for the log: never the user's identity."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if user.is_superuser:
        return Role.ADMINISTRATOR.value
    for role in _ROLE_ORDER:
        if has_role(user, role):
            return role.value
    return "user"


def log_search(*, viewer, query: str, normalized: str | None = None, scope: str, hits: int):
    """Record one search (not its autocomplete keystrokes, not its further pages)."""
    normalized = normalize_query(query) if normalized is None else normalized
    if not normalized:
        return None
    return SearchQueryLog.objects.create(
        query_text=(query or "").strip()[:_MAX_CHARS],
        normalized=normalized,
        scope=scope,
        viewer_role=viewer_role(viewer),
        user=viewer if viewer is not None and viewer.is_authenticated else None,
        hits=max(0, int(hits)),
    )


def record_click(log_id: int, *, key: str, rank: int | None) -> bool:
    """Record the first result clicked after a search; return False when nothing was recorded."""
    since = timezone.now() - CLICK_WINDOW
    updated = SearchQueryLog.objects.filter(
        pk=log_id, clicked_at__isnull=True, created_at__gte=since
    ).update(
        clicked_key=key[:100],
        clicked_rank=rank if rank and rank > 0 else None,
        clicked_at=timezone.now(),
    )
    return bool(updated)


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryStat:
    query: str
    searches: int
    clicks: int
    last_searched: dt.datetime
    zero_results: int = 0

    @property
    def ctr(self) -> float:
        return self.clicks / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class Summary:
    searches: int
    distinct_queries: int
    zero_result_searches: int
    clicked_searches: int

    @property
    def ctr(self) -> float:
        """Share of searches with hits that led to a click."""
        with_hits = self.searches - self.zero_result_searches
        return self.clicked_searches / with_hits if with_hits else 0.0

    @property
    def zero_result_rate(self) -> float:
        return self.zero_result_searches / self.searches if self.searches else 0.0


def period_start(days: int, *, now=None) -> dt.datetime:
    """Return the start of a report period of `days` days ending now."""
    return (now or timezone.now()) - dt.timedelta(days=days)


def _logs(since):
    return SearchQueryLog.objects.filter(created_at__gte=since)


def _grouped(queryset):
    return (
        queryset.values("normalized")
        .annotate(
            searches=Count("pk"),
            clicks=Count("clicked_at"),
            zero=Count("pk", filter=Q(hits=0)),
            last=Max("created_at"),
        )
        .order_by("-searches", "-last", "normalized")
    )


def _stats(rows) -> list[QueryStat]:
    return [
        QueryStat(
            query=row["normalized"],
            searches=row["searches"],
            clicks=row["clicks"],
            last_searched=row["last"],
            zero_results=row["zero"],
        )
        for row in rows
    ]


def summary(since) -> Summary:
    """Return the period's totals."""
    totals = _logs(since).aggregate(
        searches=Count("pk"),
        distinct=Count("normalized", distinct=True),
        zero=Count("pk", filter=Q(hits=0)),
        clicked=Count("clicked_at"),
    )
    return Summary(
        searches=totals["searches"],
        distinct_queries=totals["distinct"],
        zero_result_searches=totals["zero"],
        clicked_searches=totals["clicked"],
    )


def top_queries(since, *, limit: int = 50) -> list[QueryStat]:
    """Return the most frequent queries of the period, with their clicks."""
    return _stats(_grouped(_logs(since))[:limit])


def zero_result_queries(since, *, limit: int | None = 100) -> list[QueryStat]:
    """Return queries that found nothing in every search of the period: missing knowledge."""
    rows = _grouped(_logs(since)).filter(zero=F("searches"))
    return _stats(rows[:limit] if limit else rows)


def no_click_queries(since, *, limit: int | None = 100) -> list[QueryStat]:
    """Return queries that found something but whose results nobody opened in the period."""
    rows = _grouped(_logs(since).filter(hits__gt=0)).filter(clicks=0)
    return _stats(rows[:limit] if limit else rows)


def knowledge_gap_csv(since) -> str:
    """Return the zero-result and no-click lists as CSV (query texts and counts only)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("List"), _("Query"), _("Searches"), _("Last searched")])
    for label, rows in (
        (_("No results"), zero_result_queries(since, limit=None)),
        (_("No click"), no_click_queries(since, limit=None)),
    ):
        for row in rows:
            writer.writerow(
                [label, _csv_safe(row.query), row.searches, row.last_searched.isoformat()]
            )
    return out.getvalue()


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; a searcher controls the text.
    # https://owasp.org/www-community/attacks/CSV_Injection
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

"""Service reports: ticket volumes, SLA, handling times, satisfaction, workload, deflection.

Every figure is computed from `visible_to(viewer, ...)`, so a report counts only tickets its
viewer may see. Tickets are counted in the range by when they were created; resolutions by when
they were resolved; follow-ups by when they were sent; help-centre contacts by when they happened.
Dates are calendar days in the server's time zone (TIME_ZONE), both ends included.

The selectors return plain dicts and lists (strings, numbers, ISO dates) that the page, the JSON
endpoint and the CSV export share.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from customers.tickets.models import (
    ContactAttempt,
    ContactOutcome,
    Satisfaction,
    Ticket,
    TicketCategory,
    TicketReply,
)
from customers.tickets.models.tickets import ACTIVE_STATUSES
from permissions.policy import can_manage_knowledge, is_service_staff, visible_to

# The complaint/suggestion record lists this many of the latest ones (the CSV too).
RECORD_LIMIT = 20
TEXT_LIMIT = 200
# Ranges up to a month are shown per day, up to half a year per week, longer ones per month.
DAY_BUCKET_MAX_DAYS = 31
WEEK_BUCKET_MAX_DAYS = 183
DEFAULT_RANGE_DAYS = 30
FEEDBACK_CATEGORIES = (TicketCategory.COMPLAINT, TicketCategory.SUGGESTION)


def may_view_service_reports(user) -> bool:
    """Return True for service staff (agents included) and managers."""
    return is_service_staff(user) or can_manage_knowledge(user)


@dataclass(frozen=True)
class ReportScope:
    """Who looks, which calendar days, and the optional product, category and group filters."""

    viewer: object
    start: dt.date
    end: dt.date
    product: int | None = None
    category: str | None = None
    group: int | None = None

    @property
    def since(self) -> dt.datetime:
        return _local_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first moment after the range (exclusive upper bound)."""
        return _local_midnight(self.end + dt.timedelta(days=1))


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Return the last DEFAULT_RANGE_DAYS days up to today (local time)."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def choose_bucket(start: dt.date, end: dt.date) -> str:
    """Return "day", "week" or "month": the period the series of a range is counted in."""
    days = (end - start).days + 1
    if days <= DAY_BUCKET_MAX_DAYS:
        return "day"
    if days <= WEEK_BUCKET_MAX_DAYS:
        return "week"
    return "month"


def _scope(viewer, start, end, product=None, category=None, group=None) -> ReportScope:
    return ReportScope(viewer, start, end, product or None, category or None, group or None)


def _visible_tickets(scope: ReportScope) -> QuerySet:
    """Tickets the viewer may see, narrowed by the filters (not by date)."""
    # Aggregate over a pk subquery: a policy rule with joins and DISTINCT cannot inflate counts.
    visible = visible_to(scope.viewer, Ticket.objects.all()).values("pk")
    tickets = Ticket.objects.filter(pk__in=visible).order_by()
    if scope.product is not None:
        tickets = tickets.filter(product_id=scope.product)
    if scope.category is not None:
        tickets = tickets.filter(category=scope.category)
    if scope.group is not None:
        tickets = tickets.filter(group_id=scope.group)
    return tickets


def _created_in_range(scope: ReportScope) -> QuerySet:
    return _visible_tickets(scope).filter(created_at__gte=scope.since, created_at__lt=scope.until)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def percentile(values: list[float], q: float) -> float | None:
    """Return the q-th percentile (0–100) of `values`, interpolating linearly between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _person(user) -> str:
    return str(user) if user is not None else ""


def _text(value: str) -> str:
    return Truncator(" ".join((value or "").split())).chars(TEXT_LIMIT)


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


# ---------------------------------------------------------------------------------------------
# Volumes


def list_tickets_by_category(viewer, start, end, **filters) -> list[dict]:
    """Return the tickets created in the range per category, every category listed."""
    return _by_category(_scope(viewer, start, end, **filters))


def _by_category(scope: ReportScope) -> list[dict]:
    counts = dict(
        _created_in_range(scope).values_list("category").annotate(n=Count("pk")).order_by()
    )
    return [
        {"key": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in TicketCategory.choices
    ]


def list_tickets_by_product(viewer, start, end, **filters) -> list[dict]:
    """Return the tickets created in the range per product, most first; no product last."""
    return _by_product(_scope(viewer, start, end, **filters))


def _by_product(scope: ReportScope) -> list[dict]:
    rows = (
        _created_in_range(scope)
        .values("product_id", "product__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _product_rows(rows, lambda row: {"count": row["count"]}, "count")


def _product_rows(rows, figures, sort_key: str) -> list[dict]:
    result = [
        {
            "id": row["product_id"],
            "label": row["product__name"] or _("No product"),
            **figures(row),
        }
        for row in rows
    ]
    # Most first, then by name; tickets without a product at the end.
    result.sort(key=lambda row: (row["id"] is None, -row[sort_key], row["label"]))
    return result


def _bucket_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _next_bucket(day: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return day + dt.timedelta(days=7)
    if bucket == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day + dt.timedelta(days=1)


def _period_label(day: dt.date, bucket: str) -> str:
    if bucket == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _counts_per_bucket(tickets: QuerySet, field: str, bucket: str) -> dict[dt.date, int]:
    zone = timezone.get_current_timezone()
    rows = (
        tickets.annotate(bucket=_TRUNC[bucket](field, tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[dt.date, int] = {}
    for row in rows:
        day = timezone.localtime(row["bucket"], zone).date()
        counts[day] = counts.get(day, 0) + row["n"]
    return counts


def list_tickets_by_period(viewer, start, end, **filters) -> dict:
    """Return tickets created and resolved per day, week or month (chosen from the range)."""
    return _by_period(_scope(viewer, start, end, **filters))


def _by_period(scope: ReportScope) -> dict:
    bucket = choose_bucket(scope.start, scope.end)
    created = _counts_per_bucket(_created_in_range(scope), "created_at", bucket)
    resolved_tickets = _visible_tickets(scope).filter(
        resolved_at__gte=scope.since, resolved_at__lt=scope.until
    )
    resolved = _counts_per_bucket(resolved_tickets, "resolved_at", bucket)
    series = []
    day = _bucket_start(scope.start, bucket)
    while day <= scope.end:
        series.append(
            {
                "period": day.isoformat(),
                "label": _period_label(day, bucket),
                "created": created.get(day, 0),
                "resolved": resolved.get(day, 0),
            }
        )
        day = _next_bucket(day, bucket)
    return {"bucket": bucket, "series": series}


# ---------------------------------------------------------------------------------------------
# Complaints and suggestions, for R&D


def get_feedback_distribution(viewer, start, end, **filters) -> dict:
    """Return complaints and suggestions per category and product, and the latest records."""
    return _feedback(_scope(viewer, start, end, **filters))


def _feedback(scope: ReportScope) -> dict:
    tickets = _created_in_range(scope).filter(category__in=FEEDBACK_CATEGORIES)
    counts = dict(tickets.values_list("category").annotate(n=Count("pk")).order_by())
    by_category = [
        {"key": value, "label": str(value.label), "count": counts.get(value, 0)}
        for value in FEEDBACK_CATEGORIES
    ]
    rows = (
        tickets.values("product_id", "product__name")
        .annotate(
            complaint=Count("pk", filter=Q(category=TicketCategory.COMPLAINT)),
            suggestion=Count("pk", filter=Q(category=TicketCategory.SUGGESTION)),
            total=Count("pk"),
        )
        .order_by()
    )
    by_product = _product_rows(
        rows,
        lambda row: {
            "complaint": row["complaint"],
            "suggestion": row["suggestion"],
            "total": row["total"],
        },
        "total",
    )
    return {
        "total": sum(counts.values()),
        "by_category": by_category,
        "by_product": by_product,
        "records": _feedback_records(scope, tickets),
    }


def _feedback_records(scope: ReportScope, tickets: QuerySet) -> list[dict]:
    latest = list(
        tickets.select_related("assignee", "product", "customer", "satisfaction").order_by(
            "-created_at", "-pk"
        )[:RECORD_LIMIT]
    )
    # The first public reply by staff on each: what the customer was told, and by whom.
    replies = visible_to(
        scope.viewer,
        TicketReply.objects.filter(
            ticket__in=[ticket.pk for ticket in latest], internal=False, from_customer=False
        ),
    ).select_related("author")
    first_reply: dict[int, TicketReply] = {}
    for reply in replies.order_by("created_at", "pk"):
        first_reply.setdefault(reply.ticket_id, reply)
    records = []
    for ticket in latest:
        reply = first_reply.get(ticket.pk)
        satisfaction = getattr(ticket, "satisfaction", None)
        rated = satisfaction is not None and satisfaction.rating is not None
        records.append(
            {
                "number": ticket.number,
                "category": ticket.category,
                "category_label": ticket.get_category_display(),
                "subject": ticket.subject,
                "description": _text(ticket.description),
                "product": ticket.product.name if ticket.product else "",
                "customer": ticket.customer.name,
                "created_at": _iso(ticket.created_at),
                "status": ticket.status,
                "status_label": ticket.get_status_display(),
                "receiver": _person(ticket.assignee),
                "reply": _text(reply.body) if reply else "",
                "replier": (_person(reply.author) or reply.author_label) if reply else "",
                "replied_at": _iso(reply.created_at) if reply else None,
                "rating": satisfaction.rating if rated else None,
                "rating_comment": _text(satisfaction.comment) if rated else "",
            }
        )
    return records


# ---------------------------------------------------------------------------------------------
# SLA and handling times


def get_sla_compliance(viewer, start, end, **filters) -> dict:
    """Return, for tickets created in the range, how many met their first-response and
    resolution targets, how many missed them and how many are still running."""
    return _sla(_scope(viewer, start, end, **filters))


def _sla(scope: ReportScope) -> dict:
    now = timezone.now()
    tickets = _created_in_range(scope)
    result = {}
    for key, due, done in (
        ("first_response", "first_response_due", "first_responded_at"),
        ("resolution", "resolution_due", "resolved_at"),
    ):
        # Met: done by the target. Breached: done late, or not done and the target has passed
        # (also when the escalation sweep has not stamped it yet). Still running: neither.
        has_target = Q(**{f"{due}__isnull": False})
        met = has_target & Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})
        late = Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)})
        overdue = Q(**{f"{done}__isnull": True}) & (
            Q(**{f"{due}__lt": now}) | Q(**{f"{key}_breached_at__isnull": False})
        )
        figures = tickets.aggregate(
            with_target=Count("pk", filter=has_target),
            met=Count("pk", filter=met),
            breached=Count("pk", filter=has_target & (late | overdue)),
        )
        figures["running"] = figures["with_target"] - figures["met"] - figures["breached"]
        figures["compliance_percent"] = _percent(
            figures["met"], figures["met"] + figures["breached"]
        )
        result[key] = figures
    return result


def get_handling_times(viewer, start, end, **filters) -> dict:
    """Return the median and 90th percentile, in hours, of the time to the first response and to
    resolution of tickets created in the range (those that have one)."""
    return _times(_scope(viewer, start, end, **filters))


def _times(scope: ReportScope) -> dict:
    tickets = _created_in_range(scope)
    result = {}
    for key, field in (("first_response", "first_responded_at"), ("resolution", "resolved_at")):
        pairs = tickets.filter(**{f"{field}__isnull": False}).values_list("created_at", field)
        hours = [max(_hours(done - created), 0.0) for created, done in pairs]
        result[key] = {
            "count": len(hours),
            "median_hours": _rounded(percentile(hours, 50)),
            "p90_hours": _rounded(percentile(hours, 90)),
        }
    return result


# ---------------------------------------------------------------------------------------------
# Satisfaction and workload


def _followups(scope: ReportScope) -> QuerySet:
    return Satisfaction.objects.filter(
        ticket__in=_visible_tickets(scope),
        requested_at__gte=scope.since,
        requested_at__lt=scope.until,
    ).order_by()


def get_satisfaction(viewer, start, end, **filters) -> dict:
    """Return the ratings of follow-ups sent in the range: count per rating 1–5, the average and
    the response rate (rated / requested)."""
    return _satisfaction(_scope(viewer, start, end, **filters))


def _satisfaction(scope: ReportScope) -> dict:
    followups = _followups(scope)
    counts = dict(
        followups.filter(rating__isnull=False)
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    requested = followups.count()
    rated = sum(counts.values())
    total = sum(rating * n for rating, n in counts.items())
    return {
        "distribution": [
            {"rating": rating, "count": counts.get(rating, 0)} for rating in range(1, 6)
        ],
        "requested": requested,
        "rated": rated,
        "average": round(total / rated, 2) if rated else None,
        "response_rate_percent": _percent(rated, requested),
    }


def list_agent_workload(viewer, start, end, **filters) -> list[dict]:
    """Return per assignee: open tickets now, tickets resolved in the range, and the average
    rating of their follow-ups sent in the range."""
    return _workload(_scope(viewer, start, end, **filters))


def _workload(scope: ReportScope) -> list[dict]:
    from django.contrib.auth import get_user_model

    tickets = _visible_tickets(scope)
    open_counts = dict(
        tickets.filter(status__in=ACTIVE_STATUSES)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved_counts = dict(
        tickets.filter(resolved_at__gte=scope.since, resolved_at__lt=scope.until)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ratings = {
        row["ticket__assignee_id"]: row
        for row in _followups(scope)
        .filter(rating__isnull=False)
        .values("ticket__assignee_id")
        .annotate(rated=Count("pk"), average=Avg("rating"))
        .order_by()
    }
    ids = set(open_counts) | set(resolved_counts) | set(ratings)
    users = get_user_model()._default_manager.in_bulk([pk for pk in ids if pk is not None])
    rows = []
    for pk in ids:
        rating = ratings.get(pk, {})
        rows.append(
            {
                "id": pk,
                "name": _person(users.get(pk)) if pk is not None else _("Unassigned"),
                "open": open_counts.get(pk, 0),
                "resolved": resolved_counts.get(pk, 0),
                "rated": rating.get("rated", 0),
                "average_rating": _rounded(rating.get("average")),
            }
        )
    rows.sort(key=lambda row: (row["id"] is None, -row["open"], -row["resolved"], row["name"]))
    return rows


# ---------------------------------------------------------------------------------------------
# Help-centre deflection


def get_deflection(viewer, start, end, **filters) -> dict:
    """Return the help-centre contacts of the range by outcome and the deflection rate:
    answered by a suggested FAQ / (answered by an FAQ + turned into a ticket).

    Contacts have no product or category, so the filters do not apply.
    """
    return _deflection(_scope(viewer, start, end, **filters))


def _deflection(scope: ReportScope) -> dict:
    counts = {outcome.value: 0 for outcome in ContactOutcome}
    if may_view_service_reports(scope.viewer):
        # The policy has no rule for contact attempts (they would all be hidden); they are
        # service data, shown to service staff, and one that became a ticket counts only when
        # that ticket is visible to the viewer.
        visible = visible_to(scope.viewer, Ticket.objects.all()).values("pk")
        attempts = ContactAttempt.objects.filter(
            Q(ticket__isnull=True) | Q(ticket__in=visible),
            created_at__gte=scope.since,
            created_at__lt=scope.until,
        )
        counts.update(attempts.values_list("outcome").annotate(n=Count("pk")).order_by())
    deflected = counts[ContactOutcome.DEFLECTED]
    ticket = counts[ContactOutcome.TICKET]
    return {
        "deflected": deflected,
        "ticket": ticket,
        "abandoned": counts[ContactOutcome.ABANDONED],
        "total": sum(counts.values()),
        "rate_percent": _percent(deflected, deflected + ticket),
    }


# ---------------------------------------------------------------------------------------------
# Everything at once


def get_service_report(viewer, start, end, **filters) -> dict:
    """Return every figure of the service report for one range and set of filters."""
    scope = _scope(viewer, start, end, **filters)
    by_category = _by_category(scope)
    open_now = _visible_tickets(scope).filter(status__in=ACTIVE_STATUSES).count()
    return {
        "range": {
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "bucket": choose_bucket(scope.start, scope.end),
            "time_zone": timezone.get_current_timezone_name(),
        },
        "filters": {"product": scope.product, "category": scope.category, "group": scope.group},
        "totals": {
            "created": sum(row["count"] for row in by_category),
            "open_now": open_now,
        },
        "by_category": by_category,
        "by_product": _by_product(scope),
        "by_period": _by_period(scope),
        "feedback": _feedback(scope),
        "sla": _sla(scope),
        "times": _times(scope),
        "satisfaction": _satisfaction(scope),
        "workload": _workload(scope),
        "deflection": _deflection(scope),
    }

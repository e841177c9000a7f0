"""SLA clock: first-response and resolution targets, counted in business hours when a policy has
them. Without an SLA policy for the ticket's priority the first response is due within
`KB_TICKET_FIRST_RESPONSE_HOURS` (12 by default) around the clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from customers.tickets.models import SLAPolicy


def _is_workday(hours, day: dt.date) -> bool:
    iso = day.isoformat()
    if iso in set(hours.extra_workdays or []):
        return True
    if iso in set(hours.holidays or []):
        return False
    return day.isoweekday() in set(hours.weekdays or [])


def add_business_minutes(start: dt.datetime, minutes: int, hours) -> dt.datetime:
    """Return the moment `minutes` of working time after `start` (aware), in `hours`' calendar.

    `hours` None means around the clock. Working time is counted in the server's time zone.
    """
    if hours is None:
        return start + dt.timedelta(minutes=minutes)
    if hours.start >= hours.end or not (hours.weekdays or hours.extra_workdays):
        return start + dt.timedelta(minutes=minutes)  # a calendar with no working time
    # The server's zone, not the one activated for the request: a ticket's targets must not
    # depend on who happened to open it.
    zone = timezone.get_default_timezone()
    moment = timezone.localtime(start, zone)
    remaining = dt.timedelta(minutes=minutes)
    for _day in range(3660):  # ten years of calendar at most: a bad holiday list cannot hang
        day = moment.date()
        if _is_workday(hours, day):
            opens = timezone.make_aware(dt.datetime.combine(day, hours.start), zone)
            closes = timezone.make_aware(dt.datetime.combine(day, hours.end), zone)
            if moment < opens:
                moment = opens
            if moment < closes:
                available = closes - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
        next_day = day + dt.timedelta(days=1)
        moment = timezone.make_aware(dt.datetime.combine(next_day, dt.time.min), zone)
    return moment + remaining


def policy_for(priority: str) -> SLAPolicy | None:
    """Return the active SLA policy of a priority, if any."""
    return (
        SLAPolicy.objects.filter(priority=priority, active=True)
        .select_related("business_hours")
        .first()
    )


def targets(
    priority: str, start: dt.datetime
) -> tuple[SLAPolicy | None, dt.datetime, dt.datetime | None]:
    """Return (policy, first response due, resolution due) for a ticket opened at `start`."""
    policy = policy_for(priority)
    if policy is None:
        hours = settings.KB_TICKET_FIRST_RESPONSE_HOURS
        return None, start + dt.timedelta(hours=hours), None
    hours = policy.business_hours
    return (
        policy,
        add_business_minutes(start, policy.first_response_minutes, hours),
        add_business_minutes(start, policy.resolution_minutes, hours),
    )


def warn_before(policy: SLAPolicy | None) -> dt.timedelta:
    """Return how long before a target the assignee is warned."""
    if policy is None:
        return dt.timedelta(minutes=settings.KB_TICKET_SLA_WARN_MINUTES)
    return dt.timedelta(minutes=policy.warn_before_minutes)

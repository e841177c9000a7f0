"""Reads of the engagement part: usage counts, favourites and popular FAQs, through the policy."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from kb.feedback_models import PageFeedback
from kb.models.engagement import Favourite, PageUsageDay
from permissions.policy import visible_pages, visible_to

RECENT_USAGE_DAYS = 30
POPULAR_WINDOW_DAYS = 90
# A helpful vote is a reader saying the answer worked: worth more than a view that may have
# ended in a phone call anyway.
HELPFUL_VOTE_WEIGHT = 5


@dataclass(frozen=True)
class PageUsage:
    total: int
    last_30_days: int
    staff_total: int


@dataclass(frozen=True)
class FavouriteItem:
    page: Page
    created_at: datetime.datetime


def usage_for_page(page) -> PageUsage:
    """Return the views of `page`: all time, in the last 30 days, and by staff (all time)."""
    since = timezone.localdate() - datetime.timedelta(days=RECENT_USAGE_DAYS - 1)
    totals = PageUsageDay.objects.filter(page_id=page.pk).aggregate(
        total=Sum("views"),
        recent=Sum("views", filter=Q(day__gte=since)),
        staff=Sum("staff_views"),
    )
    return PageUsage(
        total=totals["total"] or 0,
        last_30_days=totals["recent"] or 0,
        staff_total=totals["staff"] or 0,
    )


def favourite_count(page) -> int:
    """Return how many users marked `page` as a favourite (shown to staff only)."""
    return Favourite.objects.filter(page_id=page.pk).count()


def helpful_vote_count(page) -> int:
    """Return the "was this helpful?" yes-votes on `page` (shown to staff only)."""
    return PageFeedback.objects.filter(page_id=page.pk, helpful=True).count()


def is_favourite(viewer, page) -> bool:
    """Return True when `page` is one of `viewer`'s favourites."""
    if viewer is None or not viewer.is_authenticated or page.pk is None:
        return False
    return Favourite.objects.filter(user=viewer, page_id=page.pk).exists()


def favourites_for_viewer(viewer) -> list[FavouriteItem]:
    """Return `viewer`'s favourites that the policy still lets them see, newest first.

    A favourite on a page that has since become hidden (confidentiality raised, unpublished,
    trashed) is kept, so it comes back if the page does, but neither listed nor counted.
    """
    if viewer is None or not viewer.is_authenticated:
        return []
    favourites = Favourite.objects.filter(user=viewer).order_by("-created_at", "-pk")
    stamps = dict(favourites.values_list("page_id", "created_at"))
    pages = visible_pages(viewer, Page.objects.filter(pk__in=list(stamps), live=True)).specific()
    items = [FavouriteItem(page=page, created_at=stamps[page.pk]) for page in pages]
    items.sort(key=lambda item: (item.created_at, item.page.pk), reverse=True)
    return items


def popular_faqs_for_viewer(viewer, limit: int = 8, within=None) -> list:
    """Return the FAQs `viewer` may see, most read and found helpful first, then the newest.

    Popularity is the views of the last 90 days plus a weight per helpful vote; FAQs nobody has
    read yet follow by publication date, so a new help centre still shows its newest questions.
    `within` limits them to the descendants of one page.
    """
    from kb.models import FAQPage

    if limit <= 0:
        return []
    since = timezone.localdate() - datetime.timedelta(days=POPULAR_WINDOW_DAYS - 1)
    # Subqueries rather than joins: joining usage rows and votes in one query would multiply
    # each count by the other.
    recent_views = (
        PageUsageDay.objects.filter(page_id=OuterRef("pk"), day__gte=since)
        .order_by()
        .values("page_id")
        .annotate(n=Sum("views"))
        .values("n")
    )
    helpful_votes = (
        PageFeedback.objects.filter(page_id=OuterRef("pk"), helpful=True)
        .order_by()
        .values("page_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    zero = Value(0, output_field=IntegerField())
    faqs = FAQPage.objects.all() if within is None else FAQPage.objects.descendant_of(within)
    faqs = (
        visible_to(viewer, faqs)
        .annotate(
            recent_views=Coalesce(Subquery(recent_views, output_field=IntegerField()), zero),
            helpful_votes=Coalesce(Subquery(helpful_votes, output_field=IntegerField()), zero),
        )
        .annotate(popularity=F("recent_views") + HELPFUL_VOTE_WEIGHT * F("helpful_votes"))
        .order_by("-popularity", F("first_published_at").desc(nulls_last=True), "-pk")
    )
    return list(faqs[:limit])

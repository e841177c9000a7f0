"""What a knowledge page and the help centre show one viewer; every read through the policy."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from kb.engagement.selectors import (
    PageUsage,
    favourite_count,
    helpful_vote_count,
    usage_for_page,
)
from permissions.models import Confidentiality
from permissions.policy import (
    can_edit,
    can_view,
    is_internal,
    is_service_staff,
    visible_pages,
    visible_to,
)

CUSTOMER_CONTENT_LIMIT = 10


def item_page_models() -> tuple:
    """Return the page types counted as knowledge items (categories are not items)."""
    from kb.models import ArticlePage, CaseHistoryPage, FAQPage, StructuredItemPage

    return (ArticlePage, FAQPage, CaseHistoryPage, StructuredItemPage)


# ---------------------------------------------------------------------------------------------
# One page


def attachments_for_viewer(viewer, page) -> list:
    """Return the documents attached to `page` that `viewer` may see, in the editor's order."""
    from documents.models import KnowledgeDocument

    # Through the page's own relation, so a preview shows the attachments of the draft.
    ids = list(dict.fromkeys(attachment.document_id for attachment in page.attachments.all()))
    visible = visible_to(viewer, KnowledgeDocument.objects.filter(pk__in=ids))
    by_id = {document.pk: document for document in visible}
    return [by_id[pk] for pk in ids if pk in by_id]


def related_items_for_viewer(viewer, page, limit: int = 5) -> list:
    """Return the editor-chosen related items `viewer` may see, then automatic ones up to `limit`.

    Every chosen item is kept (the editor picked it); automatic suggestions only fill the rest.
    """
    from kb.feedback import feedback_page_models, related_pages_for_viewer

    target_ids = list(dict.fromkeys(link.target_id for link in page.related_links.all()))
    chosen_pages = visible_pages(
        viewer, Page.objects.filter(pk__in=target_ids, live=True).exclude(pk=page.pk)
    ).specific()
    by_id = {item.pk: item for item in chosen_pages}
    chosen = [by_id[pk] for pk in target_ids if pk in by_id]
    if page.pk is None or len(chosen) >= limit or not isinstance(page, feedback_page_models()):
        return chosen
    seen = {item.pk for item in chosen}
    automatic = related_pages_for_viewer(viewer, page, limit=limit + len(seen))
    return chosen + [item for item in automatic if item.pk not in seen][: limit - len(chosen)]


def case_customer_for_viewer(viewer, page):
    """Return the customer of a case history if the policy lets `viewer` see that customer.

    Service staff see every customer; a portal user only their own account, so another
    customer's case never names who it was about.
    """
    if getattr(page, "customer_id", None) is None or not (viewer and viewer.is_authenticated):
        return None
    customer = page.customer
    return customer if can_view(viewer, customer) else None


def case_tickets_for_viewer(viewer, page) -> list:
    """Return the tickets linked to a case history, for service staff only."""
    if page.pk is None or not is_service_staff(viewer):
        return []
    return list(visible_to(viewer, page.tickets.all()).order_by("-created_at", "-pk"))


REVIEW_LIVE = "live"
REVIEW_DRAFT = "draft"
REVIEW_MODERATION = "moderation"


@dataclass(frozen=True)
class StaffPanel:
    revision_count: int
    latest_revision: object
    owner: object
    departments: list
    allowed_customers: list
    allowed_groups: list
    review_date: datetime.date | None
    review_overdue: bool
    review_state: str
    task_name: str
    usage: PageUsage
    favourites: int
    helpful_votes: int
    edit_url: str = ""
    history_url: str = ""


def _review_state(page) -> tuple[str, str]:
    if page.workflow_in_progress:
        task = page.current_workflow_task
        return REVIEW_MODERATION, task.name if task is not None else ""
    if page.has_unpublished_changes:
        return REVIEW_DRAFT, ""
    return REVIEW_LIVE, ""


def staff_panel_for_viewer(viewer, page) -> StaffPanel | None:
    """Return what staff see about `page` (versions, owner, review, usage); None for others."""
    if page.pk is None or not is_internal(viewer):
        return None
    from customers.models import Customer

    state, task_name = _review_state(page)
    review_date = page.review_date
    editable = can_edit(viewer, page)
    return StaffPanel(
        revision_count=page.revisions.count(),
        latest_revision=page.latest_revision,
        owner=page.owner,
        departments=list(page.owning_departments.order_by("name")),
        allowed_customers=list(
            visible_to(
                # A list of pks, not a subquery: in a preview or revision view the relation is
                # an in-memory modelcluster set, which has no .values().
                viewer,
                Customer.objects.filter(pk__in=[c.pk for c in page.allowed_customers.all()]),
            ).order_by("name")
        ),
        allowed_groups=list(page.allowed_groups.order_by("name")),
        review_date=review_date,
        review_overdue=review_date is not None and review_date < timezone.localdate(),
        review_state=state,
        task_name=task_name,
        usage=usage_for_page(page),
        favourites=favourite_count(page),
        helpful_votes=helpful_vote_count(page),
        edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]) if editable else "",
        history_url=reverse("wagtailadmin_pages:history", args=[page.pk]) if editable else "",
    )


# ---------------------------------------------------------------------------------------------
# The help centre


def item_counts_for_viewer(viewer, categories) -> dict:
    """Return {category pk: number of knowledge items below it that `viewer` may see}.

    One grouped query per item type and tree depth, however many categories there are.
    """
    counts = {category.pk: 0 for category in categories}
    by_length: dict[int, dict[str, int]] = defaultdict(dict)
    for category in categories:
        by_length[len(category.path)][category.path] = category.pk
    for length, paths in by_length.items():
        for model in item_page_models():
            rows = (
                visible_to(viewer, model.objects.all())
                .annotate(kb_prefix=Substr("path", 1, length))
                .filter(kb_prefix__in=list(paths), depth__gt=length // Page.steplen)
                .order_by()
                .values("kb_prefix")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                counts[paths[row["kb_prefix"]]] += row["n"]
    return counts


@dataclass(frozen=True)
class CategoryCard:
    page: Page
    item_count: int


def category_cards_for_viewer(viewer, categories) -> list[CategoryCard]:
    """Return each of `categories` with the number of items below it that `viewer` may see."""
    categories = list(categories)
    counts = item_counts_for_viewer(viewer, categories)
    return [CategoryCard(page=category, item_count=counts[category.pk]) for category in categories]


def customer_content_for_viewer(viewer, within=None, limit: int = CUSTOMER_CONTENT_LIMIT) -> list:
    """Return the newest customer-level items written for `viewer`'s own customer accounts.

    Only for portal users: staff see every customer's content and need no such section.
    """
    if viewer is None or not viewer.is_authenticated or is_internal(viewer):
        return []
    items = []
    for model in item_page_models():
        pages = visible_to(viewer, model.objects.filter(confidentiality=Confidentiality.CUSTOMERS))
        if within is not None:
            pages = pages.descendant_of(within)
        items += pages.order_by("-last_published_at")[:limit]

    def newest_first(item):
        stamp = item.last_published_at
        return -stamp.timestamp() if stamp else 0

    items.sort(key=lambda item: (newest_first(item), item.title))
    return items[:limit]

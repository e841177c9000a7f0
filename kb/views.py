"""The site's own views around the Wagtail-served knowledge pages: search, tickets, portal."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from customers.models import Customer
from customers.tickets.models import Ticket, TicketStatus
from kb.models import ArticlePage, CaseHistoryPage, FAQPage, StructuredItemPage
from permissions.policy import has_role, visible_to
from permissions.roles import Role

SEARCH_LIMIT_PER_TYPE = 50
TICKETS_PER_PAGE = 50

# (model, the text fields a query is matched against)
_SEARCHABLE = (
    (FAQPage, ("title", "summary", "question", "alternative_questions")),
    (ArticlePage, ("title", "summary")),
    (CaseHistoryPage, ("title", "summary")),
    (StructuredItemPage, ("title", "summary", "data_text")),
)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    title: str
    summary: str
    url: str
    updated_at: object


def search(request):
    """Search knowledge pages by substring in the database, through the permission policy.

    A stop-gap: the search issue replaces this with the search/ service (Chinese analysis,
    Tantivy or Elasticsearch, the same policy applied inside the index).
    """
    query = request.GET.get("q", "").strip()[:200]
    hits: list[SearchHit] = []
    if query:
        for model, fields in _SEARCHABLE:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": query})
            pages = visible_to(request.user, model.objects.filter(condition)).order_by(
                "-last_published_at"
            )[:SEARCH_LIMIT_PER_TYPE]
            hits.extend(
                SearchHit(
                    kind=model._meta.verbose_name,
                    title=page.title,
                    summary=page.summary,
                    url=page.get_url(request),
                    updated_at=page.last_published_at,
                )
                for page in pages
            )
    return render(request, "search/search.html", {"query": query, "hits": hits})


@login_required
def ticket_list(request):
    """List the tickets the policy lets the user see, newest first, optionally by status."""
    tickets = visible_to(request.user, Ticket.objects.all())
    status = request.GET.get("status", "")
    if status in TicketStatus.values:
        tickets = tickets.filter(status=status)
    else:
        status = ""
    tickets = tickets.select_related("customer", "assignee").order_by("-created_at", "-pk")
    page = Paginator(tickets, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page_obj": page,
            "tickets": page.object_list,
            "status": status,
            "statuses": TicketStatus.choices,
        },
    )


@login_required
def portal(request):
    """Show the user's own portal: profile, roles, and for customers their accounts and tickets."""
    user = request.user
    roles = [role.label for role in Role if has_role(user, role)]
    customers = visible_to(user, Customer.objects.filter(portal_users=user)).order_by("name")
    tickets = (
        visible_to(user, Ticket.objects.filter(customer__portal_users=user))
        .select_related("customer")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "portal/portal.html",
        {
            "profile_user": user,
            "departments": user.departments.order_by("name"),
            "roles": roles,
            "customers": customers,
            "tickets": tickets,
        },
    )

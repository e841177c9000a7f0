"""The site's own views around the Wagtail-served knowledge pages: tickets, portal.

Search lives in the search app (search/views.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from customers.models import Customer
from customers.tickets.models import Ticket, TicketStatus
from permissions.policy import has_role, visible_to
from permissions.roles import Role

TICKETS_PER_PAGE = 50


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

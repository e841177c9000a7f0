"""The site's own views around the Wagtail-served knowledge pages: tickets, portal.

Search lives in the search app (search/views.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from customers.models import Customer
from customers.tickets.models import Ticket
from permissions.policy import has_role, visible_to
from permissions.roles import Role


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

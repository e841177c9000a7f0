"""Guarded reads of customers: one error for missing and forbidden; private fields audited."""

from __future__ import annotations

from customers.models import PRIVATE_FIELDS, Customer
from permissions.access import access_item_by_id
from permissions.actions import log_audit_event
from permissions.policy import can_see_customer_private, visible_to


def access_customer_by_id(viewer, pk) -> Customer:
    """Return customer `pk` if the policy lets `viewer` see it; raise ItemNotFound otherwise."""
    return access_item_by_id(viewer, Customer, pk)


def private_fields_for_viewer(viewer, customer, *, surface: str, request=None) -> dict | None:
    """Return {field: value} of the customer's private fields when `viewer` may read them, else
    None; every read is written to the audit log with the surface it was shown on."""
    if not can_see_customer_private(viewer, customer):
        return None
    log_audit_event(
        actor=viewer,
        action="customer.view_private",
        obj=customer,
        request=request,
        extra={"surface": surface},
    )
    return {name: getattr(customer, name) for name in PRIVATE_FIELDS}


def list_customers_for_viewer(viewer, *, query: str = "", grade: str = ""):
    """Return the customers `viewer` may see, filtered by name/number/industry and grade."""
    from django.db.models import Q

    customers = visible_to(viewer, Customer.objects.all())
    if query:
        customers = customers.filter(
            Q(name__icontains=query)
            | Q(code__icontains=query)
            | Q(industry__icontains=query)
            | Q(region__icontains=query)
            | Q(contacts__name__icontains=query)
        ).distinct()
    if grade:
        customers = customers.filter(grade=grade)
    return customers.select_related("account_manager")

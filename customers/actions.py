"""Writes of customers: profile, account manager, contacts and interaction records.

Each action checks the policy, runs in one durable transaction with a reversion revision and an
audit row. Views, the API and the demo loader call these.
"""

from __future__ import annotations

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import PRIVATE_FIELDS, AccountManagerChange, Contact, Customer, Interaction
from permissions.actions import log_audit_event
from permissions.policy import (
    can_assign_account_manager,
    can_change_customer,
    can_see_customer_private,
    is_internal,
)

PROFILE_FIELDS = (
    "kind",
    "name",
    "code",
    "customer_type",
    "industry",
    "region",
    "source",
    "grade",
    "phone",
    "email",
)
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "is_primary")
INTERACTION_FIELDS = (
    "contact",
    "occurred_at",
    "place",
    "channel",
    "content",
    "result",
    "next_step",
)


class InteractionLocked(ValidationError):
    """A closed interaction record cannot be changed."""


def _revision(actor, comment: str):
    reversion.set_user(actor if actor is not None and actor.is_authenticated else None)
    reversion.set_comment(comment)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this customer."))


def _check_private(actor, customer, fields) -> None:
    if set(fields) & set(PRIVATE_FIELDS) and not can_see_customer_private(actor, customer):
        raise PermissionDenied(_("Only the account manager may change private customer fields."))


def _full_clean(obj, *, exclude=()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True)


def create_customer(*, actor, account_manager=None, request=None, **fields) -> Customer:
    """Create a customer; the creator becomes its account manager unless one is named."""
    if not is_internal(actor):
        raise PermissionDenied(_("You may not add customers."))
    unknown = set(fields) - set(PROFILE_FIELDS) - set(PRIVATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    manager = account_manager or actor
    with transaction.atomic(durable=True), reversion.create_revision():
        customer = Customer(account_manager=manager, **fields)
        _full_clean(customer, exclude=["account_manager"])
        customer.save()
        AccountManagerChange.objects.create(
            customer=customer, manager=manager, changed_by=actor, started_at=customer.created_at
        )
        _revision(actor, _("Customer created"))
        log_audit_event(actor=actor, action="customer.create", obj=customer, request=request)
    return customer


def update_customer(*, actor, customer, changes: dict, request=None) -> Customer:
    """Change profile (and, for those who may read them, private) fields of a customer."""
    _require(can_change_customer(actor, customer))
    unknown = set(changes) - set(PROFILE_FIELDS) - set(PRIVATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    _check_private(actor, customer, changes)
    with transaction.atomic(durable=True), reversion.create_revision():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        changed = [name for name, value in changes.items() if getattr(customer, name) != value]
        for name in changed:
            setattr(customer, name, changes[name])
        if changed:
            _full_clean(customer)
            customer.save(update_fields=[*changed, "updated_at"])
        _revision(actor, _("Customer updated"))
        # Private values never go into the audit log: only which fields changed.
        log_audit_event(
            actor=actor,
            action="customer.update",
            obj=customer,
            request=request,
            extra={"fields": changed},
        )
    return customer


def assign_account_manager(*, actor, customer, manager, reason: str = "", request=None) -> Customer:
    """Hand the customer to another account manager, keeping the history of managers."""
    if not can_assign_account_manager(actor):
        raise PermissionDenied(_("You may not change the account manager."))
    if manager is not None and not is_internal(manager):
        raise ValidationError(_("The account manager must be a member of staff."))
    with transaction.atomic(durable=True), reversion.create_revision():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.account_manager_id == (manager.pk if manager else None):
            return customer
        now = timezone.now()
        before = customer.account_manager
        AccountManagerChange.objects.filter(customer=customer, ended_at__isnull=True).update(
            ended_at=now
        )
        AccountManagerChange.objects.create(
            customer=customer, manager=manager, changed_by=actor, started_at=now, reason=reason
        )
        customer.account_manager = manager
        customer.save(update_fields=["account_manager", "updated_at"])
        _revision(actor, _("Account manager changed"))
        log_audit_event(
            actor=actor,
            action="customer.assign_manager",
            obj=customer,
            request=request,
            extra={
                "before": before.get_username() if before else "",
                "after": manager.get_username() if manager else "",
                "reason": reason,
            },
        )
    return customer


def save_contact(*, actor, customer, contact=None, request=None, **fields) -> Contact:
    """Add a contact to a customer, or change one of its contacts."""
    _require(can_change_customer(actor, customer))
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    if contact is not None and contact.customer_id != customer.pk:
        raise PermissionDenied(_("You may not change this customer."))
    with transaction.atomic(durable=True), reversion.create_revision():
        contact = contact or Contact(customer=customer)
        for name, value in fields.items():
            setattr(contact, name, value)
        _full_clean(contact)
        adding = contact._state.adding
        contact.save()
        _revision(actor, _("Contact added") if adding else _("Contact updated"))
        log_audit_event(
            actor=actor,
            action="customer.contact_add" if adding else "customer.contact_update",
            obj=customer,
            request=request,
            extra={"contact": contact.pk},
        )
    return contact


def save_interaction(*, actor, customer, interaction=None, request=None, **fields) -> Interaction:
    """Record an interaction (交往记录) with a customer, or change one that is still open."""
    _require(can_change_customer(actor, customer))
    unknown = set(fields) - set(INTERACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown interaction fields: {sorted(unknown)}")
    contact = fields.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError(_("The contact belongs to another customer."))
    with transaction.atomic(durable=True), reversion.create_revision():
        if interaction is not None:
            interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
            if interaction.customer_id != customer.pk:
                raise PermissionDenied(_("You may not change this customer."))
            if interaction.is_locked:
                raise InteractionLocked(
                    _("This interaction record is closed and can no longer be changed."),
                    code="locked",
                )
        else:
            interaction = Interaction(customer=customer, recorded_by=actor)
        for name, value in fields.items():
            setattr(interaction, name, value)
        _full_clean(interaction)
        adding = interaction._state.adding
        interaction.save()
        _revision(actor, _("Interaction recorded") if adding else _("Interaction updated"))
        log_audit_event(
            actor=actor,
            action="customer.interaction_save",
            obj=customer,
            request=request,
            extra={"interaction": interaction.pk},
        )
    return interaction


def close_interaction(*, actor, interaction, request=None) -> Interaction:
    """Close an interaction record: from now on it is locked."""
    _require(can_change_customer(actor, interaction.customer))
    with transaction.atomic(durable=True), reversion.create_revision():
        interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
        if interaction.is_locked:
            return interaction
        interaction.closed_at = timezone.now()
        interaction.closed_by = actor
        interaction.save(update_fields=["closed_at", "closed_by"])
        _revision(actor, _("Interaction closed"))
        log_audit_event(
            actor=actor,
            action="customer.interaction_close",
            obj=interaction.customer,
            request=request,
            extra={"interaction": interaction.pk},
        )
    return interaction

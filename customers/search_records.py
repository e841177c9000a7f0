"""Customers and service tickets as search records, seen by service staff and the customer's own
portal users (the token form of the policy's portal rule)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from customers.models import Customer
from customers.tickets.models import Ticket
from permissions.policy import service_record_audience
from search.records import Record, RecordSource, key_for, register


def _url(name: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _join(*parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


@register
class CustomerSource(RecordSource):
    model = Customer
    type = "customer"
    watches = {"customers.contact": lambda contact: [("customers.customer", contact.customer_id)]}

    def get_queryset(self):
        return Customer.objects.prefetch_related("contacts")

    def related_keys(self, obj):
        # Ticket records show the customer's name.
        return [("tickets.ticket", pk) for pk in obj.tickets.values_list("pk", flat=True)]

    def to_record(self, obj) -> Record | None:
        audience = service_record_audience(obj.pk, obj.account_manager_id)
        # Never the private fields (address, income, family): not every viewer may read them.
        contacts = [_join(contact.name, contact.title) for contact in obj.contacts.all()]
        return Record(
            key=key_for(obj),
            type=self.type,
            title=obj.name,
            url=_url("customers:detail", obj.pk),
            read=sorted(audience.read),
            restrict=sorted(audience.restrict),
            body=_join(obj.code, obj.industry, obj.region, obj.phone, obj.email, *contacts),
            customers=[obj.pk],
            created_at=obj.created_at,
            extra={"code": obj.code, "industry": obj.industry, "region": obj.region},
        )


@register
class TicketSource(RecordSource):
    model = Ticket
    type = "ticket"

    def get_queryset(self):
        return Ticket.objects.select_related("customer", "product")

    def to_record(self, obj) -> Record | None:
        audience = service_record_audience(obj.customer_id, obj.customer.account_manager_id)
        # Public replies only: the customer's portal users find their tickets too, and must
        # never find a word of an internal note. A reply saves its ticket, which reindexes it.
        public = obj.replies.filter(internal=False).order_by("created_at")
        replies = [reply.body for reply in public.only("body")[:50]]
        return Record(
            key=key_for(obj),
            type=self.type,
            title=obj.subject,
            url=_url("tickets:detail", obj.pk),
            read=sorted(audience.read),
            restrict=sorted(audience.restrict),
            body=_join(
                obj.number,
                obj.description,
                obj.customer.name,
                obj.get_category_display(),
                obj.product.name if obj.product_id else "",
                *replies,
            ),
            customers=[obj.customer_id],
            created_at=obj.created_at,
            updated_at=obj.updated_at,
            extra={
                "number": obj.number,
                "status": obj.status,
                "priority": obj.priority,
                "category": obj.category,
                "customer": obj.customer.name,
            },
        )

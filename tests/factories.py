"""Factories per model (paperless-ngx src/documents/tests/factories.py)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from customers.models import Contact, Customer
from customers.tickets.models import Ticket
from permissions.models import Department, User
from permissions.roles import Role


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = "小明"
    last_name = "王"
    password = factory.django.Password("pw-zhiku-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=Role(role).value))

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if extracted:
            self.departments.set(extracted)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户公司{n}")
    code = factory.Sequence(lambda n: f"C{n:05d}")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"T{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"工单主题{n}")

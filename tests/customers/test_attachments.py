"""Files on tickets are documents of the ticket's customer: the agent, the customer's portal
users and the e-mail intake attach them; nobody from another company can fetch them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tickets.models import Ticket
from documents.models import KnowledgeDocument
from permissions.models import Confidentiality
from permissions.roles import Role
from tests.factories import CustomerFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


NOTE = "法兰处渗水，压力 0.6 MPa".encode()


def _file(name="现场照片说明.txt", content=NOTE):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_portal_user_attaches_a_file_only_their_company_can_fetch(client, customer_user, agent):
    company = CustomerFactory(name="恒通")
    company.portal_users.add(customer_user)
    ticket = TicketFactory(customer=company, subject="泵体渗水")
    client.force_login(customer_user)
    client.post(
        reverse("portal_tickets:reply", args=[ticket.pk]),
        {"body": "补充照片说明", "attachments": [_file()]},
    )
    reply = ticket.replies.get()
    document = reply.attachments.get()
    assert document.confidentiality == Confidentiality.CUSTOMERS
    assert list(document.allowed_customers.all()) == [company]
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200

    outsider = UserFactory(username="other-company", roles=[Role.CUSTOMER])
    CustomerFactory(name="别家").portal_users.add(outsider)
    client.force_login(outsider)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    client.force_login(agent)
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert document.title in html


def test_agent_opens_a_ticket_with_files_and_a_bad_file_stores_nothing(client, agent):
    company = CustomerFactory()
    client.force_login(agent)
    data = {
        "customer": company.pk,
        "subject": "控制柜报警",
        "category": "fault",
        "priority": "normal",
        "channel": "phone",
    }
    client.post(reverse("tickets:new"), {**data, "attachments": [_file("报警记录.txt")]})
    ticket = Ticket.objects.get()
    assert [d.title for d in ticket.attachments.all()] == ["报警记录"]
    # One refused file (empty) rejects the reply with a message, storing neither file nor reply.
    response = client.post(
        reverse("tickets:reply", args=[ticket.pk]),
        {"body": "见附件", "attachments": [_file("好.txt"), _file("空.txt", b"")]},
        follow=True,
    )
    assert "空.txt" in response.content.decode() or "empty" in response.content.decode()
    assert not ticket.replies.exists()
    assert KnowledgeDocument.objects.count() == 1

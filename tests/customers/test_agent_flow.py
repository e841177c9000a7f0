"""The agent's path through a ticket, end to end through the views: take a call, open a ticket,
find the answer among the suggestions, reply from it, resolve, follow up, turn it into a case."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from customers.tickets.models import (
    ReplyTemplate,
    Satisfaction,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from kb.models import CaseHistoryPage, FAQPage
from permissions.models import Confidentiality
from tests.factories import ContactFactory, CustomerFactory
from tests.permissions.conftest import make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(django_capture_on_commit_callbacks):
    """A published internal FAQ about a leaking filter housing, indexed through the outbox."""
    category = make_category(confidentiality=Confidentiality.INTERNAL)
    page = FAQPage(
        title="滤芯壳体漏水怎么处理",
        slug="filter-leak",
        question="滤芯壳体漏水怎么处理",
        answer="<p>先关闭进水阀，更换壳体密封圈（型号 O-32），再拧紧壳体。</p>",
        confidentiality=Confidentiality.INTERNAL,
    )
    with django_capture_on_commit_callbacks(execute=True):
        category.add_child(instance=page)
        page.save_revision().publish()
    return FAQPage.objects.get(pk=page.pk)


def _open_ticket(client, customer, contact, **extra):
    data = {
        "customer": customer.pk,
        "contact": contact.pk,
        "subject": "净水器滤芯壳体漏水",
        "description": "客户来电：更换滤芯后壳体一直漏水。",
        "category": "fault",
        "priority": "normal",
        "channel": "phone",
        **extra,
    }
    return client.post(reverse("tickets:new"), data)


def test_agent_takes_a_call_answers_from_knowledge_and_captures_a_case(
    client, agent, faq, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(name="苏州恒通")
    contact = ContactFactory(customer=customer, name="吴刚", email="wugang@example.cn")
    client.force_login(agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = _open_ticket(client, customer, contact)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tickets:detail", args=[ticket.pk]
    )
    assert ticket.number.startswith("T") and ticket.assignee == agent
    assert ticket.first_response_due is not None  # 12 hours without a policy
    assert (ticket.first_response_due - ticket.created_at).total_seconds() == 12 * 3600

    # The suggestion is the FAQ, found with the ticket's own words.
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "滤芯壳体漏水怎么处理" in re.sub(r"</?mark>", "", html)
    assert f'name="faq" value="{faq.pk}"' in html

    # "Use as reply" turns the FAQ into a reply template and returns its text.
    answer = client.post(reverse("tickets:template_from_faq", args=[ticket.pk]), {"faq": faq.pk})
    template = ReplyTemplate.objects.get(faq=faq)
    assert answer.json()["body"].startswith("先关闭进水阀")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("tickets:reply", args=[ticket.pk]),
            {"body": answer.json()["body"], "template": template.pk, "resolve": "on"},
        )
    ticket.refresh_from_db()
    template.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.first_responded_at is not None
    assert template.usage_count == 1
    # The customer got the reply and the rating link by e-mail.
    subjects = [m.subject for m in mail.outbox]
    assert any(ticket.number in s and s.startswith("Re:") for s in subjects)
    satisfaction = Satisfaction.objects.get(ticket=ticket)
    assert any(satisfaction.token in m.body for m in mail.outbox)

    # Phone follow-up
    client.post(reverse("tickets:follow_up", args=[ticket.pk]), {"rating": 4, "comment": "满意"})
    satisfaction.refresh_from_db()
    assert satisfaction.rating == 4 and satisfaction.via == "phone"

    # One click drafts a case history in review, linked to the ticket.
    category = make_category(confidentiality=Confidentiality.INTERNAL)
    response = client.post(
        reverse("tickets:capture", args=[ticket.pk]), {"kind": "case", "category": category.pk}
    )
    case = CaseHistoryPage.objects.get(tickets=ticket)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[case.pk])
    assert not case.live and case.customer == customer
    assert "先关闭进水阀" in case.resolution and "一直漏水" in case.symptom
    assert case.current_workflow_state is not None  # entered the review workflow
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds[:2] == ["created", "sla"]
    assert {"reply", "status", "rated", "knowledge"} <= set(kinds)


def test_a_ticket_not_yet_resolved_cannot_become_knowledge(client, agent):
    customer = CustomerFactory()
    client.force_login(agent)
    _open_ticket(client, customer, ContactFactory(customer=customer))
    ticket = Ticket.objects.get()
    category = make_category(confidentiality=Confidentiality.INTERNAL)
    client.post(
        reverse("tickets:capture", args=[ticket.pk]), {"kind": "faq", "category": category.pk}
    )
    assert not FAQPage.objects.filter(title=ticket.subject).exists()


def test_status_workflow_refuses_impossible_moves_and_counts_reopening(client, agent):
    customer = CustomerFactory()
    client.force_login(agent)
    _open_ticket(client, customer, ContactFactory(customer=customer))
    ticket = Ticket.objects.get()
    status_url = reverse("tickets:status", args=[ticket.pk])
    client.post(status_url, {"status": "closed"})
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at and ticket.resolved_at
    client.post(status_url, {"status": "pending"})  # closed -> pending is not a move
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    client.post(status_url, {"status": "open"})
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.reopened_count == 1 and ticket.closed_at is None


def test_internal_notes_do_not_answer_the_customer(client, agent):
    customer = CustomerFactory()
    client.force_login(agent)
    _open_ticket(client, customer, ContactFactory(customer=customer))
    ticket = Ticket.objects.get()
    client.post(
        reverse("tickets:reply", args=[ticket.pk]), {"body": "内部：等备件", "internal": "on"}
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None and ticket.status == "new"
    assert ticket.replies.get().internal


@pytest.mark.parametrize("who", ["customer_user", "trainer", "rnd_engineer"])
def test_people_outside_the_service_desk_cannot_work_tickets(client, request, who):
    user = request.getfixturevalue(who)
    ticket_customer = CustomerFactory()
    if who == "customer_user":
        ticket_customer.portal_users.add(user)
    from tests.factories import TicketFactory

    ticket = TicketFactory(customer=ticket_customer, subject="机密工单主题")
    client.force_login(user)
    response = client.get(reverse("tickets:detail", args=[ticket.pk]))
    if who == "customer_user":  # sent to the portal, which applies its own guard
        assert response["Location"] == reverse("portal_tickets:detail", args=[ticket.pk])
    else:
        assert response.status_code == 404
    for name in ("reply", "status", "assign", "priority", "capture"):
        response = client.post(reverse(f"tickets:{name}", args=[ticket.pk]), {"body": "x"})
        assert response.status_code == 404
    assert client.get(reverse("tickets:new")).status_code == 404
    assert not ticket.replies.exists()


def test_notices_show_only_tickets_the_recipient_still_sees(client, agent):
    from customers.tickets.models import TicketNotice
    from permissions.roles import Role
    from tests.factories import TicketFactory

    ticket = TicketFactory(subject="夜班设备停机")
    TicketNotice.objects.create(recipient=agent, ticket=ticket, kind="assigned", message="分配给你")
    client.force_login(agent)
    assert "分配给你" in client.get(reverse("tickets:notices")).content.decode()
    # Moved out of the service desk: the notice stays stored but shows nothing.
    agent.groups.remove(agent.groups.get(name=Role.SERVICE_AGENT.value))
    agent.groups.add(agent.groups.model.objects.get(name=Role.TRAINER.value))
    html = client.get(reverse("tickets:notices")).content.decode()
    assert "分配给你" not in html and "夜班设备停机" not in html

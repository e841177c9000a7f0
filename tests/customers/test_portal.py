"""The customer portal's tickets: a portal user of company A sees A's tickets and nothing of B's,
by list, URL, JSON, reply, rating and search; internal notes and events never show; the rating
link works without login."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from customers.tickets import actions
from customers.tickets.models import (
    Satisfaction,
    SatisfactionVia,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketReply,
    TicketStatus,
)
from permissions.models import Confidentiality
from permissions.roles import Role
from search import indexing
from tests.factories import CustomerFactory, TicketFactory, UserFactory
from tests.kb.test_page_matrix import build_page, home_page

pytestmark = pytest.mark.django_db

A_SUBJECT = "甲方空压机排气温度过高"
B_SUBJECT = "乙方冷却塔风机振动异常"
B_WORD = "冷却塔"
INTERNAL_NOTE = "内部备注：客户欠款未结清"
INTERNAL_EVENT = "内部事件：升级至二线主管"


@pytest.fixture
def company_a(customer_user):
    company = CustomerFactory(name="甲方科技有限公司")
    company.portal_users.add(customer_user)
    return company


@pytest.fixture
def company_b():
    company = CustomerFactory(name="乙方制造有限公司")
    company.portal_users.add(UserFactory(username="customer-b", roles=[Role.CUSTOMER]))
    return company


@pytest.fixture
def tickets(company_a, company_b):
    """One ticket of each company, indexed through the outbox."""
    ticket_a = TicketFactory(customer=company_a, subject=A_SUBJECT, description="排气温度 110℃")
    ticket_b = TicketFactory(customer=company_b, subject=B_SUBJECT, description="风机振动")
    # The test's transaction never commits: drain the outbox rows the saves wrote, as the
    # after-commit task would.
    indexing.drain_outbox()
    return ticket_a, ticket_b


@pytest.fixture
def portal_client(client, customer_user):
    client.force_login(customer_user)
    return client


def missing_pk() -> int:
    return (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def comparable(response) -> str:
    """Return the page without what differs by request alone: the masked CSRF token of the
    logout form and the page's own path (the language switch returns to it)."""
    html = response.content.decode().replace(response.wsgi_request.path, "PATH")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def detail_url(pk) -> str:
    return reverse("portal_tickets:detail", args=[pk])


def resolve(ticket, agent):
    actions.change_ticket_status(actor=agent, ticket=ticket, status=TicketStatus.RESOLVED)
    return Satisfaction.objects.get(ticket=ticket)


# --- listing and opening ------------------------------------------------------------------------


def test_the_list_shows_the_own_company_only(portal_client, tickets):
    response = portal_client.get(reverse("portal_tickets:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert A_SUBJECT in html
    assert B_SUBJECT not in html and "乙方制造" not in html


def test_another_companys_ticket_is_the_same_404_as_a_missing_one(portal_client, tickets):
    _ticket_a, ticket_b = tickets
    assert portal_client.get(detail_url(tickets[0].pk)).status_code == 200
    hidden = portal_client.get(detail_url(ticket_b.pk))
    missing = portal_client.get(detail_url(missing_pk()))
    assert hidden.status_code == missing.status_code == 404
    assert comparable(hidden) == comparable(missing)
    assert B_SUBJECT not in hidden.content.decode()


def test_staff_and_strangers_do_not_use_the_portal(client, agent, tickets):
    ticket_a, _ticket_b = tickets
    assert client.get(detail_url(ticket_a.pk)).status_code == 302  # to log in
    client.force_login(agent)  # agents see every ticket, in the agent console
    assert client.get(detail_url(ticket_a.pk)).status_code == 404
    stranger = UserFactory(username="stranger", roles=[Role.CUSTOMER])
    client.force_login(stranger)
    assert client.get(detail_url(ticket_a.pk)).status_code == 404
    html = client.get(reverse("portal_tickets:list")).content.decode()
    assert A_SUBJECT not in html


# --- JSON ---------------------------------------------------------------------------------------


def test_the_json_list_and_detail_hold_the_own_company_only(portal_client, tickets):
    ticket_a, ticket_b = tickets
    data = portal_client.get(reverse("portal_tickets:api_list")).json()
    assert data["total"] == 1
    assert [t["number"] for t in data["tickets"]] == [ticket_a.number]
    assert B_SUBJECT not in json.dumps(data, ensure_ascii=False)

    detail = portal_client.get(reverse("portal_tickets:api_detail", args=[ticket_a.pk]))
    assert detail.status_code == 200 and detail.json()["subject"] == A_SUBJECT

    hidden = portal_client.get(reverse("portal_tickets:api_detail", args=[ticket_b.pk]))
    missing = portal_client.get(reverse("portal_tickets:api_detail", args=[missing_pk()]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_the_json_endpoints_need_a_login(client, tickets):
    assert client.get(reverse("portal_tickets:api_list")).status_code == 401
    response = client.get(reverse("portal_tickets:api_detail", args=[tickets[0].pk]))
    assert response.status_code == 401
    assert A_SUBJECT not in response.content.decode()


# --- writing to another company's ticket --------------------------------------------------------


def test_replying_to_another_companys_ticket_is_a_404_and_stores_nothing(portal_client, tickets):
    _ticket_a, ticket_b = tickets
    response = portal_client.post(
        reverse("portal_tickets:reply", args=[ticket_b.pk]), {"body": "我也来说两句"}
    )
    assert response.status_code == 404
    assert not TicketReply.objects.filter(ticket=ticket_b).exists()
    assert not TicketEvent.objects.filter(ticket=ticket_b, kind=TicketEventKind.REPLY).exists()


def test_rating_another_companys_ticket_is_a_404_and_stores_nothing(portal_client, tickets, agent):
    _ticket_a, ticket_b = tickets
    satisfaction = resolve(ticket_b, agent)
    response = portal_client.post(
        reverse("portal_tickets:rate_ticket", args=[ticket_b.pk]), {"rating": "1"}
    )
    assert response.status_code == 404
    satisfaction.refresh_from_db()
    assert satisfaction.rating is None


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["search:api", "help_search:api"])
def test_search_finds_nothing_of_another_companys_ticket(portal_client, tickets, url_name):
    response = portal_client.get(reverse(url_name), {"q": B_WORD})
    data = response.json()
    assert response.status_code == 200
    assert data["total"] == 0 and data["hits"] == []
    for values in data["facets"].values():
        assert all(value["count"] == 0 for value in values)
    text = json.dumps(data, ensure_ascii=False)
    assert B_SUBJECT not in text and "乙方制造" not in text


def test_search_finds_the_own_ticket_in_the_staff_search(portal_client, tickets):
    # The same search that finds nothing of B's finds A's own ticket: the index is not empty.
    data = portal_client.get(reverse("search:api"), {"q": "空压机"}).json()
    assert data["total"] == 1 and data["hits"][0]["title"] == A_SUBJECT


def test_an_agent_finds_the_other_ticket(client, agent, tickets):
    client.force_login(agent)
    data = client.get(reverse("search:api"), {"q": B_WORD}).json()
    assert data["total"] == 1


# --- what the customer sees of a ticket ------------------------------------------------------------


def test_internal_notes_and_events_never_show(portal_client, tickets, agent):
    ticket_a, _ticket_b = tickets
    actions.reply_to_ticket(actor=agent, ticket=ticket_a, body="您好，请检查冷却风扇。")
    actions.reply_to_ticket(actor=agent, ticket=ticket_a, body=INTERNAL_NOTE, internal=True)
    TicketEvent.objects.create(
        ticket=ticket_a, kind=TicketEventKind.ESCALATED, message=INTERNAL_EVENT, internal=True
    )
    TicketEvent.objects.create(
        ticket=ticket_a, kind=TicketEventKind.STATUS, message="公开事件：处理中", internal=False
    )

    html = portal_client.get(detail_url(ticket_a.pk)).content.decode()
    data = portal_client.get(reverse("portal_tickets:api_detail", args=[ticket_a.pk])).json()
    text = json.dumps(data, ensure_ascii=False)
    for shown in (html, text):
        assert "您好，请检查冷却风扇。" in shown
        assert "公开事件：处理中" in shown
        assert INTERNAL_NOTE not in shown
        assert INTERNAL_EVENT not in shown
        assert agent.username not in shown  # staff are "customer service"


# --- the customer's own writes --------------------------------------------------------------------


def test_the_customer_opens_a_ticket_for_the_own_company(portal_client, company_a, company_b):
    response = portal_client.post(
        reverse("portal_tickets:new"),
        {"subject": "打印机卡纸", "description": "每天卡纸三次", "category": "fault"},
    )
    ticket = Ticket.objects.get(subject="打印机卡纸")
    assert response.status_code == 302 and response["Location"] == detail_url(ticket.pk)
    assert ticket.customer == company_a and ticket.channel == "portal"


def test_a_customer_with_two_accounts_cannot_open_a_ticket_for_a_third(
    portal_client, customer_user, company_a, company_b
):
    second = CustomerFactory(name="甲方子公司")
    second.portal_users.add(customer_user)
    response = portal_client.post(
        reverse("portal_tickets:new"),
        {"customer": company_b.pk, "subject": "越权工单", "category": "question"},
    )
    assert response.status_code == 400
    assert not Ticket.objects.filter(subject="越权工单").exists()
    response = portal_client.post(
        reverse("portal_tickets:new"),
        {"customer": second.pk, "subject": "子公司工单", "category": "question"},
    )
    assert Ticket.objects.get(subject="子公司工单").customer == second


def test_a_reply_on_a_resolved_ticket_reopens_it(portal_client, tickets, agent):
    ticket_a, _ticket_b = tickets
    resolve(ticket_a, agent)
    response = portal_client.post(
        reverse("portal_tickets:reply", args=[ticket_a.pk]), {"body": "问题又出现了"}
    )
    assert response.status_code == 302
    ticket_a.refresh_from_db()
    assert ticket_a.status == TicketStatus.OPEN and ticket_a.reopened_count == 1
    reply = TicketReply.objects.get(ticket=ticket_a, body="问题又出现了")
    assert reply.from_customer and not reply.internal


def test_the_customer_rates_a_resolved_ticket_in_the_portal(portal_client, tickets, agent):
    ticket_a, _ticket_b = tickets
    url = reverse("portal_tickets:rate_ticket", args=[ticket_a.pk])
    assert url not in portal_client.get(detail_url(ticket_a.pk)).content.decode()
    portal_client.post(url, {"rating": "5"})  # not resolved yet: nothing to rate
    assert not Satisfaction.objects.filter(ticket=ticket_a, rating__isnull=False).exists()

    satisfaction = resolve(ticket_a, agent)
    assert url in portal_client.get(detail_url(ticket_a.pk)).content.decode()
    portal_client.post(url, {"rating": "4", "comment": "响应很快"})
    satisfaction.refresh_from_db()
    assert (satisfaction.rating, satisfaction.comment, satisfaction.via) == (
        4,
        "响应很快",
        SatisfactionVia.PORTAL,
    )


# --- published for the company ---------------------------------------------------------------------


def test_the_index_lists_what_is_published_for_the_company(portal_client, company_a, company_b):
    category = build_page("category", home_page(), title="售后")
    build_page(
        "faq",
        category,
        title="甲方专属保养周期",
        level=Confidentiality.CUSTOMERS,
        customers=[company_a],
    )
    build_page(
        "article",
        category,
        title="乙方专属操作手册",
        level=Confidentiality.CUSTOMERS,
        customers=[company_b],
    )
    build_page("article", category, title="内部培训资料", level=Confidentiality.INTERNAL)
    build_page(
        "faq",
        category,
        title="甲方草稿",
        level=Confidentiality.CUSTOMERS,
        customers=[company_a],
        publish=False,
    )

    html = portal_client.get(reverse("portal_tickets:list")).content.decode()
    assert "甲方专属保养周期" in html
    assert "乙方专属操作手册" not in html
    assert "内部培训资料" not in html
    assert "甲方草稿" not in html


# --- the rating link -------------------------------------------------------------------------------


@pytest.fixture
def satisfaction(tickets, agent):
    return resolve(tickets[0], agent)


def rate_url(satisfaction) -> str:
    return reverse("portal_tickets:rate", args=[satisfaction.token])


def test_the_rating_link_works_without_login(client, satisfaction):
    page = client.get(rate_url(satisfaction))
    html = page.content.decode()
    assert page.status_code == 200
    assert satisfaction.ticket.number in html and A_SUBJECT in html
    assert "排气温度 110℃" not in html  # number and subject only
    assert page["Referrer-Policy"] == "no-referrer"

    response = client.post(rate_url(satisfaction), {"rating": "3", "comment": "还可以"})
    assert response.status_code == 302
    satisfaction.refresh_from_db()
    assert (satisfaction.rating, satisfaction.comment, satisfaction.via) == (
        3,
        "还可以",
        SatisfactionVia.LINK,
    )


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_the_rating_link_rejects_ratings_outside_1_to_5(client, satisfaction, rating):
    response = client.post(rate_url(satisfaction), {"rating": rating})
    assert response.status_code == 400
    satisfaction.refresh_from_db()
    assert satisfaction.rating is None


def test_a_second_rating_replaces_the_first(client, satisfaction):
    client.post(rate_url(satisfaction), {"rating": "2", "comment": "太慢"})
    client.post(rate_url(satisfaction), {"rating": "5", "comment": "后来解决得很好"})
    satisfaction.refresh_from_db()
    assert (satisfaction.rating, satisfaction.comment) == (5, "后来解决得很好")
    assert Satisfaction.objects.filter(ticket=satisfaction.ticket).count() == 1


def test_a_bad_token_is_a_404(client, satisfaction):
    assert client.get(reverse("portal_tickets:rate", args=["not-a-token"])).status_code == 404
    response = client.post(reverse("portal_tickets:rate", args=["not-a-token"]), {"rating": "5"})
    assert response.status_code == 404
    satisfaction.refresh_from_db()
    assert satisfaction.rating is None

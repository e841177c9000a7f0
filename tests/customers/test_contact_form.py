"""The help centre's contact form: FAQs suggested first (only ones the visitor may see), the
answer that helped recorded as a deflection, a ticket only when the customer still needs help,
and nothing that tells a visitor whether an e-mail address belongs to a customer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from customers.tickets.models import ContactAttempt, ContactOutcome, Ticket
from permissions.models import Confidentiality
from search import indexing
from tests.factories import ContactFactory, CustomerFactory
from tests.kb.test_page_matrix import build_page, home_page

pytestmark = pytest.mark.django_db

QUESTION = "空调不制冷怎么办"
PUBLIC_FAQ = "空调不制冷怎么处理"
INTERNAL_FAQ = "空调不制冷的内部维修流程"
COMPANY_FAQ = "甲方空调不制冷专属处理方案"
OTHER_COMPANY_FAQ = "乙方空调不制冷专属处理方案"

CONTACT_URL = "help_contact:contact"


@pytest.fixture
def company(customer_user):
    company = CustomerFactory(name="甲方科技有限公司")
    company.portal_users.add(customer_user)
    return company


@pytest.fixture
def other_company():
    return CustomerFactory(name="乙方制造有限公司")


@pytest.fixture
def faqs(company, other_company):
    """A public FAQ, an internal one and one for each company, all about the same problem."""
    category = build_page("category", home_page(), title="空调售后")
    answer = "<p>空调不制冷时，先检查滤网是否堵塞，再检查室外机是否运转。</p>"
    pages = {
        "public": build_page("faq", category, title=PUBLIC_FAQ, answer=answer),
        "internal": build_page(
            "faq", category, title=INTERNAL_FAQ, answer=answer, level=Confidentiality.INTERNAL
        ),
        "company": build_page(
            "faq",
            category,
            title=COMPANY_FAQ,
            answer=answer,
            level=Confidentiality.CUSTOMERS,
            customers=[company],
        ),
        "other": build_page(
            "faq",
            category,
            title=OTHER_COMPANY_FAQ,
            answer=answer,
            level=Confidentiality.CUSTOMERS,
            customers=[other_company],
        ),
    }
    indexing.drain_outbox()  # the test's transaction never commits: index as the task would
    return pages


def suggest(client, q: str) -> list[dict]:
    response = client.get(reverse("help_contact:suggest"), {"q": q})
    assert response.status_code == 200
    return response.json()["suggestions"]


def visitor_data(**extra) -> dict:
    return {
        "question": QUESTION,
        "details": "客厅的空调开了一小时还是30度。",
        "category": "fault",
        "name": "李雷",
        "email": "lilei@example.cn",
        "phone": "13800000000",
        "action": "ticket",
        **extra,
    }


# --- suggestions --------------------------------------------------------------------------------


def test_suggestions_show_a_matching_public_faq_to_a_visitor(client, faqs):
    suggestions = suggest(client, QUESTION)
    titles = [item["title"] for item in suggestions]
    assert PUBLIC_FAQ in titles
    assert INTERNAL_FAQ not in titles
    assert COMPANY_FAQ not in titles and OTHER_COMPANY_FAQ not in titles
    item = next(item for item in suggestions if item["title"] == PUBLIC_FAQ)
    assert item["id"] == faqs["public"].pk
    assert item["url"] == faqs["public"].url
    assert "滤网" in item["snippet"] and "<" not in item["snippet"]


def test_a_portal_user_is_also_shown_what_is_published_for_the_company(client, customer_user, faqs):
    client.force_login(customer_user)
    titles = [item["title"] for item in suggest(client, QUESTION)]
    assert PUBLIC_FAQ in titles and COMPANY_FAQ in titles
    assert OTHER_COMPANY_FAQ not in titles and INTERNAL_FAQ not in titles


def test_no_suggestions_for_an_empty_or_unrelated_question(client, faqs):
    assert suggest(client, "") == []
    assert suggest(client, "发票抬头怎么修改") == []


def test_the_page_loads_its_script_and_styles_without_inline_code(client):
    html = client.get(reverse(CONTACT_URL)).content.decode()
    assert "tickets/contact.js" in html and "tickets/portal.css" in html
    assert reverse("javascript-catalog") in html
    assert reverse("help_contact:suggest") in html
    assert "<script>" not in html


# --- finding answers and deflection --------------------------------------------------------------


def test_find_answers_shows_the_faq_and_records_an_open_attempt(client, faqs):
    response = client.post(reverse(CONTACT_URL), {"question": QUESTION, "action": "find"})
    html = response.content.decode()
    assert response.status_code == 200
    assert PUBLIC_FAQ in html and INTERNAL_FAQ not in html
    assert f'name="faq" value="{faqs["public"].pk}"' in html
    attempt = ContactAttempt.objects.get()
    assert attempt.outcome == ContactOutcome.ABANDONED
    assert attempt.text == QUESTION and faqs["public"].pk in attempt.suggested
    assert attempt.user is None
    assert not Ticket.objects.exists()


def test_this_answered_my_question_records_a_deflection(client, faqs):
    client.post(reverse(CONTACT_URL), {"question": QUESTION, "action": "find"})
    response = client.post(reverse(CONTACT_URL), {"question": QUESTION, "faq": faqs["public"].pk})
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()  # the same attempt, finished
    assert attempt.outcome == ContactOutcome.DEFLECTED
    assert attempt.faq_page_id == faqs["public"].pk
    assert not Ticket.objects.exists()


def test_a_deflection_without_finding_first_is_one_new_attempt(client, customer_user, faqs):
    # With JavaScript the suggestions come live; the first post is the answer.
    client.force_login(customer_user)
    client.post(reverse(CONTACT_URL), {"question": QUESTION, "faq": faqs["company"].pk})
    attempt = ContactAttempt.objects.get()
    assert attempt.outcome == ContactOutcome.DEFLECTED and attempt.user == customer_user
    assert attempt.faq_page_id == faqs["company"].pk
    assert faqs["company"].pk in attempt.suggested


def test_an_faq_the_visitor_may_not_see_is_not_recorded(client, faqs):
    for page in (faqs["internal"], faqs["company"]):
        response = client.post(reverse(CONTACT_URL), {"question": QUESTION, "faq": page.pk})
        assert response.status_code == 404
    assert not ContactAttempt.objects.filter(outcome=ContactOutcome.DEFLECTED).exists()


# --- still need help -----------------------------------------------------------------------------


def test_a_portal_user_who_still_needs_help_gets_a_ticket(client, customer_user, company, faqs):
    client.force_login(customer_user)
    client.post(reverse(CONTACT_URL), {"question": QUESTION, "action": "find"})
    response = client.post(
        reverse(CONTACT_URL),
        {"question": QUESTION, "details": "滤网刚洗过。", "category": "fault", "action": "ticket"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_tickets:detail", args=[ticket.pk])
    assert ticket.customer == company and ticket.channel == "portal"
    assert ticket.subject == QUESTION and "滤网刚洗过。" in ticket.description
    assert ticket.created_by == customer_user
    attempt = ContactAttempt.objects.get()
    assert attempt.outcome == ContactOutcome.TICKET and attempt.ticket == ticket
    assert faqs["public"].pk in attempt.suggested


def test_a_visitor_whose_address_is_a_contacts_gets_a_ticket_for_that_customer(client, faqs):
    customer = CustomerFactory(name="丙方物流")
    contact = ContactFactory(customer=customer, email="LiLei@example.cn")
    response = client.post(reverse(CONTACT_URL), visitor_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("help_contact:sent")
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.contact) == (customer, contact)
    assert ticket.requester_email == "lilei@example.cn" and ticket.created_by is None
    assert "13800000000" in ticket.description and "李雷" in ticket.description
    attempt = ContactAttempt.objects.get()
    assert attempt.outcome == ContactOutcome.TICKET and attempt.ticket == ticket
    # Nothing of the ticket reaches the visitor.
    page = client.get(response["Location"]).content.decode()
    assert ticket.number not in page and "丙方物流" not in page


def test_a_visitor_with_an_unknown_address_is_told_the_same_and_gets_no_ticket(client, faqs):
    ContactFactory(customer=CustomerFactory(name="丙方物流"), email="someone@example.cn")
    known = Client().post(reverse(CONTACT_URL), visitor_data(email="someone@example.cn"))
    unknown = client.post(reverse(CONTACT_URL), visitor_data(email="stranger@example.cn"))
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert Ticket.objects.count() == 1  # the known address's only
    attempt = ContactAttempt.objects.get(ticket__isnull=True)
    assert attempt.outcome == ContactOutcome.TICKET
    assert QUESTION in attempt.text and "stranger@example.cn" in attempt.text
    assert "13800000000" in attempt.text


def test_an_address_two_customers_share_attaches_to_neither(client, faqs):
    ContactFactory(customer=CustomerFactory(), email="shared@example.cn")
    ContactFactory(customer=CustomerFactory(), email="shared@example.cn")
    client.post(reverse(CONTACT_URL), visitor_data(email="shared@example.cn"))
    assert not Ticket.objects.exists()
    assert ContactAttempt.objects.get().outcome == ContactOutcome.TICKET


def test_a_visitor_must_say_how_to_reach_them(client, faqs):
    response = client.post(reverse(CONTACT_URL), visitor_data(email="", phone=""))
    assert response.status_code == 400
    assert not Ticket.objects.exists() and not ContactAttempt.objects.exists()


# --- abuse ----------------------------------------------------------------------------------------


def test_the_honeypot_stores_nothing(client, faqs):
    ContactFactory(customer=CustomerFactory(), email="lilei@example.cn")
    response = client.post(reverse(CONTACT_URL), visitor_data(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("help_contact:sent")
    response = client.post(
        reverse(CONTACT_URL),
        {"question": QUESTION, "faq": faqs["public"].pk, "website": "http://spam.example"},
    )
    assert not Ticket.objects.exists() and not ContactAttempt.objects.exists()


def test_posting_needs_the_csrf_token(faqs):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse(CONTACT_URL), visitor_data()).status_code == 403
    assert not Ticket.objects.exists() and not ContactAttempt.objects.exists()

"""Guarded loads, page serving and the customer-service rules."""

from __future__ import annotations

import pytest

from customers.models import Contact, Customer
from customers.tickets.models import Ticket
from documents.models import KnowledgeDocument
from kb.models import ArticlePage
from permissions.access import ItemNotFound, access_item_by_id
from permissions.models import Confidentiality
from permissions.policy import can_view, visible_to
from tests.factories import ContactFactory, CustomerFactory, TicketFactory
from tests.permissions.conftest import make_article, make_document


@pytest.mark.django_db
@pytest.mark.parametrize("model", [ArticlePage, KnowledgeDocument])
def test_access_raises_the_same_error_for_missing_and_forbidden(
    model, customer_user, agent, category
):
    item = (
        make_article(category, confidentiality=Confidentiality.INTERNAL)
        if model is ArticlePage
        else make_document(confidentiality=Confidentiality.INTERNAL)
    )
    missing_pk = model.objects.order_by("-pk").first().pk + 1000

    with pytest.raises(ItemNotFound) as forbidden:
        access_item_by_id(customer_user, model, item.pk)
    with pytest.raises(ItemNotFound) as missing:
        access_item_by_id(customer_user, model, missing_pk)
    with pytest.raises(ItemNotFound) as malformed:
        access_item_by_id(customer_user, model, "not-a-number")

    assert type(forbidden.value) is type(missing.value) is type(malformed.value)
    assert str(forbidden.value) == str(missing.value) == str(malformed.value)
    assert access_item_by_id(agent, model, item.pk) == item


@pytest.mark.django_db
def test_access_to_tickets_goes_through_the_service_rule(customer_user, rnd_engineer):
    own = TicketFactory()
    own.customer.portal_users.add(customer_user)
    other = TicketFactory()

    assert access_item_by_id(customer_user, Ticket, own.pk) == own
    with pytest.raises(ItemNotFound):
        access_item_by_id(customer_user, Ticket, other.pk)
    with pytest.raises(ItemNotFound):
        access_item_by_id(rnd_engineer, Ticket, own.pk)


@pytest.mark.django_db
def test_serve_hook_hides_department_pages_from_outsiders(
    client, rnd_engineer, trainer, knowledge_manager, rnd_department, category
):
    page = make_article(
        category, confidentiality=Confidentiality.DEPARTMENT, departments=[rnd_department]
    )
    url = page.url

    assert client.get(url).status_code == 404  # anonymous
    client.force_login(trainer)
    assert client.get(url).status_code == 404
    client.force_login(rnd_engineer)
    response = client.get(url)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    client.force_login(knowledge_manager)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_serve_hook_lets_wagtail_handle_its_own_login_restriction(client, agent, category):
    from wagtail.models import PageViewRestriction

    page = make_article(category, confidentiality=Confidentiality.PUBLIC)
    PageViewRestriction.objects.create(page=page, restriction_type="login")

    response = client.get(page.url)
    assert response.status_code == 302  # Wagtail's own login redirect, not a 404
    client.force_login(agent)
    assert client.get(page.url).status_code == 200


@pytest.fixture
def accounts(db, customer_user):
    mine = CustomerFactory()
    mine.portal_users.add(customer_user)
    theirs = CustomerFactory()
    return {
        "mine": mine,
        "theirs": theirs,
        "my_tickets": [TicketFactory(customer=mine), TicketFactory(customer=mine)],
        "their_tickets": [TicketFactory(customer=theirs)],
        "my_contact": ContactFactory(customer=mine),
        "their_contact": ContactFactory(customer=theirs),
    }


def _pks(user, model):
    return set(visible_to(user, model.objects.all()).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["agent", "knowledge_manager", "administrator"])
def test_service_staff_see_every_ticket_and_customer(request, accounts, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert _pks(user, Ticket) == set(Ticket.objects.values_list("pk", flat=True))
    assert _pks(user, Customer) == {accounts["mine"].pk, accounts["theirs"].pk}
    assert _pks(user, Contact) == {accounts["my_contact"].pk, accounts["their_contact"].pk}
    assert all(can_view(user, t) for t in accounts["their_tickets"])


@pytest.mark.django_db
def test_portal_user_sees_only_their_own_customer(customer_user, accounts):
    assert _pks(customer_user, Ticket) == {t.pk for t in accounts["my_tickets"]}
    assert _pks(customer_user, Customer) == {accounts["mine"].pk}
    assert _pks(customer_user, Contact) == {accounts["my_contact"].pk}
    assert can_view(customer_user, accounts["my_tickets"][0])
    assert not can_view(customer_user, accounts["their_tickets"][0])
    assert not can_view(customer_user, accounts["theirs"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_fixture", ["rnd_engineer", "trainer", "anonymous", "inactive_user", "roleless_user"]
)
def test_others_see_no_service_records(request, accounts, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert _pks(user, Ticket) == set()
    assert _pks(user, Customer) == set()
    assert _pks(user, Contact) == set()
    assert not can_view(user, accounts["my_tickets"][0])


@pytest.mark.django_db
def test_deactivated_portal_user_loses_access(customer_user, accounts):
    customer_user.is_active = False
    customer_user.save(update_fields=["is_active"])
    assert _pks(customer_user, Ticket) == set()

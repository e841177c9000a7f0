"""Private customer fields (address, income, family, preferences) reach only the account manager,
the head of their department and administrators — on every surface — and each look is audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from customers.access import private_fields_for_viewer
from customers.actions import update_customer
from permissions.models import AuditEvent
from permissions.policy import can_see_customer_private
from permissions.roles import Role
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "江苏省苏州市相城区春申路八十八号"
FAMILY = "董事长之子负责采购"
PREFERENCE = "喜欢喝龙井茶"


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="销售部", code="sales")


@pytest.fixture
def manager(sales):
    return UserFactory(username="wangqiang", roles=[Role.SERVICE_AGENT], departments=[sales])


@pytest.fixture
def head(sales):
    # The head of a service/sales department works in the service role like its members.
    user = UserFactory(username="sales-head", roles=[Role.SERVICE_AGENT], departments=[sales])
    sales.head = user
    sales.save()
    return user


@pytest.fixture
def customer(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return CustomerFactory(
            name="苏州恒通汽车零部件",
            account_manager=manager,
            address=ADDRESS,
            annual_income="1860000000.00",
            family_notes=FAMILY,
            preferences=PREFERENCE,
        )


def _leaks(text: str) -> list[str]:
    return [secret for secret in (ADDRESS, FAMILY, PREFERENCE, "1860000000") if secret in text]


def test_who_may_read_private_fields(
    customer, manager, head, agent, knowledge_manager, rnd_engineer, administrator, customer_user
):
    assert can_see_customer_private(manager, customer)
    assert can_see_customer_private(head, customer)
    assert can_see_customer_private(administrator, customer)
    admin_role = UserFactory(roles=[Role.ADMINISTRATOR])
    assert can_see_customer_private(admin_role, customer)
    customer.portal_users.add(customer_user)
    for other in (agent, knowledge_manager, rnd_engineer, customer_user):
        assert not can_see_customer_private(other, customer), other
    # A head of another department does not qualify.
    other_dept = DepartmentFactory(name="研发部", code="rd2", head=rnd_engineer)
    assert other_dept.head == rnd_engineer and not can_see_customer_private(rnd_engineer, customer)


@pytest.mark.parametrize("who", ["agent", "knowledge_manager"])
def test_service_staff_see_the_customer_but_not_its_private_fields(client, request, customer, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:list"),
        reverse("customers:list") + "?q=恒通",
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert customer.name in html and _leaks(html) == []
    # The edit form has no private inputs for them either.
    html = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'name="address"' not in html and _leaks(html) == []


def test_account_manager_sees_private_fields_and_the_look_is_audited(client, customer, manager):
    client.force_login(manager)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert ADDRESS in html and FAMILY in html and PREFERENCE in html
    event = AuditEvent.objects.get(action="customer.view_private")
    assert event.actor == manager and event.object_id == str(customer.pk)
    assert event.extra == {"surface": "customer_page"}


def test_department_head_sees_them_too(client, customer, head):
    client.force_login(head)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert ADDRESS in html


def test_search_never_carries_private_fields(client, customer, manager, agent):
    for user in (agent, manager):
        client.force_login(user)
        for query in ("春申路", "龙井茶", "采购"):
            data = client.get(reverse("search:api"), {"q": query}).json()
            assert _leaks(json.dumps(data, ensure_ascii=False)) == [], (user, query)
            assert all(hit.get("title") != customer.name for hit in data.get("results", [])), query
        # The customer itself is found by its public profile.
        data = client.get(reverse("search:api"), {"q": "恒通"}).json()
        assert customer.name in json.dumps(data, ensure_ascii=False)


def test_other_roles_and_customers_cannot_reach_the_customer_page(
    client, customer, rnd_engineer, customer_user, trainer
):
    customer.portal_users.add(customer_user)
    for user in (rnd_engineer, trainer, customer_user):
        client.force_login(user)
        response = client.get(reverse("customers:detail", args=[customer.pk]))
        assert response.status_code == 404
        assert (
            _leaks(response.content.decode()) == []
            and customer.name not in response.content.decode()
        )
    client.logout()
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 302


def test_only_those_who_read_private_fields_may_change_them(customer, agent, manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        update_customer(actor=agent, customer=customer, changes={"address": "改掉"})
    update_customer(actor=agent, customer=customer, changes={"industry": "汽车"})
    update_customer(actor=manager, customer=customer, changes={"address": "新地址"})
    customer.refresh_from_db()
    assert customer.industry == "汽车" and customer.address == "新地址"
    # The audit row names the changed fields, never their values.
    events = AuditEvent.objects.filter(action="customer.update").order_by("created_at")
    assert [e.extra["fields"] for e in events] == [["industry"], ["address"]]
    assert "新地址" not in json.dumps([e.extra for e in events], ensure_ascii=False)


def test_private_fields_helper_returns_nothing_for_others(customer, agent):
    assert private_fields_for_viewer(agent, customer, surface="api") is None
    assert not AuditEvent.objects.filter(action="customer.view_private").exists()


def test_internal_notes_never_reach_the_ticket_search_record(agent, customer, customer_user):
    """A portal user finds their ticket by its public reply, never by an internal note."""
    from customers.tickets.actions import create_ticket, reply_to_ticket
    from search.indexing import drain_outbox
    from search.service import search

    customer.portal_users.add(customer_user)
    ticket = create_ticket(actor=agent, customer=customer, subject="冷却泵噪声大")
    reply_to_ticket(actor=agent, ticket=ticket, body="已寄出新的轴承座", internal=False)
    reply_to_ticket(actor=agent, ticket=ticket, body="内部备注：客户欠款未结清", internal=True)
    drain_outbox()  # what the worker does after commit
    assert [h.title for h in search("轴承座", viewer=customer_user).hits] == ["冷却泵噪声大"]
    for viewer in (customer_user, agent):
        assert search("欠款未结清", viewer=viewer).total == 0


def test_customer_history_lists_changes_without_their_values(client, customer, manager, agent):
    update_customer(actor=manager, customer=customer, changes={"preferences": "改喝普洱"})
    client.force_login(agent)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "客户已更新" in html
    assert "普洱" not in html

"""Customer records: account managers over time, contacts, interaction records that lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from reversion.models import Version

from customers import actions
from customers.models import AccountManagerChange, Customer, Interaction
from permissions.policy import visible_to
from permissions.roles import Role
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_customer_starts_the_manager_history_and_a_version(agent):
    customer = actions.create_customer(actor=agent, name="宁波明远", code="C9001", grade="A")
    assert customer.account_manager == agent
    period = AccountManagerChange.objects.get(customer=customer)
    assert period.manager == agent and period.ended_at is None
    assert Version.objects.get_for_object(customer).count() == 1


def test_handing_over_keeps_the_history(agent, knowledge_manager):
    successor = UserFactory(username="lisi", roles=[Role.SERVICE_AGENT])
    customer = actions.create_customer(actor=agent, name="东莞鑫达", code="C9002")
    with pytest.raises(PermissionDenied):
        actions.assign_account_manager(actor=agent, customer=customer, manager=successor)
    actions.assign_account_manager(
        actor=knowledge_manager, customer=customer, manager=successor, reason="原客户经理离职"
    )
    customer.refresh_from_db()
    assert customer.account_manager == successor
    history = list(AccountManagerChange.objects.filter(customer=customer).order_by("started_at"))
    assert [h.manager for h in history] == [agent, successor]
    assert history[0].ended_at is not None and history[1].ended_at is None
    assert history[1].reason == "原客户经理离职" and history[1].changed_by == knowledge_manager
    # A portal customer cannot become an account manager.
    with pytest.raises(ValidationError):
        actions.assign_account_manager(
            actor=knowledge_manager,
            customer=customer,
            manager=UserFactory(roles=[Role.CUSTOMER]),
        )


def test_closed_interactions_are_locked_everywhere(client, agent):
    customer = CustomerFactory()
    interaction = actions.save_interaction(
        actor=agent, customer=customer, content="上门巡检拧紧轴", place="苏州工厂", channel="visit"
    )
    actions.save_interaction(
        actor=agent, customer=customer, interaction=interaction, result="更换传感器"
    )
    actions.close_interaction(actor=agent, interaction=interaction)
    with pytest.raises(ValidationError):
        actions.save_interaction(
            actor=agent, customer=customer, interaction=interaction, result="改写"
        )
    stored = Interaction.objects.get(pk=interaction.pk)
    stored.result = "绕过动作直接改"
    with pytest.raises(ValidationError):
        stored.save()
    client.force_login(agent)
    url = reverse("customers:interaction_edit", args=[customer.pk, interaction.pk])
    client.post(url, {"content": "改写", "channel": "phone", "occurred_at": "2026-01-01T10:00"})
    assert Interaction.objects.get(pk=interaction.pk).result == "更换传感器"


def test_interactions_are_the_companys_not_the_customers(agent, customer_user, rnd_engineer):
    customer = CustomerFactory()
    customer.portal_users.add(customer_user)
    actions.save_interaction(actor=agent, customer=customer, content="报价谈判，底价 80 万")
    assert visible_to(agent, Interaction.objects.all()).count() == 1
    assert visible_to(customer_user, Interaction.objects.all()).count() == 0
    assert visible_to(rnd_engineer, Interaction.objects.all()).count() == 0
    with pytest.raises(PermissionDenied):
        actions.save_interaction(actor=customer_user, customer=customer, content="x")


def test_an_account_manager_outside_the_service_desk_sees_only_their_customers(rnd_engineer):
    mine = CustomerFactory(account_manager=rnd_engineer)
    CustomerFactory()
    assert list(visible_to(rnd_engineer, Customer.objects.all())) == [mine]
    actions.save_contact(actor=rnd_engineer, customer=mine, name="黄蕾", wechat="huanglei_nb")
    assert mine.contacts.get().wechat == "huanglei_nb"


def test_customer_360_shows_everything_about_the_customer(client, agent):
    from tests.factories import TicketFactory

    customer = actions.create_customer(actor=agent, name="上海申联", code="C9003")
    actions.save_contact(actor=agent, customer=customer, name="陈静", phone="021-1234")
    actions.save_interaction(actor=agent, customer=customer, content="年度回访")
    TicketFactory(customer=customer, subject="空压机压力不稳")
    TicketFactory(subject="别家的工单")
    client.force_login(agent)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    for text in ("上海申联", "陈静", "年度回访", "空压机压力不稳"):
        assert text in html
    assert "别家的工单" not in html
    assert client.get(reverse("customers:detail", args=[987654])).status_code == 404

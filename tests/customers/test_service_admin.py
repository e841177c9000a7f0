"""The "Service desk" (服务台) admin snippets: knowledge managers configure the workflow, service
agents keep reply templates, and each sees only what their role's model permissions allow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from reversion.models import Version

from customers.tickets.models import (
    AgentGroup,
    AssignmentRule,
    BusinessHours,
    ReplyTemplate,
    SLAPolicy,
)
from permissions.roles import Role
from tests.factories import UserFactory
from tests.kb.test_workflow_support import make_draft_faq

pytestmark = pytest.mark.django_db

MODELS = (AgentGroup, AssignmentRule, BusinessHours, SLAPolicy, ReplyTemplate)


def url(model, view="list", *args):
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


def refused(response) -> bool:
    # Wagtail sends a user without the permission back to the dashboard with a message.
    return response.status_code == 403 or (
        response.status_code == 302 and not response["Location"].startswith(url(SLAPolicy))
    )


def test_role_groups_hold_the_service_desk_permissions():
    manager = set(
        Group.objects.get(name=Role.KNOWLEDGE_MANAGER)
        .permissions.filter(content_type__app_label="tickets")
        .values_list("codename", flat=True)
    )
    for model in MODELS:
        for action in ("view", "add", "change", "delete"):
            assert f"{action}_{model._meta.model_name}" in manager
    agent = set(
        Group.objects.get(name=Role.SERVICE_AGENT)
        .permissions.filter(content_type__app_label="tickets")
        .values_list("codename", flat=True)
    )
    assert agent == {"view_replytemplate", "add_replytemplate", "change_replytemplate"}


def test_a_knowledge_manager_opens_every_listing(client, knowledge_manager):
    SLAPolicy.objects.create(name="紧急工单", priority="urgent", first_response_minutes=30)
    client.force_login(knowledge_manager)
    for model in MODELS:
        response = client.get(url(model))
        assert response.status_code == 200, model
    assert "紧急工单" in client.get(url(SLAPolicy)).content.decode()


def test_an_agent_may_not_open_the_sla_policies(client, agent):
    policy = SLAPolicy.objects.create(name="紧急工单", priority="urgent")
    client.force_login(agent)
    for target in (url(SLAPolicy), url(SLAPolicy, "add"), url(SLAPolicy, "edit", policy.pk)):
        response = client.get(target)
        assert refused(response), target
        assert "紧急工单" not in response.content.decode()
    for model in (AgentGroup, AssignmentRule, BusinessHours):
        assert refused(client.get(url(model))), model


def test_an_agent_lists_and_adds_reply_templates_but_does_not_delete(client, agent):
    template = ReplyTemplate.objects.create(title="重启说明", body="请先断电重启设备。")
    client.force_login(agent)

    assert "重启说明" in client.get(url(ReplyTemplate)).content.decode()
    response = client.post(
        url(ReplyTemplate, "add"),
        {"title": "发票补开", "body": "请提供开票信息。", "keywords": "发票，开票", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    added = ReplyTemplate.objects.get(title="发票补开")
    assert added.created_by == agent
    assert added.keyword_list() == ["发票", "开票"]
    assert Version.objects.get_for_object(added).count() == 1

    assert refused(client.get(url(ReplyTemplate, "delete", template.pk)))
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_the_menu_shows_an_agent_reply_templates_only(client, agent, knowledge_manager):
    client.force_login(agent)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert url(ReplyTemplate) in html
    assert url(SLAPolicy) not in html and url(AssignmentRule) not in html
    client.force_login(knowledge_manager)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for model in MODELS:
        assert url(model) in html, model


def test_a_template_from_an_faq_the_agent_may_not_read_is_hidden(
    client, agent, rnd_engineer, rnd_department
):
    secret_faq = make_draft_faq(rnd_engineer, departments=[rnd_department], title="研发内部问题")
    hidden = ReplyTemplate.objects.create(title="研发内部答复", body="内部", faq=secret_faq)
    client.force_login(agent)
    assert "研发内部答复" not in client.get(url(ReplyTemplate)).content.decode()
    assert client.get(url(ReplyTemplate, "edit", hidden.pk)).status_code == 404
    response = client.post(
        url(ReplyTemplate, "add"), {"title": "借用", "body": "x", "faq": secret_faq.pk}
    )
    assert response.status_code == 200
    assert not ReplyTemplate.objects.filter(title="借用").exists()

    client.force_login(rnd_engineer)  # no service-desk permission at all
    assert refused(client.get(url(ReplyTemplate)))


def test_business_hours_form_takes_weekdays_and_date_lines(client, knowledge_manager):
    client.force_login(knowledge_manager)
    response = client.post(
        url(BusinessHours, "add"),
        {
            "name": "标准工作时间",
            "weekdays": ["1", "2", "3", "4", "5"],
            "start": "09:00",
            "end": "18:00",
            "holidays": "2026-10-01\n2026-10-02, 2026-10-01",
            "extra_workdays": "2026-09-27",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    hours = BusinessHours.objects.get(name="标准工作时间")
    assert hours.weekdays == [1, 2, 3, 4, 5]
    assert (hours.start, hours.end) == (dt.time(9), dt.time(18))
    assert hours.holidays == ["2026-10-01", "2026-10-02"]
    assert hours.extra_workdays == ["2026-09-27"]
    edit = client.get(url(BusinessHours, "edit", hours.pk)).content.decode()
    assert "2026-10-01\n2026-10-02" in edit


def test_business_hours_form_rejects_bad_calendars(client, knowledge_manager):
    client.force_login(knowledge_manager)
    response = client.post(
        url(BusinessHours, "add"),
        {"name": "坏日历", "start": "18:00", "end": "09:00", "holidays": "10月1日"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"end", "weekdays", "holidays"}
    assert not BusinessHours.objects.filter(name="坏日历").exists()


def test_group_lead_and_agents_are_chosen_among_service_staff(
    client, knowledge_manager, agent, rnd_engineer
):
    client.force_login(knowledge_manager)
    form = client.get(url(AgentGroup, "add")).context["form"]
    assert agent in form.fields["lead"].queryset
    assert rnd_engineer not in form.fields["members"].queryset
    response = client.post(
        url(AgentGroup, "add"), {"name": "售后一组", "lead": agent.pk, "members": [agent.pk]}
    )
    assert response.status_code == 302
    group = AgentGroup.objects.get(name="售后一组")
    assert (group.lead, list(group.members.all())) == (agent, [agent])


def test_an_administrator_without_superuser_manages_the_service_desk(client):
    admin = UserFactory(username="admin2", roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    assert client.get(url(SLAPolicy, "add")).status_code == 200

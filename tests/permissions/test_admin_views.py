"""Admin views: the read-only audit log, departments, and departments on the user form."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from permissions.actions import log_audit_event
from permissions.models import AuditEvent, Department
from tests.factories import UserFactory

AUDIT_INDEX = "audit_log:index"


@pytest.fixture
def events(db, agent, rnd_engineer, rnd_department):
    return [
        log_audit_event(actor=agent, action="ticket.reply", obj=agent),
        log_audit_event(actor=rnd_engineer, action="document.upload", obj=rnd_department),
        log_audit_event(actor=rnd_engineer, action="document.upload", obj=rnd_engineer),
    ]


def _rows(response):
    return response.context["object_list"]


@pytest.mark.django_db
def test_administrator_sees_the_audit_log(client, administrator, events):
    client.force_login(administrator)
    response = client.get(reverse(AUDIT_INDEX))
    assert response.status_code == 200
    content = response.content.decode()
    assert "ticket.reply" in content and "document.upload" in content
    assert {e.pk for e in _rows(response)} >= {e.pk for e in events}


@pytest.mark.django_db
def test_knowledge_manager_sees_the_audit_log(client, knowledge_manager, events):
    client.force_login(knowledge_manager)
    response = client.get(reverse(AUDIT_INDEX))
    assert response.status_code == 200
    assert "ticket.reply" in response.content.decode()


@pytest.mark.django_db
def test_audit_log_filters(client, administrator, agent, rnd_department, events):
    client.force_login(administrator)
    url = reverse(AUDIT_INDEX)

    by_action = _rows(client.get(url, {"action": "document.upload"}))
    assert {e.pk for e in by_action} == {events[1].pk, events[2].pk}

    by_actor = _rows(client.get(url, {"actor": agent.pk}))
    assert [e.pk for e in by_actor] == [events[0].pk]

    from django.contrib.contenttypes.models import ContentType

    department_type = ContentType.objects.get_for_model(rnd_department)
    by_type = _rows(client.get(url, {"object_type": department_type.pk}))
    assert [e.pk for e in by_type] == [events[1].pk]

    searched = _rows(client.get(url, {"q": "研发"}))
    assert [e.pk for e in searched] == [events[1].pk]


@pytest.mark.django_db
def test_audit_log_filters_by_date_range(client, administrator, agent):
    import datetime

    from django.utils import timezone

    old = AuditEvent.objects.create(
        action="old.event", created_at=timezone.now() - datetime.timedelta(days=30)
    )
    new = log_audit_event(actor=agent, action="new.event")
    client.force_login(administrator)
    today = timezone.localdate()
    rows = _rows(
        client.get(
            reverse(AUDIT_INDEX),
            {
                "created_at_from": (today - datetime.timedelta(days=1)).isoformat(),
                "created_at_to": today.isoformat(),
            },
        )
    )
    pks = {e.pk for e in rows}
    assert new.pk in pks and old.pk not in pks


@pytest.mark.django_db
def test_audit_log_is_paginated(client, administrator, agent):
    for i in range(55):
        log_audit_event(actor=agent, action=f"bulk.{i:02d}")
    client.force_login(administrator)
    first = client.get(reverse(AUDIT_INDEX))
    second = client.get(reverse(AUDIT_INDEX), {"p": 2})
    assert len(_rows(first)) == 50
    assert 5 <= len(_rows(second)) < 50


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["agent", "rnd_engineer", "trainer"])
def test_others_are_refused_the_audit_log(request, client, user_fixture, events):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse(AUDIT_INDEX))
    assert response.status_code in (302, 403)
    assert b"ticket.reply" not in response.content
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert reverse(AUDIT_INDEX).encode() not in home.content
    inspect = client.get(reverse("audit_log:inspect", args=[events[0].pk]))
    assert inspect.status_code in (302, 403)


@pytest.mark.django_db
def test_administrator_has_the_menu_item_and_inspect_view(client, administrator, events):
    client.force_login(administrator)
    home = client.get(reverse("wagtailadmin_home"))
    assert reverse(AUDIT_INDEX).encode() in home.content
    inspect = client.get(reverse("audit_log:inspect", args=[events[0].pk]))
    assert inspect.status_code == 200
    assert "ticket.reply" in inspect.content.decode()


@pytest.mark.django_db
def test_the_audit_log_has_no_write_views(client, administrator, events):
    for name in ("add", "edit", "delete", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"audit_log:{name}", args=[events[0].pk] if name != "add" else [])
    client.force_login(administrator)
    response = client.get(reverse(AUDIT_INDEX))
    assert b"/audit-log/new/" not in response.content
    assert b"/audit-log/edit/" not in response.content


@pytest.mark.django_db
def test_administrator_manages_departments_with_an_audit_row(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("departments:index")).status_code == 200
    response = client.post(
        reverse("departments:add"), {"name": "质量部", "code": "qa", "parent": ""}
    )
    assert response.status_code == 302
    department = Department.objects.get(code="qa")
    assert AuditEvent.objects.filter(
        action="department.create", object_id=str(department.pk), actor=administrator
    ).exists()

    response = client.post(
        reverse("departments:edit", args=[department.pk]),
        {"name": "质量保证部", "code": "qa", "parent": ""},
    )
    assert response.status_code == 302
    assert Department.objects.get(pk=department.pk).name == "质量保证部"
    assert AuditEvent.objects.filter(action="department.update").exists()


@pytest.mark.django_db
def test_agent_cannot_manage_departments(client, agent, rnd_department):
    client.force_login(agent)
    assert client.get(reverse("departments:index")).status_code in (302, 403)
    response = client.post(reverse("departments:add"), {"name": "黑客部", "code": "x"})
    assert response.status_code in (302, 403)
    assert not Department.objects.filter(code="x").exists()


@pytest.mark.django_db
def test_administrator_sets_departments_on_the_user_form(
    client, administrator, rnd_department, service_department
):
    user = UserFactory(username="newbie", departments=[service_department])
    client.force_login(administrator)
    url = reverse("wagtailusers_users:edit", args=[user.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="departments"' in form_page.content.decode()

    response = client.post(
        url,
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "first_name": "小明",
            "last_name": "王",
            "is_active": "on",
            "departments": [rnd_department.pk],
            "position": "测试工程师",
            "phone": "",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert list(user.departments.all()) == [rnd_department]
    assert user.position == "测试工程师"
    event = AuditEvent.objects.get(action="user.set_departments")
    assert event.extra == {"before": ["service"], "after": ["rnd"]}


@pytest.mark.django_db
def test_administrator_creates_a_user_with_departments(client, administrator, rnd_department):
    client.force_login(administrator)
    url = reverse("wagtailusers_users:add")
    assert 'name="departments"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "username": "engineer2",
            "email": "engineer2@example.com",
            "first_name": "小红",
            "last_name": "李",
            "departments": [rnd_department.pk],
            "password1": "Zk-very-long-pass-2026",
            "password2": "Zk-very-long-pass-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from permissions.models import User

    created = User.objects.get(username="engineer2")
    assert list(created.departments.all()) == [rnd_department]
    assert AuditEvent.objects.filter(action="user.create", object_id=str(created.pk)).exists()


@pytest.mark.django_db
def test_audit_rows_about_items_the_viewer_may_not_see_are_left_out(
    client, knowledge_manager, administrator, rnd_engineer
):
    from permissions.models import Confidentiality
    from tests.permissions.conftest import make_document

    secret = make_document(confidentiality=Confidentiality.CONFIDENTIAL, users=[rnd_engineer])
    secret.title = "绝密报价单"
    secret.save()
    open_doc = make_document(confidentiality=Confidentiality.INTERNAL)
    hidden_row = log_audit_event(actor=rnd_engineer, action="document.download", obj=secret)
    shown_row = log_audit_event(actor=rnd_engineer, action="document.download", obj=open_doc)

    client.force_login(knowledge_manager)
    response = client.get(reverse(AUDIT_INDEX))
    assert "绝密报价单" not in response.content.decode()
    rows = {e.pk for e in _rows(response)}
    assert shown_row.pk in rows and hidden_row.pk not in rows
    assert client.get(reverse("audit_log:inspect", args=[hidden_row.pk])).status_code == 404
    assert client.get(reverse("audit_log:inspect", args=[shown_row.pk])).status_code == 200

    client.force_login(administrator)
    response = client.get(reverse(AUDIT_INDEX))
    assert "绝密报价单" in response.content.decode()


@pytest.mark.django_db
def test_audit_filter_choices_come_only_from_rows_the_viewer_may_see(
    client, knowledge_manager, rnd_engineer, trainer
):
    from permissions.models import Confidentiality
    from tests.permissions.conftest import make_document

    secret = make_document(confidentiality=Confidentiality.CONFIDENTIAL, users=[trainer])
    log_audit_event(actor=trainer, action="document.download", obj=secret)
    log_audit_event(actor=rnd_engineer, action="department.touch", obj=rnd_engineer)

    client.force_login(knowledge_manager)
    filters = client.get(reverse(AUDIT_INDEX)).context["filters"]
    actors = set(filters.form.fields["actor"].queryset)
    assert rnd_engineer in actors and trainer not in actors
    document_type = ContentType.objects.get_for_model(secret)
    assert document_type not in set(filters.form.fields["object_type"].queryset)

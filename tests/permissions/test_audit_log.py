"""The audit log is append-only and records who did what, to what, from where."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory

from permissions.actions import create_department, log_audit_event, set_user_departments
from permissions.models import AuditEvent, Department


@pytest.fixture
def event(db, agent):
    return log_audit_event(actor=agent, action="test.touch", obj=agent)


@pytest.mark.django_db
def test_an_event_cannot_be_changed(event):
    event.action = "test.rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    # bulk_update runs inside its own atomic block without a savepoint; give it one.
    with pytest.raises(TypeError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.touch"


@pytest.mark.django_db
def test_an_event_cannot_be_deleted(event):
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_log_audit_event_records_actor_action_object_ip_and_agent(agent, rnd_department):
    request = RequestFactory().post(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 知库测试"
    )
    event = log_audit_event(
        actor=agent, action="department.touch", obj=rnd_department, request=request, extra={"a": 1}
    )
    event.refresh_from_db()

    assert event.actor == agent
    assert event.actor_label == "agent"
    assert event.action == "department.touch"
    assert event.object_type == ContentType.objects.get_for_model(Department)
    assert event.object_id == str(rnd_department.pk)
    assert event.object_label == "研发中心"
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == "Mozilla/5.0 知库测试"
    assert event.extra == {"a": 1}
    assert event.created_at is not None


@pytest.mark.django_db
def test_log_audit_event_without_request_or_user(db):
    from django.contrib.auth.models import AnonymousUser

    event = log_audit_event(actor=AnonymousUser(), action="system.tick")
    assert event.actor is None and event.actor_label == ""
    assert event.ip_address is None and event.user_agent == ""
    assert event.object_type is None and event.object_id == ""


@pytest.mark.django_db
def test_the_row_outlives_its_actor(db):
    from tests.factories import UserFactory

    leaver = UserFactory(username="leaver")
    event = log_audit_event(actor=leaver, action="test.touch")
    leaver.delete()
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.actor_label == "leaver"


@pytest.mark.django_db
def test_login_writes_a_row(client, agent):
    response = client.post(
        "/accounts/login/",
        {"username": "agent", "password": "pw-zhiku-2026"},
        REMOTE_ADDR="198.51.100.1",
        HTTP_USER_AGENT="pytest-browser",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == agent
    assert event.ip_address == "198.51.100.1"
    assert event.user_agent == "pytest-browser"


@pytest.mark.django_db
def test_failed_login_writes_a_row_without_the_password(client, agent):
    response = client.post(
        "/accounts/login/",
        {"username": "agent", "password": "wrong-password"},
        REMOTE_ADDR="198.51.100.2",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.extra == {"username": "agent"}
    assert event.ip_address == "198.51.100.2"
    assert "wrong-password" not in str(event.extra)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_department_actions_write_rows(administrator, agent, rnd_department):
    department = create_department(actor=administrator, name="质量部", code="qa")
    set_user_departments(actor=administrator, user=agent, departments=[department, rnd_department])

    created = AuditEvent.objects.get(action="department.create")
    assert created.actor == administrator and created.object_id == str(department.pk)
    changed = AuditEvent.objects.get(action="user.set_departments")
    assert changed.extra == {"before": ["service"], "after": ["qa", "rnd"]}
    assert set(agent.departments.values_list("code", flat=True)) == {"qa", "rnd"}

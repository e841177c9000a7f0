import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from kb.ops.models import ServiceHeartbeat, TaskFailure
from kb.ops.status import list_queue_statuses, queue_names
from kb.ops.tasks import prune_task_failures_task
from tests.factories import UserFactory

STATUS_URL = "/ops/status/"


def _row(html, service):
    start = html.index(f'data-service="{service}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(STATUS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_agent_is_forbidden(client, agent):
    client.force_login(agent)
    assert client.get(STATUS_URL).status_code == 403


@pytest.mark.django_db
def test_user_with_the_permission_may_view(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_systemstatus"))
    client.force_login(user)
    assert client.get(STATUS_URL).status_code == 200


@pytest.mark.django_db
def test_inactive_users_may_not_view_even_with_the_permission():
    from django.contrib.auth.models import AnonymousUser

    from kb.ops.status import can_view_system_status

    superuser = UserFactory(is_superuser=True, is_active=False)
    granted = UserFactory(is_active=False)
    granted.user_permissions.add(Permission.objects.get(codename="view_systemstatus"))
    assert not can_view_system_status(superuser)
    assert not can_view_system_status(granted)
    assert not can_view_system_status(AnonymousUser())


@pytest.mark.django_db
def test_administrator_sees_live_worker_and_dead_beat(client, administrator, settings):
    settings.KB_HEARTBEAT_INTERVAL = 10
    now = timezone.now()
    ServiceHeartbeat.objects.create(service="worker", hostname="host-a", pid=4321, last_seen=now)
    ServiceHeartbeat.objects.create(service="beat", last_seen=now - timedelta(seconds=31))
    client.force_login(administrator)

    response = client.get(STATUS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-alive="true"' in _row(html, "worker")
    assert "4321" in _row(html, "worker")
    assert 'data-alive="false"' in _row(html, "beat")
    assert 'data-alive="false"' in _row(html, "scheduled_tasks")


@pytest.mark.django_db
def test_worker_without_recent_heartbeat_is_dead(client, administrator, settings):
    settings.KB_HEARTBEAT_INTERVAL = 10
    ServiceHeartbeat.objects.create(
        service="worker", last_seen=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(administrator)
    html = client.get(STATUS_URL).content.decode()
    assert 'data-alive="false"' in _row(html, "worker")


@pytest.mark.django_db
def test_failures_are_counted_and_listed(client, administrator):
    for n in range(3):
        TaskFailure.objects.create(
            task_id=f"id-{n}", task_name="search.tasks.index_item_task", exception=f"Boom {n}"
        )
    TaskFailure.objects.create(
        task_id="old",
        task_name="documents.tasks.extract_text_task",
        exception="Old",
        failed_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(administrator)

    response = client.get(STATUS_URL)

    html = response.content.decode()
    assert 'data-failure-total="4"' in html
    assert response.context["failure_counts"] == {"total": 4, "last_day": 3}
    assert "search.tasks.index_item_task" in html
    assert "Boom 2" in html


@pytest.fixture
def private_queue(settings, tmp_path):
    """A queue of our own on the configured broker (filesystem or Redis), emptied afterwards."""
    from config.celery import app

    name = f"ops-test-{uuid.uuid4().hex[:8]}"
    saved_queue, saved_options = app.conf.task_default_queue, app.conf.broker_transport_options
    app.conf.task_default_queue = name
    if app.conf.broker_url.startswith("filesystem"):
        folders = {key: tmp_path / key for key in ("queue", "control", "processed")}
        for folder in folders.values():
            folder.mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "control_folder": str(folders["control"]),
            "processed_folder": str(folders["processed"]),
        }
    try:
        yield app, name
    finally:
        with app.connection_for_write() as conn:
            conn.SimpleQueue(name).clear()
        app.conf.task_default_queue = saved_queue
        app.conf.broker_transport_options = saved_options


@pytest.mark.django_db
def test_queue_lengths_come_from_the_broker(client, administrator, private_queue):
    app, name = private_queue
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue(name)
        queue.put({"n": 1})
        queue.put({"n": 2})
    client.force_login(administrator)

    response = client.get(STATUS_URL)

    queues = {q.name: q for q in response.context["queues"]}
    assert queues[name].message_count == 2
    assert queues[name].error == ""
    assert f'data-queue="{name}"' in response.content.decode()


def test_unreachable_broker_is_reported_as_unknown():
    from celery import Celery

    app = Celery("unreachable", broker="redis://127.0.0.1:1/0")
    app.conf.broker_connection_timeout = 1
    statuses = list_queue_statuses(app)
    assert [s.name for s in statuses] == queue_names(app)
    assert statuses[0].message_count is None
    assert statuses[0].error


def test_queue_names_include_routed_queues():
    from celery import Celery

    app = Celery("routes")
    app.conf.task_routes = {"search.tasks.*": {"queue": "search"}}
    assert queue_names(app) == ["celery", "search"]


@pytest.mark.django_db
def test_prune_deletes_only_old_failures():
    old = TaskFailure.objects.create(
        task_id="old", task_name="t", exception="e", failed_at=timezone.now() - timedelta(days=91)
    )
    recent = TaskFailure.objects.create(
        task_id="new", task_name="t", exception="e", failed_at=timezone.now() - timedelta(days=89)
    )
    prune_task_failures_task.delay()
    assert not TaskFailure.objects.filter(pk=old.pk).exists()
    assert TaskFailure.objects.filter(pk=recent.pk).exists()


def test_prune_task_is_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "kb.ops.tasks.prune_task_failures_task" in tasks
    assert "kb.ops.tasks.record_scheduled_heartbeat_task" in tasks


@pytest.mark.django_db
def test_health_reports_database_ok_and_nothing_else(client):
    response = client.get("/ops/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_reports_a_broken_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/ops/health/")
    assert response.status_code == 503
    assert b"secret" not in response.content


@pytest.mark.django_db
def test_settings_menu_item_only_for_allowed_users(rf, administrator, agent):
    from wagtail import hooks

    from kb.ops.wagtail_hooks import SystemStatusMenuItem

    items = [fn() for fn in hooks.get_hooks("register_settings_menu_item")]
    item = next(i for i in items if isinstance(i, SystemStatusMenuItem))
    assert item.url == STATUS_URL
    request = rf.get("/admin/")
    request.user = administrator
    assert item.is_shown(request)
    request.user = agent
    assert not item.is_shown(request)

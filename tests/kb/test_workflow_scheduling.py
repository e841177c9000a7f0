"""Scheduled publishing and expiry run every minute from Celery beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from kb.models import FAQPage
from kb.models.notifications import Notification, NotificationKind
from kb.workflow.tasks import publish_scheduled_pages_task
from permissions.models import Confidentiality
from tests.kb.test_workflow_support import make_draft_faq

pytestmark = pytest.mark.django_db


def test_beat_runs_the_task_every_minute_and_celery_imports_it():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "kb.workflow.tasks.publish_scheduled_pages_task"
    ]
    assert len(entries) == 1 and entries[0]["schedule"] == 60.0
    from config.celery import app

    app.loader.import_default_modules()
    assert "kb.workflow.tasks.publish_scheduled_pages_task" in app.tasks


def test_a_page_whose_go_live_time_has_come_goes_live(
    client, django_capture_on_commit_callbacks, rnd_engineer
):
    page = make_draft_faq(
        rnd_engineer, confidentiality=Confidentiality.PUBLIC, title="定时发布的问题"
    )
    page.go_live_at = timezone.now() + timedelta(minutes=5)
    page.save_revision(user=rnd_engineer).publish()  # approved for later
    page.refresh_from_db()
    assert not page.live

    publish_scheduled_pages_task.delay()
    page.refresh_from_db()
    assert not page.live  # not yet due

    # Five minutes pass (moved back instead: the revision carries its go-live time too).
    past = timezone.now() - timedelta(minutes=1)
    FAQPage.objects.filter(pk=page.pk).update(go_live_at=past)
    revision = page.revisions.get(approved_go_live_at__isnull=False)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_pages_task.delay()
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200
    assert Notification.objects.filter(
        recipient=rnd_engineer, kind=NotificationKind.PUBLISHED, page=page
    ).exists()


def test_an_expired_page_stops_being_served(client, rnd_engineer):
    page = make_draft_faq(
        rnd_engineer, confidentiality=Confidentiality.PUBLIC, title="将过期的问题"
    )
    page.save_revision(user=rnd_engineer).publish()
    page.refresh_from_db()
    url = page.url
    assert client.get(url).status_code == 200

    FAQPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    publish_scheduled_pages_task.delay()
    page.refresh_from_db()
    assert not page.live and page.expired
    assert client.get(url).status_code == 404

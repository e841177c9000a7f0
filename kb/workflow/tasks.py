"""Scheduled publishing: pages whose go-live time has come go live, expired ones stop being served."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone


@shared_task(ignore_result=True)
def publish_scheduled_pages_task() -> None:
    """Run Wagtail's publish_scheduled once; safe to repeat (it acts only on what is due)."""
    # Wagtail's command prints nothing unless it dry-runs; capture it so the worker log stays quiet.
    call_command("publish_scheduled", stdout=io.StringIO())


@shared_task(ignore_result=True)
def notify_review_due_task() -> None:
    """Tell owners about their pages whose review date has come (stale knowledge); repeatable."""
    from kb.review import notify_owners_of_review_due

    notify_owners_of_review_due(today=timezone.localdate())

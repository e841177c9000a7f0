"""Workflow signals -> Zhiku notifications; Wagtail's own workflow e-mails are switched off."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.signals import (
    page_published,
    task_approved,
    task_rejected,
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

from kb.models.notifications import NotificationKind
from kb.workflow.notifications import notify

# Wagtail e-mails every member of a task's groups (and every superuser) about each submission,
# approval and rejection, with the page title, without asking the permission policy: a member who
# may not read a confidential page would still learn its title. Zhiku sends its own notifications
# through kb.workflow.notifications.notify, which asks the policy. See
# wagtail/admin/signal_handlers.py for the receivers these dispatch_uids name.
WAGTAIL_WORKFLOW_EMAIL_RECEIVERS = (
    (task_submitted, TaskState, "group_approval_task_submitted_email_notification"),
    (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification"),
    (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification"),
    (workflow_approved, WorkflowState, "workflow_state_approved_email_notification"),
)


def _wagtail_email_replaced(sender, **kwargs):
    """Hold the dispatch_uid of a Wagtail workflow e-mail so that Wagtail cannot connect it."""


def disconnect_wagtail_workflow_emails() -> None:
    """Remove Wagtail's workflow e-mail receivers, whichever app became ready first.

    Disconnecting helps when wagtail.admin is ready before us; when we come first (kb is listed
    before wagtail.admin), occupying the same dispatch_uid makes Wagtail's later connect() a no-op.
    """
    for signal, sender, uid in WAGTAIL_WORKFLOW_EMAIL_RECEIVERS:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(_wagtail_email_replaced, sender=sender, dispatch_uid=uid)


def _page(workflow_state):
    obj = workflow_state.content_object
    return obj.specific if isinstance(obj, Page) else None


def _authors(workflow_state, page):
    return [workflow_state.requested_by, getattr(page, "owner", None)]


def _moderators(task, page):
    """Return the users who may act on `task` for `page` (the task asks the policy)."""
    task = task.specific
    if hasattr(task, "reviewers"):
        return task.reviewers(page)
    groups = getattr(task, "groups", None)
    if groups is None:
        return []
    users = get_user_model().objects.filter(is_active=True, groups__in=groups.all()).distinct()
    return [user for user in users if task.get_actions(page, user)]


def on_task_submitted(sender, instance, user=None, **kwargs):
    page = _page(instance.workflow_state)
    if page is None:
        return
    notify(
        recipients=_moderators(instance.task, page),
        kind=NotificationKind.SUBMITTED,
        page=page,
        actor=user,
    )


def on_task_rejected(sender, instance, user=None, **kwargs):
    page = _page(instance.workflow_state)
    if page is None:
        return
    notify(
        recipients=_authors(instance.workflow_state, page),
        kind=NotificationKind.CHANGES_REQUESTED,
        page=page,
        actor=user,
        comment=instance.comment,
    )


def on_task_approved(sender, instance, user=None, **kwargs):
    workflow_state = instance.workflow_state
    # The last approval finishes the workflow; on_workflow_approved tells the authors then.
    if workflow_state.status != WorkflowState.STATUS_IN_PROGRESS:
        return
    page = _page(workflow_state)
    if page is None:
        return
    notify(
        recipients=_authors(workflow_state, page),
        kind=NotificationKind.APPROVED,
        page=page,
        actor=user,
        comment=instance.comment,
    )


def on_workflow_approved(sender, instance, user=None, **kwargs):
    page = _page(instance)
    if page is None:
        return
    page.refresh_from_db()
    last = instance.current_task_state
    published = page.live and not page.has_unpublished_changes
    notify(
        recipients=_authors(instance, page),
        # With a go-live date in the future the page is only scheduled; publish_scheduled makes
        # it live and on_page_published tells the owner then.
        kind=NotificationKind.PUBLISHED if published else NotificationKind.APPROVED,
        page=page,
        actor=user,
        comment=last.comment if last is not None else "",
    )


def on_page_published(sender, instance, revision=None, **kwargs):
    # Only scheduled publishing: the revision still carries the go-live time it was approved
    # for. Publishing by a person is told by on_workflow_approved (or needs no telling).
    if revision is None or revision.approved_go_live_at is None:
        return
    notify(
        recipients=[getattr(instance, "owner", None), revision.user],
        kind=NotificationKind.PUBLISHED,
        page=instance,
        actor=None,
    )


def connect() -> None:
    """Connect the workflow notifications and switch Wagtail's workflow e-mails off."""
    disconnect_wagtail_workflow_emails()
    # Task states of both our tasks and Wagtail's are plain TaskState instances.
    task_submitted.connect(on_task_submitted, sender=TaskState, dispatch_uid="kb.task_submitted")
    task_rejected.connect(on_task_rejected, sender=TaskState, dispatch_uid="kb.task_rejected")
    task_approved.connect(on_task_approved, sender=TaskState, dispatch_uid="kb.task_approved")
    workflow_approved.connect(
        on_workflow_approved, sender=WorkflowState, dispatch_uid="kb.workflow_approved"
    )
    page_published.connect(on_page_published, dispatch_uid="kb.page_published")

"""Notifications: only to users who may read the page, by e-mail after commit, in an admin inbox."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

from kb.models.notifications import Notification, NotificationKind
from kb.workflow.notifications import notify
from permissions.models import Confidentiality
from permissions.roles import Role
from tests.factories import UserFactory
from tests.kb.test_workflow_support import make_draft_faq

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_page(rnd_engineer, rnd_department):
    return make_draft_faq(
        rnd_engineer,
        departments=[rnd_department],
        confidentiality=Confidentiality.CONFIDENTIAL,
        title="机密草稿标题",
    )


def test_notify_drops_recipients_who_may_not_read_the_page(
    mailoutbox,
    django_capture_on_commit_callbacks,
    secret_page,
    rnd_engineer,
    agent,
    knowledge_manager,
    customer_user,
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(
            recipients=[agent, knowledge_manager, customer_user, rnd_engineer],
            kind=NotificationKind.SUBMITTED,
            page=secret_page,
            actor=None,
        )
    assert [n.recipient for n in stored] == [rnd_engineer]  # the owner only
    assert [mail.to for mail in mailoutbox] == [[rnd_engineer.email]]


def test_notify_never_tells_the_actor_and_sends_mail_only_after_commit(
    mailoutbox, django_capture_on_commit_callbacks, rnd_engineer, rnd_department, rnd_reviewer
):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[rnd_engineer, rnd_reviewer, rnd_reviewer],
            kind=NotificationKind.SUBMITTED,
            page=page,
            actor=rnd_engineer,
            comment="请审核",
        )
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert [mail.to for mail in mailoutbox] == [[rnd_reviewer.email]]
    assert "请审核" in mailoutbox[0].body
    assert f"/admin/pages/{page.pk}/edit/" in mailoutbox[0].body
    assert Notification.objects.get().recipient == rnd_reviewer


def test_wagtail_workflow_emails_are_switched_off():
    from wagtail.admin import signal_handlers as wagtail_handlers

    wagtail_receivers = {
        id(wagtail_handlers.task_submission_email_notifier),
        id(wagtail_handlers.workflow_submission_email_notifier),
        id(wagtail_handlers.workflow_approval_email_notifier),
        id(wagtail_handlers.workflow_rejection_email_notifier),
    }
    live = [
        *task_submitted._live_receivers(TaskState)[0],
        *workflow_submitted._live_receivers(WorkflowState)[0],
        *workflow_approved._live_receivers(WorkflowState)[0],
        *workflow_rejected._live_receivers(WorkflowState)[0],
    ]
    assert not wagtail_receivers & {id(receiver) for receiver in live}


def test_a_submission_mails_no_group_member_who_may_not_read_the_page(
    mailoutbox, django_capture_on_commit_callbacks, secret_page, rnd_engineer, knowledge_manager
):
    UserFactory(roles=[Role.REVIEWER], departments=list(secret_page.owning_departments.all()))
    with django_capture_on_commit_callbacks(execute=True):
        secret_page.get_workflow().start(secret_page, rnd_engineer)
    assert mailoutbox == []
    assert not Notification.objects.exists()


# ---------------------------------------------------------------------------------------------
# The inbox in the admin


def _notify(page, recipient, kind=NotificationKind.SUBMITTED):
    return Notification.objects.create(recipient=recipient, kind=kind, page=page)


def test_my_notifications_lists_the_users_own_readable_notifications(
    client, rnd_engineer, rnd_department, rnd_reviewer, secret_page
):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department], title="可读的草稿")
    _notify(page, rnd_reviewer)
    _notify(secret_page, rnd_reviewer)  # stored before the page became confidential, say
    _notify(page, rnd_engineer, NotificationKind.APPROVED)
    client.force_login(rnd_reviewer)
    html = client.get("/admin/notifications/").content.decode()
    assert "可读的草稿" in html
    assert "机密草稿标题" not in html
    assert 'data-unread="1"' in html  # the hidden one is not counted either
    assert html.count('data-notification="') == 1


def test_the_menu_shows_the_unread_count(client, rnd_engineer, rnd_department, rnd_reviewer):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    _notify(page, rnd_reviewer)
    _notify(page, rnd_reviewer)
    client.force_login(rnd_reviewer)
    html = client.get("/admin/").content.decode()
    props = BeautifulSoup(html, "html.parser").find("script", id="wagtail-sidebar-props")
    labels = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("url") == "/admin/notifications/":
                labels.append(node["label"])
            node = list(node.values())
        if isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(props.string))
    assert len(labels) == 1 and labels[0].endswith(" (2)")


def test_mark_one_and_mark_all_read(client, rnd_engineer, rnd_department, rnd_reviewer):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    first, second, third = (_notify(page, rnd_reviewer) for _ in range(3))
    other = _notify(page, rnd_engineer)
    client.force_login(rnd_reviewer)
    client.post("/admin/notifications/read/", {"id": [first.pk, other.pk]})
    assert set(Notification.objects.filter(read_at__isnull=False)) == {first}
    client.post("/admin/notifications/read/", {"all": "1"})
    assert set(Notification.objects.filter(read_at__isnull=True)) == {other}


def test_hidden_notifications_are_not_marked_read(client, rnd_reviewer, secret_page):
    hidden = _notify(secret_page, rnd_reviewer)
    client.force_login(rnd_reviewer)
    client.post("/admin/notifications/read/", {"all": "1"})
    hidden.refresh_from_db()
    assert hidden.read_at is None


@pytest.mark.parametrize("who", ["customer_user", "anonymous"])
def test_outsiders_have_no_inbox(request, client, who, rnd_engineer, rnd_department):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department], title="草稿标题X")
    if who != "anonymous":
        user = request.getfixturevalue(who)
        _notify(page, user)
        client.force_login(user)
    response = client.get("/admin/notifications/")
    assert response.status_code in (302, 403)
    assert "草稿标题X" not in response.content.decode()

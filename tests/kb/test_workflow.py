"""The review workflow: author submits, the department reviewer approves or asks for changes, the
knowledge managers publish; authoring permissions come from the data migration."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from wagtail.models import (
    GroupPagePermission,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from kb.models import DepartmentReviewTask, KnowledgeHomePage, KnowledgeManagerApprovalTask
from kb.models.notifications import Notification, NotificationKind
from kb.workflow.setup import configure_review_workflow
from permissions.models import Confidentiality
from permissions.roles import Role
from tests.factories import UserFactory
from tests.kb.test_workflow_support import edit_form_data, make_draft_faq

pytestmark = pytest.mark.django_db


def _home():
    return KnowledgeHomePage.objects.get()


def _codenames(role):
    return set(
        GroupPagePermission.objects.filter(group__name=role, page=_home()).values_list(
            "permission__codename", flat=True
        )
    )


def test_the_migration_grants_authoring_permissions_on_the_knowledge_home():
    for role in (Role.SERVICE_AGENT, Role.RND_ENGINEER, Role.TRAINER, Role.REVIEWER):
        assert _codenames(role) == {"add_page"}
    managers = {
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    }
    assert _codenames(Role.KNOWLEDGE_MANAGER) == managers
    assert _codenames(Role.ADMINISTRATOR) == managers
    assert _codenames(Role.CUSTOMER) == set()


def test_the_migration_attaches_the_two_step_workflow_to_the_home():
    workflow = WorkflowPage.objects.get(page=_home()).workflow
    assert workflow.name == "知识审核" and workflow.active
    tasks = [task.specific for task in workflow.tasks]
    assert [type(task) for task in tasks] == [
        DepartmentReviewTask,
        KnowledgeManagerApprovalTask,
    ]
    assert tasks[1].name == "知识管理员发布"
    assert list(tasks[1].groups.values_list("name", flat=True)) == [Role.KNOWLEDGE_MANAGER]


def test_configuring_again_changes_nothing():
    before = (
        GroupPagePermission.objects.count(),
        Workflow.objects.count(),
        WorkflowTask.objects.count(),
        DepartmentReviewTask.objects.count(),
        KnowledgeManagerApprovalTask.objects.count(),
    )
    configure_review_workflow(apps)
    configure_review_workflow(apps)
    after = (
        GroupPagePermission.objects.count(),
        Workflow.objects.count(),
        WorkflowTask.objects.count(),
        DepartmentReviewTask.objects.count(),
        KnowledgeManagerApprovalTask.objects.count(),
    )
    assert after == before


def test_knowledge_pages_use_the_review_workflow(rnd_engineer, rnd_department):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    assert page.get_workflow().name == "知识审核"


# ---------------------------------------------------------------------------------------------
# Who reviews


def test_reviewers_are_those_of_the_owning_departments(
    rnd_engineer, rnd_department, rnd_reviewer, service_reviewer
):
    task = DepartmentReviewTask.objects.get()
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    assert task.reviewers(page) == [rnd_reviewer]
    assert task.get_actions(page, rnd_reviewer)
    assert task.get_actions(page, service_reviewer) == []
    assert task.user_can_access_editor(page, rnd_reviewer)
    assert not task.user_can_access_editor(page, service_reviewer)


def test_without_owning_departments_the_owners_departments_review(
    agent, rnd_reviewer, service_reviewer
):
    task = DepartmentReviewTask.objects.get()
    page = make_draft_faq(agent, confidentiality=Confidentiality.INTERNAL)
    assert task.reviewers(page) == [service_reviewer]


def test_a_reviewer_who_may_not_read_the_page_does_not_review_it(rnd_engineer, rnd_department):
    outsider = UserFactory(roles=[Role.REVIEWER], departments=[rnd_department])
    task = DepartmentReviewTask.objects.get()
    page = make_draft_faq(
        rnd_engineer, departments=[rnd_department], confidentiality=Confidentiality.CONFIDENTIAL
    )
    assert task.reviewers(page) == []
    assert task.get_actions(page, outsider) == []


def test_inactive_reviewers_and_other_roles_do_not_review(rnd_engineer, rnd_department):
    UserFactory(roles=[Role.REVIEWER], departments=[rnd_department], is_active=False)
    colleague = UserFactory(roles=[Role.RND_ENGINEER], departments=[rnd_department])
    task = DepartmentReviewTask.objects.get()
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    assert task.reviewers(page) == []
    assert task.get_actions(page, colleague) == []


def test_superusers_may_review_anything(rnd_engineer, rnd_department, administrator):
    task = DepartmentReviewTask.objects.get()
    page = make_draft_faq(
        rnd_engineer, departments=[rnd_department], confidentiality=Confidentiality.CONFIDENTIAL
    )
    assert task.get_actions(page, administrator)


# ---------------------------------------------------------------------------------------------
# The whole flow through the admin's URLs


def _submit(page, user):
    return page.get_workflow().start(page, user)


def _action_url(page, action):
    state = TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )
    return f"/admin/pages/workflow/action/{page.pk}/{action}/{state.pk}/"


def _kinds(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def test_author_reviewer_manager_flow(
    client,
    mailoutbox,
    django_capture_on_commit_callbacks,
    rnd_engineer,
    rnd_department,
    rnd_reviewer,
    service_reviewer,
    knowledge_manager,
):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department], title="刹车异响怎么办")

    with django_capture_on_commit_callbacks(execute=True):
        _submit(page, rnd_engineer)
    assert _kinds(rnd_reviewer) == [NotificationKind.SUBMITTED]
    assert _kinds(service_reviewer) == [] and _kinds(knowledge_manager) == []
    assert [mail.to for mail in mailoutbox] == [[rnd_reviewer.email]]
    assert "刹车异响怎么办" in mailoutbox[0].subject

    # The reviewer opens the draft in the editor; a reviewer of another department may not.
    client.force_login(rnd_reviewer)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    client.force_login(service_reviewer)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 404
    assert client.post(_action_url(page, "approve"), {"comment": ""}).status_code in (403, 404)

    # Requesting changes without saying what: nothing happens.
    client.force_login(rnd_reviewer)
    client.post(_action_url(page, "reject"), {"comment": "  "})
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_action_url(page, "reject"), {"comment": "请补充适用车型"})
    page.refresh_from_db()
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    changes = Notification.objects.get(recipient=rnd_engineer)
    assert changes.kind == NotificationKind.CHANGES_REQUESTED
    assert changes.comment == "请补充适用车型" and changes.actor == rnd_reviewer

    # The author edits and resubmits: the reviewer is told again.
    page.question = "刹车异响（所有车型）怎么办？"
    page.save_revision(user=rnd_engineer)
    with django_capture_on_commit_callbacks(execute=True):
        page.current_workflow_state.resume(user=rnd_engineer)
    assert _kinds(rnd_reviewer) == [NotificationKind.SUBMITTED, NotificationKind.SUBMITTED]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_action_url(page, "approve"), {"comment": "可以发布"})
    assert _kinds(rnd_engineer)[-1] == NotificationKind.APPROVED
    assert _kinds(knowledge_manager) == [NotificationKind.SUBMITTED]
    page.refresh_from_db()
    assert not page.live

    client.force_login(knowledge_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_action_url(page, "approve"), {"comment": ""})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and page.question == "刹车异响（所有车型）怎么办？"
    assert page.current_workflow_state is None
    assert _kinds(rnd_engineer)[-1] == NotificationKind.PUBLISHED
    assert mailoutbox[-1].to == [rnd_engineer.email]


def test_request_changes_posted_through_the_editor_needs_a_comment(
    client, rnd_engineer, rnd_department, rnd_reviewer
):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    _submit(page, rnd_engineer)
    client.force_login(rnd_reviewer)

    def request_changes(comment):
        data = edit_form_data(
            client,
            page.pk,
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "reject",
                "workflow-action-extra-data": json.dumps({"comment": comment}),
            },
        )
        return client.post(f"/admin/pages/{page.pk}/edit/", data)

    response = request_changes("")
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's "denied"
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    request_changes("答案太短")
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_the_request_changes_form_requires_a_comment():
    task = DepartmentReviewTask.objects.get()
    form = task.get_form_for_action("reject")({"comment": ""})
    assert not form.is_valid()
    assert task.get_form_for_action("approve")({"comment": ""}).is_valid()


def test_awaiting_review_lists_only_what_each_reviewer_may_act_on(
    rnd_engineer, rnd_department, rnd_reviewer, service_reviewer, knowledge_manager
):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department])
    secret = make_draft_faq(
        rnd_engineer, departments=[rnd_department], confidentiality=Confidentiality.CONFIDENTIAL
    )
    _submit(page, rnd_engineer)
    _submit(secret, rnd_engineer)

    def reviewable(user):
        return {state.workflow_state.object_id for state in TaskState.objects.reviewable_by(user)}

    assert reviewable(rnd_reviewer) == {str(page.pk)}  # the confidential one: not even listed
    assert reviewable(service_reviewer) == set()
    assert reviewable(knowledge_manager) == set()  # not at their step yet


def test_knowledge_managers_do_not_see_confidential_pages_awaiting_them(
    rnd_engineer, rnd_department, knowledge_manager, administrator
):
    secret = make_draft_faq(
        rnd_engineer, departments=[rnd_department], confidentiality=Confidentiality.CONFIDENTIAL
    )
    state = _submit(secret, rnd_engineer)
    state.current_task_state.approve(user=administrator)
    task = KnowledgeManagerApprovalTask.objects.get()
    assert task.get_actions(secret, knowledge_manager) == []
    assert not task.get_task_states_user_can_moderate(knowledge_manager).exists()
    assert task.get_task_states_user_can_moderate(administrator).exists()
    assert Notification.objects.filter(recipient=knowledge_manager).count() == 0

"""The review workflow's configuration, made by migration kb/0007 and again after a test flush."""

from __future__ import annotations

# Stored as data in the site's language, like the knowledge home's title (kb/0003).
WORKFLOW_NAME = "知识审核"
REVIEW_TASK_NAME = "部门审核"
PUBLISH_TASK_NAME = "知识管理员发布"

AUTHOR_ROLES = ("service_agent", "rnd_engineer", "trainer", "reviewer")
MANAGER_ROLES = ("knowledge_manager", "administrator")
AUTHOR_PERMISSIONS = ("add",)
MANAGER_PERMISSIONS = ("add", "change", "publish", "bulk_delete", "lock", "unlock")


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def _page_permission(apps, action):
    Permission = apps.get_model("auth", "Permission")
    page_type = _content_type(apps, "wagtailcore", "page")
    return Permission.objects.get_or_create(
        content_type=page_type,
        codename=f"{action}_page",
        defaults={"name": f"Can {action} page"},
    )[0]


def _grant_page_permissions(apps, home):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    for roles, actions in (
        (AUTHOR_ROLES, AUTHOR_PERMISSIONS),
        (MANAGER_ROLES, MANAGER_PERMISSIONS),
    ):
        for role in roles:
            group = Group.objects.get_or_create(name=role)[0]
            for action in actions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=home.pk, permission=_page_permission(apps, action)
                )


def _task(apps, model_name, name):
    model = apps.get_model("kb", model_name)
    task = model.objects.filter(name=name).first()
    if task is None:
        task = model.objects.create(
            name=name, active=True, content_type=_content_type(apps, "kb", model_name.lower())
        )
    return task


def _workflow(apps, home):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    link = WorkflowPage.objects.filter(page_id=home.pk).select_related("workflow").first()
    if link is not None:
        return link.workflow
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowPage.objects.create(page_id=home.pk, workflow=workflow)
    return workflow


def configure_review_workflow(apps) -> None:
    """Grant page permissions on the knowledge home and attach the review workflow; repeatable.

    `apps` is the migration's app registry or, at run time, `django.apps.apps`.
    """
    Group = apps.get_model("auth", "Group")
    KnowledgeHomePage = apps.get_model("kb", "KnowledgeHomePage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")

    home = KnowledgeHomePage.objects.order_by("pk").first()
    if home is None:  # no tree yet (kb/0003 found no root page): nothing to attach to
        return
    _grant_page_permissions(apps, home)

    review = _task(apps, "DepartmentReviewTask", REVIEW_TASK_NAME)
    publish = _task(apps, "KnowledgeManagerApprovalTask", PUBLISH_TASK_NAME)
    publish.groups.add(Group.objects.get_or_create(name="knowledge_manager")[0])

    workflow = _workflow(apps, home)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        WorkflowTask.objects.create(workflow=workflow, task_id=review.pk, sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task_id=publish.pk, sort_order=1)

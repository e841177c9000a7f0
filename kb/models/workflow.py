"""Review workflow tasks (知识审核): department review, then the knowledge managers publish.

Both tasks ask the permission policy who may act: a reviewer or manager who may not read a page's
confidentiality neither sees it in "awaiting your review" nor opens it in the editor.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import GroupApprovalTask, Page, Task, TaskState

from kb.workflow.admin_guard import may_open_in_admin
from permissions.models import ProtectedContent
from permissions.policy import has_role, is_internal, readable_pages
from permissions.roles import Role


class RequestChangesForm(TaskStateCommentForm):
    """The modal form of "request changes": the author must be told what to change."""

    comment = forms.CharField(
        label=_("What should be changed?"),
        required=True,
        widget=forms.Textarea({"rows": 3}),
    )


def _page_of(obj):
    return obj.specific if isinstance(obj, Page) else obj


def review_departments(page) -> list:
    """Return the departments whose reviewers review `page`: its owners', else its owner's.

    Read from the stored page, not from a draft: the stored row is what the admin guard and the
    explorer judge, so the reviewers chosen can always open what they are asked to review.
    """
    page = _page_of(page)
    if page.pk is None:
        return []
    model = type(page)
    if isinstance(page, ProtectedContent):
        # Through the table, not the instance: the editor's instance may carry unsaved choices.
        through = model.owning_departments.through
        owning = list(
            through.objects.filter(**{f"{model._meta.model_name}_id": page.pk}).values_list(
                "department_id", flat=True
            )
        )
        if owning:
            return owning
    owner_id = Page.objects.filter(pk=page.pk).values_list("owner_id", flat=True).first()
    if owner_id is None:
        return []
    return list(
        get_user_model()
        .departments.through.objects.filter(user_id=owner_id)
        .values_list("department_id", flat=True)
    )


class PolicyTaskMixin:
    """Shared by both tasks: the policy limits who acts, and "request changes" needs a comment."""

    def user_may_act(self, obj, user) -> bool:
        raise NotImplementedError

    def _may_act(self, obj, user) -> bool:
        page = _page_of(obj)
        if not (user.is_active and is_internal(user)):
            return False
        if not may_open_in_admin(user, page):
            return False
        return user.is_superuser or self.user_may_act(page, user)

    def user_can_access_editor(self, obj, user):
        return self._may_act(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may_act(obj, user)

    def user_can_lock(self, obj, user):
        return self._may_act(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self._may_act(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_form_for_action(self, action):
        if action == "reject":
            return RequestChangesForm
        return TaskStateCommentForm

    def on_action(self, task_state, user, action_name, **kwargs):
        # The edit view passes the modal's data through as JSON without validating it again.
        if action_name == "reject" and not str(kwargs.get("comment", "")).strip():
            raise PermissionDenied(_("Requesting changes needs a comment."))
        return super().on_action(task_state, user, action_name, **kwargs)

    def _readable_states(self, user, states):
        readable = readable_pages(user, Page.objects.all())
        ids = readable.annotate(id_text=Cast("pk", CharField())).values("id_text")
        return states.filter(workflow_state__object_id__in=ids)


class DepartmentReviewTask(PolicyTaskMixin, Task):
    """Approved by active department reviewers who share a department with the page."""

    admin_form_fields = Task.admin_form_fields

    def reviewers(self, page):
        """Return the active reviewers of `page`'s departments who may read it."""
        departments = review_departments(page)
        if not departments:
            return []
        candidates = (
            get_user_model()
            .objects.filter(
                is_active=True, groups__name=Role.REVIEWER.value, departments__in=departments
            )
            .distinct()
            .order_by("pk")
        )
        return [user for user in candidates if may_open_in_admin(user, page)]

    def user_may_act(self, page, user):
        if not has_role(user, Role.REVIEWER):
            return False
        mine = set(user.departments.values_list("pk", flat=True))
        return bool(mine & set(review_departments(page)))

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if not (user.is_active and is_internal(user)):
            return TaskState.objects.none()
        if user.is_superuser:
            return states
        if not has_role(user, Role.REVIEWER):
            return TaskState.objects.none()
        departments = list(user.departments.values_list("pk", flat=True))
        page_ids = _pages_reviewed_by_departments(departments)
        states = states.filter(workflow_state__object_id__in=page_ids)
        return self._readable_states(user, states)

    @classmethod
    def get_description(cls):
        return _("Reviewers of the page's owning departments approve or request changes")

    class Meta:
        verbose_name = _("department review task")
        verbose_name_plural = _("department review tasks")


def _pages_reviewed_by_departments(departments):
    """Return a subquery of page ids (as text) whose review departments include `departments`."""
    from django.apps import apps

    owned = Q()
    has_owning = Q()
    for model in apps.get_models():
        if issubclass(model, Page) and issubclass(model, ProtectedContent):
            links = model.owning_departments.through.objects
            src = f"{model._meta.model_name}_id"
            owned |= Q(pk__in=links.filter(department_id__in=departments).values(src))
            has_owning |= Q(pk__in=links.values(src))
    by_owner = ~has_owning & Q(owner__departments__in=departments)
    pages = Page.objects.filter(owned | by_owner)
    return pages.annotate(id_text=Cast("pk", CharField())).values("id_text")


class KnowledgeManagerApprovalTask(PolicyTaskMixin, GroupApprovalTask):
    """Wagtail's group approval, limited to what the policy lets each member read.

    A GroupApprovalTask subclass so that it is chosen, listed and edited as one; approving it last
    publishes the page.
    """

    def user_may_act(self, page, user):
        return self._user_in_groups(user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        return self._readable_states(user, states)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve and publish, if they may read the page")

    class Meta:
        verbose_name = _("knowledge manager approval task")
        verbose_name_plural = _("knowledge manager approval tasks")

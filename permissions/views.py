"""Admin views of the permissions app: the audit log, departments, users with departments.

Wagtail's generic views save inside their own transaction, so these views append the audit row
in that same transaction rather than calling the durable actions in permissions.actions.
"""

from __future__ import annotations

import django_filters
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import ContentTypeFilter, DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.views import users as wagtail_users

from permissions.actions import log_audit_event
from permissions.forms import ZhikuUserCreationForm, ZhikuUserEditForm
from permissions.models import AuditEvent, Department, User
from permissions.policy import visible_to

# ---------------------------------------------------------------------------------------------
# Audit log: read-only


class AuditLogPermissionPolicy(ModelPermissionPolicy):
    """Allow only "view" on audit events, even to superusers: the log is append-only."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return User.objects.none()
        return super().users_with_any_permission(["view"])


def _visible_events(request):
    # The filter's choices, like its rows, come only from events the viewer may see.
    return visible_to(getattr(request, "user", None), AuditEvent.objects.all())


def _actors(request):
    return User.objects.filter(
        pk__in=_visible_events(request).exclude(actor=None).values("actor_id")
    ).order_by("username")


def _action_choices():
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return [(action, action) for action in actions]


def _object_types(request):
    return ContentType.objects.filter(
        pk__in=_visible_events(request).exclude(object_type=None).values("object_type_id")
    ).order_by("app_label", "model")


class AuditEventFilterSet(WagtailFilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Actor"), queryset=_actors)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=_action_choices)
    object_type = ContentTypeFilter(label=_("Object type"), queryset=_object_types)
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "created_at"]


class AuditEventIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Rows about items the viewer may not see are left out, labels and counts included.
        return visible_to(self.request.user, super().get_base_queryset()).select_related(
            "object_type"
        )


class AuditEventInspectView(generic.InspectView):
    def get_object(self):
        # The object is loaded before the permission check runs: refuse outsiders first, as
        # every other view of the log does.
        if not self.request.user.has_perm("permissions.view_auditevent"):
            raise PermissionDenied
        return get_object_or_404(
            visible_to(self.request.user, AuditEvent.objects.all()), pk=unquote(str(self.pk))
        )


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    icon = "list-ul"
    menu_label = _("Audit log")
    menu_name = "audit_log"
    menu_order = 900
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = AuditEventIndexView
    inspect_view_class = AuditEventInspectView
    filterset_class = AuditEventFilterSet
    search_fields = ["object_label", "actor_label"]
    search_backend_name = None
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    list_display = [
        DateColumn("created_at", label=_("Time"), sort_key="created_at"),
        Column("actor_label", label=_("Actor")),
        Column("action", label=_("Action")),
        Column("object_type", label=_("Object type")),
        Column("object_label", label=_("Object")),
        Column("ip_address", label=_("IP address")),
    ]
    inspect_view_fields = [
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "ip_address",
        "user_agent",
        "extra",
    ]

    def get_common_view_kwargs(self, **kwargs):
        kwargs = super().get_common_view_kwargs(**kwargs)
        # No add, edit, delete, history or usage views exist for the log.
        for name in ("add", "edit", "delete", "history", "usage", "copy"):
            kwargs[f"{name}_url_name"] = None
        return kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


# ---------------------------------------------------------------------------------------------
# Departments


class DepartmentCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        log_audit_event(
            actor=self.request.user, action="department.create", obj=instance, request=self.request
        )
        return instance


class DepartmentEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        log_audit_event(
            actor=self.request.user,
            action="department.update",
            obj=instance,
            request=self.request,
            extra={"changed": sorted(self.form.changed_data)},
        )
        return instance


class DepartmentDeleteView(generic.DeleteView):
    def delete_action(self):
        log_audit_event(
            actor=self.request.user,
            action="department.delete",
            obj=self.object,
            request=self.request,
        )
        super().delete_action()


class DepartmentViewSet(ModelViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    menu_name = "departments"
    menu_order = 610
    add_to_settings_menu = True
    copy_view_enabled = False
    add_view_class = DepartmentCreateView
    edit_view_class = DepartmentEditView
    delete_view_class = DepartmentDeleteView
    form_fields = ["name", "code", "parent"]
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["code"]


# ---------------------------------------------------------------------------------------------
# Users: Wagtail's user views with departments, position and phone


def _department_codes(user) -> list[str]:
    return sorted(user.departments.values_list("code", flat=True))


class UserCreateView(wagtail_users.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        log_audit_event(
            actor=self.request.user,
            action="user.create",
            obj=instance,
            request=self.request,
            extra={"departments": _department_codes(instance)},
        )
        return instance


class UserEditView(wagtail_users.EditView):
    def save_instance(self):
        before = _department_codes(self.object)
        instance = super().save_instance()
        after = _department_codes(instance)
        if before != after:
            log_audit_event(
                actor=self.request.user,
                action="user.set_departments",
                obj=instance,
                request=self.request,
                extra={"before": before, "after": after},
            )
        return instance


class UserViewSet(wagtail_users.UserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    create_template_name = "permissions/users/create.html"
    edit_template_name = "permissions/users/edit.html"

    def get_form_class(self, for_update=False):
        return ZhikuUserEditForm if for_update else ZhikuUserCreationForm

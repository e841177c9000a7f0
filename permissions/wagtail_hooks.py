from wagtail import hooks
from wagtail.permissions import register_permission_policy

from permissions.models import AuditEvent
from permissions.views import AuditEventViewSet, AuditLogPermissionPolicy, DepartmentViewSet

# Registered before any viewset asks for a policy, so no fallback policy is created first.
register_permission_policy(AuditEvent, AuditLogPermissionPolicy(AuditEvent))


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return AuditEventViewSet("audit_log", url_prefix="audit-log")


@hooks.register("register_admin_viewset")
def register_department_viewset():
    return DepartmentViewSet("departments", url_prefix="departments")

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from permissions.models import AuditEvent
from permissions.policy import visible_pages, visible_to
from permissions.views import AuditEventViewSet, AuditLogPermissionPolicy, DepartmentViewSet

# Registered before any viewset asks for a policy, so no fallback policy is created first.
register_permission_policy(AuditEvent, AuditLogPermissionPolicy(AuditEvent))


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return AuditEventViewSet("audit_log", url_prefix="audit-log")


@hooks.register("register_admin_viewset")
def register_department_viewset():
    return DepartmentViewSet("departments", url_prefix="departments")


@hooks.register("construct_page_chooser_queryset")
def hide_chooser_pages_outside_the_policy(pages, request):
    """Wagtail's page chooser lists titles of every page: keep those the policy lets one see."""
    return visible_pages(request.user, pages)


@hooks.register("construct_document_chooser_queryset")
def hide_chooser_documents_outside_the_policy(documents, request):
    """Wagtail's document chooser lists documents by collection permission; apply the policy."""
    # As a primary-key subquery: the chooser's search can filter only on indexed fields, and `id`
    # is one (the policy's own fields are not).
    visible = visible_to(request.user, documents.model.objects.all())
    return documents.filter(pk__in=visible.values("pk"))

"""Writes of the permissions app. Other apps' actions call log_audit_event inside their transaction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from permissions.models import AuditEvent, Department


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_audit_event(*, actor, action: str, obj=None, request=None, extra=None) -> AuditEvent:
    """Append one row to the audit log: who did `action` to `obj`, when and from where."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor.get_username() if actor is not None else ""),
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=str(obj)[:255] if obj is not None else "",
        ip_address=_client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:255] if request is not None else ""),
        extra=extra or {},
    )


def create_department(*, actor, name: str, code: str, parent=None, request=None) -> Department:
    """Create a department and record who did it."""
    with transaction.atomic(durable=True):
        department = Department.objects.create(name=name, code=code, parent=parent)
        log_audit_event(actor=actor, action="department.create", obj=department, request=request)
    return department


def set_user_departments(*, actor, user, departments, request=None) -> None:
    """Replace the departments a user belongs to and record the change."""
    with transaction.atomic(durable=True):
        before = sorted(user.departments.values_list("code", flat=True))
        user.departments.set(departments)
        after = sorted(d.code for d in departments)
        log_audit_event(
            actor=actor,
            action="user.set_departments",
            obj=user,
            request=request,
            extra={"before": before, "after": after},
        )

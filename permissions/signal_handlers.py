from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate


def grant_role_permissions(sender, **kwargs):
    """After every migrate, give role groups the permissions that now exist (idempotent)."""
    from django.apps import apps

    from permissions.roles import sync_role_groups

    # post_migrate is sent once per app that has models; permissions of every app exist only
    # after the last one, so grant then.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label == last.label:
        sync_role_groups()


def record_login(sender, request, user, **kwargs):
    from permissions.actions import log_audit_event

    log_audit_event(actor=user, action="auth.login", obj=user, request=request)


def record_login_failure(sender, credentials, request=None, **kwargs):
    from permissions.actions import log_audit_event

    log_audit_event(
        actor=None,
        action="auth.login_failed",
        request=request,
        extra={"username": str(credentials.get("username", ""))[:150]},
    )


def connect():
    post_migrate.connect(grant_role_permissions, dispatch_uid="permissions.grant_role_permissions")
    user_logged_in.connect(record_login, dispatch_uid="permissions.record_login")
    user_login_failed.connect(record_login_failure, dispatch_uid="permissions.record_login_failure")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    label = "permissions"
    verbose_name = _("Permissions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from permissions import signal_handlers

        signal_handlers.connect()


class ZhikuUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app with Zhiku's user views (departments, position, phone)."""

    user_viewset = "permissions.views.UserViewSet"

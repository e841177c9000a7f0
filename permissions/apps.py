from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "permissions"
    label = "permissions"
    verbose_name = _("Permissions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from permissions import signal_handlers

        signal_handlers.connect()

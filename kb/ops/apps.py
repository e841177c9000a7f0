from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Site operations: liveness of the Celery worker and beat, failed tasks."""

    name = "kb.ops"
    label = "ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb.ops import signal_handlers

        signal_handlers.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    label = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb.workflow import permission_policy as workflow_permission_policy
        from kb.workflow import signal_handlers as workflow_signal_handlers

        workflow_signal_handlers.connect()
        workflow_permission_policy.register()

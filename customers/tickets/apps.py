from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "customers.tickets"
    label = "tickets"
    verbose_name = _("Service tickets")
    default_auto_field = "django.db.models.BigAutoField"

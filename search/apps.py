from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from search import signal_handlers

        # Each app declares its record sources in its own search_records.py; search imports none.
        autodiscover_modules("search_records")
        signal_handlers.connect()

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from kb.ops.status import can_view_system_status


class SystemStatusMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_system_status(request.user)


@hooks.register("register_settings_menu_item")
def register_system_status_menu_item():
    return SystemStatusMenuItem(
        _("System status"), reverse("ops_status"), icon_name="cogs", order=900
    )

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from permissions.models import ProtectedContent
from permissions.policy import can_manage_knowledge, can_read


@hooks.register("before_serve_page")
def enforce_confidentiality(page, request, serve_args, serve_kwargs):
    """Serve a knowledge page only to users the policy lets read it; others get a plain 404.

    Wagtail's own view restrictions (login, groups, password) are checked by Wagtail's hook,
    which shows its login or password form; this hook adds the confidentiality level.
    """
    if isinstance(page, ProtectedContent) and not can_read(request.user, page):
        raise Http404


class KnowledgeManagerMenuItem(MenuItem):
    """A menu entry shown to knowledge managers and administrators only."""

    def is_shown(self, request):
        return can_manage_knowledge(request.user)


@hooks.register("register_admin_menu_item")
def register_faq_import_menu_item():
    return KnowledgeManagerMenuItem(
        _("Import FAQs"), reverse("faq_import:start"), icon_name="table", order=420
    )


@hooks.register("register_admin_urls")
def register_review_due_url():
    from kb.review import review_due

    return [path("review-due/", review_due, name="kb_review_due")]


@hooks.register("register_admin_menu_item")
def register_review_due_menu_item():
    return KnowledgeManagerMenuItem(
        _("Review due"), reverse("kb_review_due"), icon_name="calendar", order=430
    )


# Each part of the knowledge base registers its own hooks in kb/hooks/<part>.py.
from kb.hooks import engagement, structured, trash, versions, workflow  # noqa: E402,F401

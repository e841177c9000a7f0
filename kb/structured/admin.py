"""Wagtail admin of structured knowledge: the template snippets and the template picker."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.models import KnowledgeTemplate
from kb.structured.forms import remember_chosen_template
from kb.versions.snippets import (
    VersionedCreateView,
    VersionedDeleteView,
    VersionedEditView,
    VersionedSnippetViewSet,
)
from permissions.actions import log_audit_event
from permissions.policy import can_manage_knowledge


class TemplateCreateView(VersionedCreateView):
    def save_instance(self):
        instance = super().save_instance()  # inside the view's transaction
        log_audit_event(
            actor=self.request.user,
            action="knowledge_template.create",
            obj=instance,
            request=self.request,
        )
        return instance


class TemplateEditView(VersionedEditView):
    def save_instance(self):
        instance = super().save_instance()
        log_audit_event(
            actor=self.request.user,
            action="knowledge_template.change",
            obj=instance,
            request=self.request,
        )
        return instance


class TemplateDeleteView(VersionedDeleteView):
    def delete_action(self):
        with transaction.atomic():
            log_audit_event(
                actor=self.request.user,
                action="knowledge_template.delete",
                obj=self.object,
                request=self.request,
            )
            super().delete_action()


class KnowledgeTemplateViewSet(VersionedSnippetViewSet):
    model = KnowledgeTemplate
    icon = "form"
    menu_label = gettext_lazy("Knowledge templates")
    menu_name = "knowledge_templates"
    menu_order = 410
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["name", "description", "active"]
    list_filter = ["active"]
    search_fields = ["name", "description"]
    search_backend_name = None  # a database filter: the template list is short
    add_view_class = TemplateCreateView
    edit_view_class = TemplateEditView
    delete_view_class = TemplateDeleteView

    def get_common_view_kwargs(self, **kwargs):
        # No usage count or link on the edit side panel and the delete confirmation: a template
        # in use is never deleted (refuse_deleting_templates_in_use), and its items are listed,
        # through the policy, by the usage view alone.
        return super().get_common_view_kwargs(**{"usage_url_name": None, **kwargs})


def refuse_deleting_templates_in_use(request, instances):
    """Stop deleting templates that items were made from, with a message saying why.

    Items keep their values keyed by the template's fields (the foreign key is PROTECT). The
    message gives no count: some of those items may be hidden from the user.
    """
    in_use = [
        template
        for template in instances
        if isinstance(template, KnowledgeTemplate) and template.items.exists()
    ]
    if not in_use:
        return None
    for template in in_use:
        messages.error(
            request,
            _(
                "The template “%(name)s” cannot be deleted: structured items were created from "
                "it. Deactivate it instead, so that authors are no longer offered it."
            )
            % {"name": template.name},
        )
    return redirect(KnowledgeTemplate.snippet_viewset.get_url_name("list"))


def choose_template(request, parent_page):
    """Before the add form of a structured item: pick the template, or hand the chosen one on.

    Returns a response (the picker) or None to let Wagtail show the add form.
    """
    templates = list(KnowledgeTemplate.objects.filter(active=True).order_by("name"))
    raw = request.GET.get("template", "")
    chosen = next((t for t in templates if raw.isdigit() and t.pk == int(raw)), None)
    if chosen is not None:
        remember_chosen_template(request.user, chosen)
        return None
    if len(templates) == 1 and not raw:
        return redirect(_add_url(request, parent_page, templates[0]))
    return TemplateResponse(
        request,
        "kb/structured/choose_template.html",
        {
            "page_title": _("Choose a template"),
            "parent_page": parent_page,
            "choices": [(t, _add_url(request, parent_page, t)) for t in templates],
            "invalid_choice": bool(raw),
            "manage_url": (
                reverse(KnowledgeTemplate.snippet_viewset.get_url_name("list"))
                if can_manage_knowledge(request.user)
                else None
            ),
        },
    )


def _add_url(request, parent_page, template) -> str:
    params = {"template": template.pk}
    if request.GET.get("next"):
        params["next"] = request.GET["next"]
    base = reverse("wagtailadmin_pages:add", args=("kb", "structureditempage", parent_page.pk))
    return f"{base}?{urlencode(params)}"

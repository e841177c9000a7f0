"""The "Search" admin menu: the analytics report and the vocabulary (synonyms, dictionary).

Only knowledge managers and administrators see or change any of it: the viewsets' permission
policy asks permissions.policy.can_manage_knowledge, the one place that decides who they are.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from permissions.policy import MANAGER_ROLES, can_manage_knowledge
from search import admin_views
from search.models import DictionaryWord, SearchSynonym


class KnowledgeManagerPolicy(ModelPermissionPolicy):
    """Every action on the model for knowledge managers and administrators, none for others."""

    def user_has_permission(self, user, action):
        return can_manage_knowledge(user)

    def user_has_any_permission(self, user, actions):
        return can_manage_knowledge(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name__in=[r.value for r in MANAGER_ROLES]))
            .distinct()
        )


# Registered before any viewset asks for a policy, so no fallback policy is created first.
register_permission_policy(SearchSynonym, KnowledgeManagerPolicy(SearchSynonym))
register_permission_policy(DictionaryWord, KnowledgeManagerPolicy(DictionaryWord))


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "resubmit"
    menu_label = _("Synonyms")
    menu_name = "search_synonyms"
    url_prefix = "search/synonyms"
    panels = [FieldPanel("terms"), FieldPanel("active")]
    list_display = ["terms", "active", "updated_at"]
    list_filter = ["active"]
    # Substring search in the database: a synonym group is looked up by any of its words.
    search_fields = ["terms"]
    search_backend_name = None
    ordering = ["terms"]
    copy_view_enabled = False
    inspect_view_enabled = False


class DictionaryWordViewSet(SnippetViewSet):
    model = DictionaryWord
    icon = "openquote"
    menu_label = _("Dictionary words")
    menu_name = "search_dictionary"
    url_prefix = "search/dictionary"
    panels = [FieldPanel("word"), FieldPanel("frequency")]
    list_display = ["word", "frequency", "updated_at"]
    search_fields = ["word"]
    search_backend_name = None
    ordering = ["word"]
    copy_view_enabled = False
    inspect_view_enabled = False


class KnowledgeManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_knowledge(request.user)


class SearchMenuGroup(SnippetViewSetGroup):
    menu_label = _("Search")
    menu_icon = "search"
    menu_name = "search"
    menu_order = 460
    items = (SearchSynonymViewSet, DictionaryWordViewSet)

    def get_submenu_items(self):
        analytics = KnowledgeManagerMenuItem(
            _("Search analytics"),
            reverse("search_analytics"),
            name="search_analytics",
            icon_name="table",
            order=0,
        )
        return [analytics, *super().get_submenu_items()]


register_snippet(SearchMenuGroup)


@hooks.register("register_admin_urls")
def register_search_analytics_urls():
    return [
        path("search-analytics/", admin_views.search_analytics, name="search_analytics"),
        path(
            "search-analytics/knowledge-gaps.csv",
            admin_views.knowledge_gap_export,
            name="search_analytics_export",
        ),
    ]

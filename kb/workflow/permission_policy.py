"""Wagtail's page permission policy, narrowed by confidentiality.

Authors hold "add" on the knowledge home, which makes every page below it "explorable" to Wagtail:
its page search, the site history report and the explorer API would list the titles of drafts
the policy hides from them. Every listing Wagtail builds from this policy is filtered through
permissions.policy.readable_pages here, once: the explorer, its search and the explorer menu's API
all intersect their pages with explorable_instances (the search only while
WAGTAILADMIN_PAGE_SEARCH_FILTER_BY_PERMISSIONS keeps its default, True), so no
construct_explorer_page_queryset hook filters them again.
"""

from __future__ import annotations

from wagtail.models import AbstractPage
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy

from permissions.policy import readable_pages


class ReadablePagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permissions, minus the pages whose confidentiality bars the user."""

    def instances_user_has_any_permission_for(self, user, actions):
        return readable_pages(user, super().instances_user_has_any_permission_for(user, actions))

    def explorable_instances(self, user):
        return readable_pages(user, super().explorable_instances(user))


def register() -> None:
    """Replace Wagtail's page permission policy (run from the kb app's ready())."""
    register_permission_policy(AbstractPage, ReadablePagePermissionPolicy())

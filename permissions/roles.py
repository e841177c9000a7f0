"""Roles are Django groups with stable names; what each may do is declared here, once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SERVICE_AGENT = "service_agent", _("Service agent")
    RND_ENGINEER = "rnd_engineer", _("R&D engineer")
    TRAINER = "trainer", _("Trainer")
    KNOWLEDGE_MANAGER = "knowledge_manager", _("Knowledge manager")
    REVIEWER = "reviewer", _("Department reviewer")
    CUSTOMER = "customer", _("Customer (portal user)")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset(
    {
        Role.SERVICE_AGENT,
        Role.RND_ENGINEER,
        Role.TRAINER,
        Role.KNOWLEDGE_MANAGER,
        Role.REVIEWER,
        Role.ADMINISTRATOR,
    }
)

# Model permissions ("app_label.codename") granted to each role. Every staff role may enter the
# Wagtail admin; what they may see there is still filtered by the policy. Document permissions are
# not granted by model to authors: a model-level permission lets Wagtail's document listing show
# every document, confidential ones included. The documents issue grants them per collection,
# filtered by the policy.
_ADMIN_ACCESS = ["wagtailadmin.access_admin"]
_AUDIT_AND_DEPARTMENTS = [
    "permissions.view_auditevent",
    "permissions.view_department",
    "permissions.add_department",
    "permissions.change_department",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SERVICE_AGENT: _ADMIN_ACCESS,
    Role.RND_ENGINEER: _ADMIN_ACCESS,
    Role.TRAINER: _ADMIN_ACCESS,
    Role.KNOWLEDGE_MANAGER: _ADMIN_ACCESS + _AUDIT_AND_DEPARTMENTS,
    Role.REVIEWER: _ADMIN_ACCESS,
    Role.CUSTOMER: [],
    Role.ADMINISTRATOR: _ADMIN_ACCESS
    + _AUDIT_AND_DEPARTMENTS
    + [
        "documents.add_knowledgedocument",
        "documents.change_knowledgedocument",
        "documents.delete_knowledgedocument",
        "permissions.delete_department",
        "permissions.view_user",
        "permissions.add_user",
        "permissions.change_user",
        "auth.view_group",
        "auth.add_group",
        "auth.change_group",
        "ops.view_systemstatus",
    ],
}

# Products and tags (kb/snippets_admin.py): every staff role may view and choose products; the
# keepers of the knowledge base maintain products and tags. Declared apart so that each part of
# the knowledge base adds its own lines without touching the table above.
_PRODUCTS_AND_TAGS = [
    f"{app}.{action}_{model}"
    for app, model in (("kb", "product"), ("taggit", "tag"))
    for action in ("view", "add", "change", "delete")
]
for _role in STAFF_ROLES:
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + ["kb.view_product"]
for _role in (Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _PRODUCTS_AND_TAGS

# Structured-knowledge templates (kb/structured/admin.py): defined by the keepers of the KB.
_KNOWLEDGE_TEMPLATES = [
    f"kb.{action}_knowledgetemplate" for action in ("view", "add", "change", "delete")
]
for _role in (Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _KNOWLEDGE_TEMPLATES

# Search vocabulary (search/wagtail_hooks.py): the domain dictionary and synonyms change how every
# item is indexed, so only the keepers of the knowledge base edit them.
_SEARCH_VOCABULARY = [
    f"search.{action}_{model}"
    for model in ("searchsynonym", "dictionaryword")
    for action in ("view", "add", "change", "delete")
]
for _role in (Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _SEARCH_VOCABULARY

# Service desk (customers/tickets/admin.py): the keepers of the knowledge base configure groups,
# assignment rules, business hours, SLA policies and reply templates; service agents keep the
# reply templates they answer with up to date (deleting them stays with the keepers).
_SERVICE_DESK = [
    f"tickets.{action}_{model}"
    for model in ("agentgroup", "assignmentrule", "businesshours", "slapolicy", "replytemplate")
    for action in ("view", "add", "change", "delete")
]
for _role in (Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _SERVICE_DESK
ROLE_PERMISSIONS[Role.SERVICE_AGENT] = ROLE_PERMISSIONS[Role.SERVICE_AGENT] + [
    f"tickets.{action}_replytemplate" for action in ("view", "add", "change")
]


def sync_role_groups(group_model=None, permission_model=None) -> None:
    """Create a group per role and grant the declared permissions that exist so far; repeatable."""
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS.get(role, [])
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                group.permissions.add(perm)


def users_in_roles(roles):
    """Return the active users who hold one of `roles` (superusers hold them all), by username."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    names = [Role(role).value for role in roles]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=names))
        .distinct()
        .order_by("username")
    )

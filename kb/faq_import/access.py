"""Who may import FAQs: knowledge managers, administrators and superusers."""

from __future__ import annotations

from permissions.policy import has_role, is_internal
from permissions.roles import Role


def can_import_faqs(user) -> bool:
    """Return True when `user` may import FAQ spreadsheets into the knowledge base."""
    if not is_internal(user):
        return False
    return (
        user.is_superuser
        or has_role(user, Role.KNOWLEDGE_MANAGER)
        or has_role(user, Role.ADMINISTRATOR)
    )

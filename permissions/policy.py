"""The one permission policy: who may see a protected item.

Everything that shows content to a user asks here: pages, documents, downloads, search results,
snippets, facet counts, suggestions, exports, notifications. Three views of one rule:

- `can_view(user, obj)` for one object;
- `visible_to(user, queryset)` for database listings and counts;
- `audience_terms(user)` and `item_audience(obj)` for search indexes: an item is indexed with two
  token lists, `read` (from its confidentiality) and `restrict` (from Wagtail page privacy and
  collection restrictions); a user may see it when both lists share a token with the user's terms.

`can_view` is literally that token match, so the index filter and the object check cannot drift
apart; `visible_to` is the same rule in SQL and is tested against `can_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from permissions.models import Confidentiality, ProtectedContent
from permissions.roles import STAFF_ROLES, Role

# Tokens. "all" is carried by every item and held only by superusers.
ALL = "all"
PUBLIC = "public"
OPEN = "open"  # item side: no page/collection restriction
AUTHENTICATED = "auth"
STAFF = "staff"
ANY_DEPARTMENT = "dept:any"  # knowledge managers see department-level content of every department


def _dept(pk) -> str:
    return f"dept:{pk}"


def _group(pk) -> str:
    return f"group:{pk}"


def _user(pk) -> str:
    return f"user:{pk}"


@dataclass(frozen=True)
class ItemAudience:
    read: frozenset[str]
    restrict: frozenset[str]


# ---------------------------------------------------------------------------------------------
# The user's side


def _role_names(user) -> set[str]:
    cache = getattr(user, "_kb_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._kb_role_names = cache
    return cache


def is_internal(user) -> bool:
    """Return True for active staff: a superuser or a member of a staff role group."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_role_names(user) & {role.value for role in STAFF_ROLES})


def has_role(user, role: Role) -> bool:
    """Return True when an active user belongs to the group of `role`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return role.value in _role_names(user)


def audience_terms(user) -> list[str]:
    """Return the tokens a search backend matches against an item's read and restrict lists."""
    if user is None or not user.is_authenticated or not user.is_active:
        return [PUBLIC, OPEN]
    if user.is_superuser:
        return [ALL]
    terms = {PUBLIC, OPEN, AUTHENTICATED, _user(user.pk)}
    terms.update(_group(pk) for pk in user.groups.values_list("pk", flat=True))
    if is_internal(user):
        terms.add(STAFF)
        terms.update(_dept(pk) for pk in user.departments.values_list("pk", flat=True))
        if has_role(user, Role.KNOWLEDGE_MANAGER):
            terms.add(ANY_DEPARTMENT)
    return sorted(terms)


# ---------------------------------------------------------------------------------------------
# The item's side


def _owner_id(obj):
    field = getattr(obj, "policy_owner_field", None)
    return getattr(obj, f"{field}_id", None) if field else None


def _read_terms(obj: ProtectedContent) -> set[str]:
    level = obj.confidentiality
    terms = {ALL}
    if level == Confidentiality.PUBLIC:
        terms.add(PUBLIC)
    elif level == Confidentiality.INTERNAL:
        terms.add(STAFF)
    elif level == Confidentiality.DEPARTMENT:
        terms.add(ANY_DEPARTMENT)
        terms.update(_dept(pk) for pk in _m2m_pks(obj, "owning_departments"))
    else:  # confidential, and any unknown value: named groups and users only
        terms.update(_group(pk) for pk in _m2m_pks(obj, "allowed_groups"))
        terms.update(_user(pk) for pk in _m2m_pks(obj, "allowed_users"))
    owner_id = _owner_id(obj)
    if owner_id is not None:
        terms.add(_user(owner_id))
    return terms


def _m2m_pks(obj, name: str) -> list:
    # Works for saved objects and for unsaved page revisions (ParentalManyToManyField).
    if obj.pk is None and not hasattr(obj, name):
        return []
    return [item.pk for item in getattr(obj, name).all()]


def _restriction_terms(restrictions) -> set[str]:
    """Combine Wagtail view restrictions (all must pass) into one token list, erring on denial."""
    login = False
    groups: set | None = None
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == restriction.NONE:  # Wagtail's "public": lets everyone through
            continue
        if kind == restriction.LOGIN:
            login = True
        elif kind == restriction.GROUPS:
            ids = {group.pk for group in restriction.groups.all()}
            # Several group restrictions: intersecting denies some users who would pass each one
            # with different groups; denial is the safe side of that approximation.
            groups = ids if groups is None else groups & ids
        else:  # password (or anything new): never listed, only its page's own form lets one in
            return {ALL}
    if groups is not None:
        return {ALL} | {_group(pk) for pk in groups}
    if login:
        return {ALL, AUTHENTICATED}
    return {ALL, OPEN}


def _page_restrictions(page):
    from wagtail.models import PageViewRestriction

    return PageViewRestriction.objects.filter(
        page__path__in=[
            page.path[:i] for i in range(page.steplen, len(page.path) + 1, page.steplen)
        ]
    ).prefetch_related("groups")


def _collection_restrictions(collection):
    from wagtail.models import CollectionViewRestriction

    ancestors = [
        collection.path[:i]
        for i in range(collection.steplen, len(collection.path) + 1, collection.steplen)
    ]
    return CollectionViewRestriction.objects.filter(
        collection__path__in=ancestors
    ).prefetch_related("groups")


def item_audience(obj) -> ItemAudience:
    """Return the read and restrict tokens of a protected item, for the index and for can_view."""
    from wagtail.models import Page

    read = _read_terms(obj)
    if isinstance(obj, Page):
        if not obj.live or obj.pk is None:
            return ItemAudience(frozenset(read), frozenset({ALL}))
        restrict = _restriction_terms(_page_restrictions(obj))
    elif getattr(obj, "collection_id", None):
        restrict = _restriction_terms(_collection_restrictions(obj.collection))
    else:
        restrict = {ALL, OPEN}
    if getattr(obj, "deleted_at", None) is not None:  # in the recycle bin
        restrict = {ALL}
    return ItemAudience(frozenset(read), frozenset(restrict))


def can_view(user, obj) -> bool:
    """Return True when `user` may see `obj` (its title, its content, that it exists)."""
    if user is None:
        user = AnonymousUser()
    rule = _service_rule(type(obj))
    if rule is not None:
        return rule(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    if not isinstance(obj, ProtectedContent):
        return False  # deny by default: a model the policy does not know is seen by no one
    terms = set(audience_terms(user))
    audience = item_audience(obj)
    return bool(terms & audience.read) and bool(terms & audience.restrict)


def can_read(user, obj) -> bool:
    """Return True when the confidentiality of `obj` lets `user` read it.

    Only for serving a page, where Wagtail enforces its own view restrictions (with its login and
    password forms); everything else uses can_view.
    """
    if user is None:
        user = AnonymousUser()
    return bool(set(audience_terms(user)) & item_audience(obj).read)


def can_upload(user) -> bool:
    """Return True when `user` may add documents (any active staff member)."""
    return is_internal(user)


def can_edit(user, obj) -> bool:
    """Return True when `user` may change a protected item: new versions, trash, restore.

    Its owner, knowledge managers and administrators may, provided they can see it at all.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not is_internal(user) or not can_view(user, obj):
        return False
    if has_role(user, Role.KNOWLEDGE_MANAGER) or has_role(user, Role.ADMINISTRATOR):
        return True
    return _owner_id(obj) == user.pk


def can_edit_in_trash(user, obj) -> bool:
    """Return True when `user` may see `obj` in the recycle bin and restore it.

    Its owner, knowledge managers and administrators may, if its confidentiality lets them read it.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not is_internal(user) or not can_read(user, obj):
        return False
    if has_role(user, Role.KNOWLEDGE_MANAGER) or has_role(user, Role.ADMINISTRATOR):
        return True
    return _owner_id(obj) == user.pk


def can_manage_knowledge(user) -> bool:
    """Return True for knowledge managers and administrators (review lists, statistics)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (
        is_internal(user)
        and (has_role(user, Role.KNOWLEDGE_MANAGER) or has_role(user, Role.ADMINISTRATOR))
    )


def may_purge(user) -> bool:
    """Return True for users who may delete items from the recycle bin for good."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (
        is_internal(user)
        and (has_role(user, Role.KNOWLEDGE_MANAGER) or has_role(user, Role.ADMINISTRATOR))
    )


# ---------------------------------------------------------------------------------------------
# The same rule in SQL


def _read_q(user, model) -> Q:
    conditions = [Q(confidentiality=Confidentiality.PUBLIC)]
    # Like _read_terms: any level but the three open ones is treated as confidential.
    confidential = ~Q(
        confidentiality__in=[
            Confidentiality.PUBLIC,
            Confidentiality.INTERNAL,
            Confidentiality.DEPARTMENT,
        ]
    )
    if user.is_authenticated and user.is_active:
        through_users = model.allowed_users.through
        through_groups = model.allowed_groups.through
        src = model._meta.model_name
        group_ids = list(user.groups.values_list("pk", flat=True))
        conditions.append(
            confidential
            & (
                Q(pk__in=through_users.objects.filter(user_id=user.pk).values(f"{src}_id"))
                | Q(
                    pk__in=through_groups.objects.filter(group_id__in=group_ids).values(f"{src}_id")
                )
            )
        )
        owner_field = getattr(model, "policy_owner_field", None)
        if owner_field:
            conditions.append(Q(**{f"{owner_field}_id": user.pk}))
        if is_internal(user):
            conditions.append(Q(confidentiality=Confidentiality.INTERNAL))
            if has_role(user, Role.KNOWLEDGE_MANAGER):
                conditions.append(Q(confidentiality=Confidentiality.DEPARTMENT))
            else:
                through_depts = model.owning_departments.through
                dept_ids = list(user.departments.values_list("pk", flat=True))
                conditions.append(
                    Q(confidentiality=Confidentiality.DEPARTMENT)
                    & Q(
                        pk__in=through_depts.objects.filter(department_id__in=dept_ids).values(
                            f"{src}_id"
                        )
                    )
                )
    return reduce(or_, conditions)


def _failed_restriction_paths(user, restriction_model) -> list[str]:
    """Return the tree paths whose subtrees `user` may not see under `restriction_model`.

    A node is judged by all restrictions on it and its ancestors combined, exactly as
    item_audience does; judging each restriction alone would let a user who passes two group
    restrictions with different groups see what can_view denies.
    """
    terms = set(audience_terms(user))
    by_path: dict[str, list] = {}
    for restriction in restriction_model.objects.select_related().prefetch_related("groups"):
        target = getattr(restriction, "page", None) or restriction.collection
        by_path.setdefault(target.path, []).append(restriction)
    failed = []
    for path in by_path:
        combined = [
            restriction
            for other, restrictions in by_path.items()
            if path.startswith(other)
            for restriction in restrictions
        ]
        if not terms & _restriction_terms(combined):
            failed.append(path)
    return failed


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """Filter `queryset` down to what `user` may see; unknown models yield nothing."""
    from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction

    if user is None:
        user = AnonymousUser()
    model = queryset.model
    rule = _service_rule(model)
    if rule is not None:
        return rule(user, queryset)
    if not issubclass(model, ProtectedContent):
        return queryset.none()
    if user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    queryset = queryset.filter(_read_q(user, model))
    if issubclass(model, Page):
        queryset = queryset.filter(live=True)
        for path in _failed_restriction_paths(user, PageViewRestriction):
            queryset = queryset.exclude(path__startswith=path)
    elif any(f.name == "collection" for f in model._meta.get_fields()):
        for path in _failed_restriction_paths(user, CollectionViewRestriction):
            queryset = queryset.exclude(collection__path__startswith=path)
    if any(f.name == "deleted_at" for f in model._meta.get_fields()):
        queryset = queryset.filter(deleted_at__isnull=True)
    return queryset


# ---------------------------------------------------------------------------------------------
# Customer service records: seen by the service roles, and by portal users of their own account

SERVICE_ROLES = frozenset({Role.SERVICE_AGENT, Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR})


def is_service_staff(user) -> bool:
    """Return True for users who work the ticket queue and see customer records."""
    if not is_internal(user):
        return False
    return user.is_superuser or bool(_role_names(user) & {r.value for r in SERVICE_ROLES})


def _customers_rule(user, queryset):
    if is_service_staff(user):
        return queryset
    if user.is_authenticated and user.is_active:
        return queryset.filter(portal_users=user).distinct()
    return queryset.none()


def _tickets_rule(user, queryset):
    if is_service_staff(user):
        return queryset
    if user.is_authenticated and user.is_active:
        return queryset.filter(customer__portal_users=user).distinct()
    return queryset.none()


def _contacts_rule(user, queryset):
    if is_service_staff(user):
        return queryset
    if user.is_authenticated and user.is_active:
        return queryset.filter(customer__portal_users=user).distinct()
    return queryset.none()


def _service_rule(model):
    label = model._meta.label_lower
    return {
        "customers.customer": _customers_rule,
        "customers.contact": _contacts_rule,
        "tickets.ticket": _tickets_rule,
    }.get(label)

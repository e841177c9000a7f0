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
from django.core.exceptions import FieldDoesNotExist
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
SERVICE = "service"  # service staff: customer records and tickets of every customer


def _dept(pk) -> str:
    return f"dept:{pk}"


def _group(pk) -> str:
    return f"group:{pk}"


def _user(pk) -> str:
    return f"user:{pk}"


def _customer(pk) -> str:
    return f"customer:{pk}"


@dataclass(frozen=True)
class ItemAudience:
    read: frozenset[str]
    restrict: frozenset[str]


# ---------------------------------------------------------------------------------------------
# The user's side


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _cached(user, name: str, compute):
    """Return `compute()`, kept on the user object: loaded once per request or task, not per item."""
    value = getattr(user, name, None)
    if value is None:
        value = compute()
        setattr(user, name, value)
    return value


def _groups(user) -> dict:
    """Return {pk: name} of the user's groups (roles are groups with stable names)."""
    return _cached(user, "_kb_groups", lambda: dict(user.groups.values_list("pk", "name")))


def _department_ids(user) -> list:
    return _cached(
        user, "_kb_department_ids", lambda: list(user.departments.values_list("pk", flat=True))
    )


def _holds_any(user, roles) -> bool:
    names = _groups(user).values()
    return any(role.value in names for role in roles)


def _superuser_or_holds_any(user, roles) -> bool:
    return _active(user) and (user.is_superuser or _holds_any(user, roles))


def is_internal(user) -> bool:
    """Return True for active staff: a superuser or a member of a staff role group."""
    return _superuser_or_holds_any(user, STAFF_ROLES)


def has_role(user, role: Role) -> bool:
    """Return True when an active user belongs to the group of `role`."""
    return _active(user) and _holds_any(user, (role,))


def _terms(user) -> frozenset[str]:
    if not _active(user):
        return frozenset({PUBLIC, OPEN})
    if user.is_superuser:
        return frozenset({ALL})
    return _cached(user, "_kb_audience_terms", lambda: frozenset(_member_terms(user)))


def _customer_ids(user) -> list:
    """Return the customers whose portal the user logs in to."""
    return _cached(
        user, "_kb_customer_ids", lambda: list(user.customer_accounts.values_list("pk", flat=True))
    )


def _member_terms(user) -> set[str]:
    terms = {PUBLIC, OPEN, AUTHENTICATED, _user(user.pk)}
    terms.update(_group(pk) for pk in _groups(user))
    terms.update(_customer(pk) for pk in _customer_ids(user))
    if is_internal(user):
        terms.add(STAFF)
        terms.update(_dept(pk) for pk in _department_ids(user))
        if has_role(user, Role.KNOWLEDGE_MANAGER):
            terms.add(ANY_DEPARTMENT)
    if is_service_staff(user):
        terms.add(SERVICE)
    return terms


def audience_terms(user) -> list[str]:
    """Return the tokens a search backend matches against an item's read and restrict lists."""
    return sorted(_terms(user))


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
    elif level == Confidentiality.CUSTOMERS:
        terms.add(STAFF)
        terms.update(_customer(pk) for pk in _m2m_pks(obj, "allowed_customers"))
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
    rule = _service_rule(type(obj))
    if rule is not None:
        return rule(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    if not isinstance(obj, ProtectedContent):
        return False  # deny by default: a model the policy does not know is seen by no one
    terms = _terms(user)
    audience = item_audience(obj)
    return bool(terms & audience.read) and bool(terms & audience.restrict)


def can_read(user, obj) -> bool:
    """Return True when the confidentiality of `obj` lets `user` read it.

    Only for serving a page, where Wagtail enforces its own view restrictions (with its login and
    password forms); everything else uses can_view.
    """
    # The read list alone: item_audience would also load view restrictions, unused here.
    return bool(_terms(user) & _read_terms(obj))


def can_upload(user) -> bool:
    """Return True when `user` may add documents (any active staff member)."""
    return is_internal(user)


MANAGER_ROLES = frozenset({Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR})


def can_manage_knowledge(user) -> bool:
    """Return True for knowledge managers and administrators (review lists, statistics)."""
    return _superuser_or_holds_any(user, MANAGER_ROLES)


def may_purge(user) -> bool:
    """Return True for users who may delete items from the recycle bin for good."""
    return can_manage_knowledge(user)


def _may_change(user, obj, may_see) -> bool:
    # Its owner, knowledge managers and administrators, provided `may_see` lets them see it.
    if not is_internal(user):
        return False
    if user.is_superuser:
        return True
    # The cheap role and owner test first: may_see can cost queries.
    return (can_manage_knowledge(user) or _owner_id(obj) == user.pk) and may_see(user, obj)


def can_edit(user, obj) -> bool:
    """Return True when `user` may change a protected item: new versions, trash, restore.

    Its owner, knowledge managers and administrators may, provided they can see it at all.
    """
    return _may_change(user, obj, can_view)


def can_edit_in_trash(user, obj) -> bool:
    """Return True when `user` may see `obj` in the recycle bin and restore it.

    Its owner, knowledge managers and administrators may, if its confidentiality lets them read it.
    """
    return _may_change(user, obj, can_read)


# ---------------------------------------------------------------------------------------------
# The same rule in SQL


def _read_q(user, model) -> Q:
    conditions = [Q(confidentiality=Confidentiality.PUBLIC)]
    # Like _read_terms: any level but the four named ones is treated as confidential.
    confidential = ~Q(
        confidentiality__in=[
            Confidentiality.PUBLIC,
            Confidentiality.CUSTOMERS,
            Confidentiality.INTERNAL,
            Confidentiality.DEPARTMENT,
        ]
    )
    if _active(user):
        through_users = model.allowed_users.through
        through_groups = model.allowed_groups.through
        src = model._meta.model_name
        group_ids = list(_groups(user))
        conditions.append(
            confidential
            & (
                Q(pk__in=through_users.objects.filter(user_id=user.pk).values(f"{src}_id"))
                | Q(
                    pk__in=through_groups.objects.filter(group_id__in=group_ids).values(f"{src}_id")
                )
            )
        )
        through_customers = model.allowed_customers.through
        conditions.append(
            Q(confidentiality=Confidentiality.CUSTOMERS)
            & Q(
                pk__in=through_customers.objects.filter(customer_id__in=_customer_ids(user)).values(
                    f"{src}_id"
                )
            )
        )
        owner_field = getattr(model, "policy_owner_field", None)
        if owner_field:
            conditions.append(Q(**{f"{owner_field}_id": user.pk}))
        if is_internal(user):
            conditions.append(
                Q(confidentiality__in=[Confidentiality.INTERNAL, Confidentiality.CUSTOMERS])
            )
            if has_role(user, Role.KNOWLEDGE_MANAGER):
                conditions.append(Q(confidentiality=Confidentiality.DEPARTMENT))
            else:
                through_depts = model.owning_departments.through
                dept_ids = _department_ids(user)
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

    Kept on the user object like its groups, so a page that filters several listings loads the
    restrictions once.
    """
    return _cached(
        user,
        f"_kb_failed_{restriction_model._meta.model_name}_paths",
        lambda: _judge_restrictions(_terms(user), restriction_model),
    )


def _judge_restrictions(terms, restriction_model) -> list[str]:
    # A node is judged by all restrictions on it and its ancestors combined, exactly as
    # item_audience does; judging each restriction alone would let a user who passes two group
    # restrictions with different groups see what can_view denies.
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


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


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
    if _active(user) and user.is_superuser:
        return queryset
    queryset = queryset.filter(_read_q(user, model))
    if issubclass(model, Page):
        queryset = queryset.filter(live=True)
        for path in _failed_restriction_paths(user, PageViewRestriction):
            queryset = queryset.exclude(path__startswith=path)
    elif _has_field(model, "collection"):
        for path in _failed_restriction_paths(user, CollectionViewRestriction):
            queryset = queryset.exclude(collection__path__startswith=path)
    if _has_field(model, "deleted_at"):
        queryset = queryset.filter(deleted_at__isnull=True)
    return queryset


def readable_to(user, queryset: QuerySet) -> QuerySet:
    """Filter `queryset` to items whose confidentiality lets `user` read them, drafts included.

    The editor's view (admin explorer, history, workflow, notifications about drafts): unlike
    visible_to it keeps unpublished pages and ignores Wagtail's front-end view restrictions, which
    govern serving, not editing. Items in the recycle bin are left out.
    """
    model = queryset.model
    if not issubclass(model, ProtectedContent) or not is_internal(user):
        return queryset.none()
    if user.is_superuser:
        return outside_page_bin(queryset)
    queryset = queryset.filter(_read_q(user, model))
    if _has_field(model, "deleted_at"):
        queryset = queryset.filter(deleted_at__isnull=True)
    return outside_page_bin(queryset)


def outside_page_bin(queryset: QuerySet) -> QuerySet:
    """Leave out pages in the page recycle bin (the RecycleBinPage and everything under it)."""
    from django.apps import apps
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Length, Substr
    from wagtail.models import Page

    if not issubclass(queryset.model, Page):
        return queryset
    # One correlated subquery rather than a query for the bin's path: readable_pages filters
    # every protected page type and would read it once per type.
    bins = apps.get_model("kb", "RecycleBinPage").objects.filter(
        path=Substr(OuterRef("path"), 1, Length("path"))
    )
    return queryset.exclude(Exists(bins))


def _filter_pages(user, queryset: QuerySet, rule) -> QuerySet:
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    if _active(user) and user.is_superuser:
        return queryset
    hidden = Q()
    for model in apps.get_models():
        if issubclass(model, Page) and issubclass(model, ProtectedContent):
            allowed = rule(user, model.objects.all()).values("pk")
            hidden |= Q(content_type=ContentType.objects.get_for_model(model)) & ~Q(pk__in=allowed)
    return queryset.exclude(hidden)


def visible_pages(user, queryset: QuerySet) -> QuerySet:
    """Filter a queryset of pages of any type: protected types by visible_to, others kept."""
    return _filter_pages(user, queryset, visible_to)


def readable_pages(user, queryset: QuerySet) -> QuerySet:
    """Filter a queryset of pages of any type for the editor: protected types by readable_to."""
    return outside_page_bin(_filter_pages(user, queryset, readable_to))


# ---------------------------------------------------------------------------------------------
# Customer service records: seen by the service roles, and by portal users of their own account

SERVICE_ROLES = frozenset({Role.SERVICE_AGENT, Role.KNOWLEDGE_MANAGER, Role.ADMINISTRATOR})


def is_service_staff(user) -> bool:
    """Return True for users who work the ticket queue and see customer records."""
    return _superuser_or_holds_any(user, SERVICE_ROLES)


def _audit_rule(user, queryset):
    """Audit rows: for holders of the audit permission, and a row about a protected item only
    to those who may see that item (its label is the item's title)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast
    from wagtail.models import Page

    if not _active(user) or not user.has_perm("permissions.view_auditevent"):
        return queryset.none()
    if user.is_superuser:
        return queryset
    page_type = ContentType.objects.get_for_model(Page)
    for model in apps.get_models():
        if not issubclass(model, ProtectedContent):
            continue
        everything = model._default_manager.all()
        hidden = everything.exclude(pk__in=visible_to(user, everything).values("pk"))
        hidden_ids = hidden.annotate(id_text=Cast("pk", CharField())).values("id_text")
        types = [ContentType.objects.get_for_model(model)]
        if issubclass(model, Page):  # rows written with the generic Page instance
            types.append(page_type)
        queryset = queryset.exclude(object_type__in=types, object_id__in=hidden_ids)
    return queryset


def _staff_only_rule(account_manager_lookup: str):
    """Service staff see every row; another staff member only those of customers they manage;
    portal users none (interaction records and manager history are the company's, not the
    customer's)."""

    def rule(user, queryset):
        if is_service_staff(user):
            return queryset
        if is_internal(user):
            return queryset.filter(**{account_manager_lookup: user})
        return queryset.none()

    return rule


def _account_rule(prefix: str):
    """Service staff see every row; a customer's account manager and its portal users the rows
    of that customer. `prefix` leads from the row to its customer ("" for the customer)."""

    def rule(user, queryset):
        if is_service_staff(user):
            return queryset
        if _active(user):
            mine = Q(**{f"{prefix}portal_users": user}) | Q(**{f"{prefix}account_manager": user})
            return queryset.filter(mine).distinct()
        return queryset.none()

    return rule


def _public_reply_rule(user, queryset):
    """Replies: service staff see all; a portal user the public replies on their own tickets."""
    if is_service_staff(user):
        return queryset
    if is_internal(user):
        return queryset.filter(ticket__customer__account_manager=user)
    if _active(user):
        return queryset.filter(internal=False, ticket__customer__portal_users=user).distinct()
    return queryset.none()


_SERVICE_RULES = {
    "permissions.auditevent": _audit_rule,
    "customers.customer": _account_rule(""),
    "customers.contact": _account_rule("customer__"),
    "customers.interaction": _staff_only_rule("customer__account_manager"),
    "customers.accountmanagerchange": _staff_only_rule("customer__account_manager"),
    "tickets.ticket": _account_rule("customer__"),
    "tickets.ticketreply": _public_reply_rule,
}


def can_see_customer_private(user, customer) -> bool:
    """Return True when `user` may read a customer's private fields (address, income, family,
    preferences): its account manager, the head of a department the account manager belongs
    to, and administrators. Nobody else, service staff and knowledge managers included."""
    if not _active(user):
        return False
    if user.is_superuser or has_role(user, Role.ADMINISTRATOR):
        return True
    manager_id = customer.account_manager_id
    if manager_id is None:
        return False
    if manager_id == user.pk:
        return True
    return user.headed_departments.filter(members__pk=manager_id).exists()


def _service_rule(model):
    return _SERVICE_RULES.get(model._meta.label_lower)


def service_record_audience(customer_id, account_manager_id=None) -> ItemAudience:
    """Return the index tokens of a customer record or ticket: service staff, its portal users
    and (when on staff) its account manager.

    The token form of `_account_rule`: tested against can_view for every role. The manager's
    token is `user:<pk>`, which only that user holds.
    """
    read = {ALL, SERVICE, _customer(customer_id)}
    if account_manager_id is not None:
        read.add(_user(account_manager_id))
    return ItemAudience(frozenset(read), frozenset({ALL, OPEN}))


def _implied_terms(token: str, user_terms) -> frozenset[str] | None:
    """Return tokens every (non-superuser) holder of `token` also holds; None for ALL."""
    if token == ALL:
        return None
    everyone = {PUBLIC, OPEN}
    if token in everyone:
        return frozenset(everyone)
    if token.startswith("user:") and user_terms is not None:
        return frozenset(user_terms(int(token.split(":", 1)[1])) | {token})
    # Whoever holds any other token is an active user; department tokens need a staff member.
    implied = {token, AUTHENTICATED, *everyone}
    if token == ANY_DEPARTMENT or token.startswith("dept:"):
        implied.add(STAFF)
    return frozenset(implied)


def audience_covers(outer: ItemAudience, inner: ItemAudience, *, user_terms=None) -> bool:
    """Return True when everyone who may see an `outer` item may also see the `inner` one.

    Used to put the text of an attached document into its page's index entry only when no viewer
    of the page could find text they may not read. Errs on False. `user_terms(pk)` returns a
    user's audience terms, for the owner tokens (without it only what any user holds).
    """
    for outer_tokens, inner_tokens in ((outer.read, inner.read), (outer.restrict, inner.restrict)):
        for token in outer_tokens:
            implied = _implied_terms(token, user_terms)
            if implied is not None and not implied & inner_tokens:
                return False
    return True


def user_audience_terms(user_id) -> frozenset[str]:
    """Return the audience terms of the user with this pk (nothing for a missing user)."""
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(pk=user_id).first()
    return _terms(user) if user is not None else frozenset()


def governs(model) -> bool:
    """Return True for models whose rows the policy filters one by one: content, service records."""
    return issubclass(model, ProtectedContent) or _service_rule(model) is not None


def can_change_customer(user, customer) -> bool:
    """Return True when `user` may edit a customer, its contacts and interaction records: service
    staff and the customer's account manager (portal users may not)."""
    if not is_internal(user):
        return False
    return is_service_staff(user) or customer.account_manager_id == user.pk


def can_assign_account_manager(user) -> bool:
    """Return True for those who hand a customer to another account manager: administrators,
    knowledge managers and department heads."""
    if not is_internal(user):
        return False
    return (
        user.is_superuser
        or has_role(user, Role.ADMINISTRATOR)
        or has_role(user, Role.KNOWLEDGE_MANAGER)
        or user.headed_departments.exists()
    )

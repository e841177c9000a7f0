"""The policy matrix: confidentiality levels against users, for pages and documents.

The expected outcomes are written out by hand; they are the specification, not a recomputation.
"""

from __future__ import annotations

import pytest

from permissions.models import Confidentiality
from permissions.policy import can_view, visible_to
from tests.permissions.conftest import USER_FIXTURES, make_article, make_document

P, CU, INT, D, C = (
    Confidentiality.PUBLIC,
    Confidentiality.CUSTOMERS,
    Confidentiality.INTERNAL,
    Confidentiality.DEPARTMENT,
    Confidentiality.CONFIDENTIAL,
)

# user fixture -> levels it may see. Department items are owned by the R&D department;
# confidential items here name no group or user, customer items name no customer.
EXPECTED = {
    "anonymous": {P},
    "customer_user": {P},
    "agent": {P, CU, INT},
    "rnd_engineer": {P, CU, INT, D},
    "trainer": {P, CU, INT},
    "knowledge_manager": {P, CU, INT, D},
    "administrator": {P, CU, INT, D, C},
    "admin_role_user": {P, CU, INT},
    "inactive_user": {P},
    "roleless_user": {P},
}
assert set(EXPECTED) == set(USER_FIXTURES)

CASES = [
    pytest.param(user, level, level in EXPECTED[user], id=f"{user}-{level}")
    for user in USER_FIXTURES
    for level in (P, CU, INT, D, C)
]


def _article(level, rnd_department, category):
    return make_article(category, confidentiality=level, departments=[rnd_department])


def _document(level, rnd_department, category):
    return make_document(confidentiality=level, departments=[rnd_department])


@pytest.mark.django_db
@pytest.mark.parametrize("make", [_article, _document], ids=["article", "document"])
@pytest.mark.parametrize(("user_fixture", "level", "expected"), CASES)
def test_matrix(request, make, user_fixture, level, expected, rnd_department, category):
    user = request.getfixturevalue(user_fixture)
    item = make(level, rnd_department, category)
    model = type(item)

    assert can_view(user, item) is expected
    assert visible_to(user, model.objects.all()).filter(pk=item.pk).exists() is expected


@pytest.mark.django_db
def test_department_level_is_for_the_owning_department_only(
    rnd_engineer, agent, service_department, rnd_department, category
):
    service_only = make_article(category, confidentiality=D, departments=[service_department])
    both = make_document(confidentiality=D, departments=[service_department, rnd_department])
    no_department = make_document(confidentiality=D)

    assert can_view(agent, service_only)
    assert not can_view(rnd_engineer, service_only)
    assert can_view(agent, both) and can_view(rnd_engineer, both)
    assert not can_view(agent, no_department)
    assert not can_view(rnd_engineer, no_department)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["article", "document"])
def test_confidential_items_are_for_named_groups_users_and_the_owner(
    kind, trainer, rnd_engineer, agent, knowledge_manager, customer_user, administrator, category
):
    from django.contrib.auth.models import Group

    from permissions.roles import Role

    trainers = Group.objects.get(name=Role.TRAINER.value)
    protection = {
        "confidentiality": C,
        "groups": [trainers],
        "users": [customer_user],
        "owner": agent,
    }
    item = (
        make_article(category, **protection) if kind == "article" else make_document(**protection)
    )
    model = type(item)
    expected = {
        trainer: True,  # through the trainer group
        customer_user: True,  # named user, even though not staff
        agent: True,  # the owner
        rnd_engineer: False,
        knowledge_manager: False,  # managing knowledge does not open confidential items
        administrator: True,  # superuser
    }
    for user, allowed in expected.items():
        assert can_view(user, item) is allowed, user.username
        assert visible_to(user, model.objects.all()).filter(pk=item.pk).exists() is allowed


@pytest.mark.django_db
def test_owner_sees_own_department_item_without_being_in_the_department(trainer, category):
    item = make_article(category, confidentiality=D, owner=trainer)
    other = make_article(category, confidentiality=D)

    assert can_view(trainer, item)
    assert not can_view(trainer, other)
    assert list(visible_to(trainer, type(item).objects.filter(pk__in=[item.pk, other.pk]))) == [
        item
    ]


@pytest.mark.django_db
def test_unknown_models_are_denied(agent, administrator):
    from permissions.models import Department

    department = Department.objects.create(name="质量部", code="qa")
    assert not can_view(agent, department)
    assert not can_view(administrator, department)
    assert not visible_to(administrator, Department.objects.all()).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["article", "document"])
def test_customer_level_is_for_the_named_customers_portal_users(
    kind, customer_user, anonymous, category
):
    from tests.factories import CustomerFactory

    own, other = CustomerFactory(), CustomerFactory()
    own.portal_users.add(customer_user)
    make = make_article if kind == "article" else make_document
    args = (category,) if kind == "article" else ()
    for_own = make(*args, confidentiality=CU)
    for_own.allowed_customers.set([own])
    for_own.save()
    for_other = make(*args, confidentiality=CU)
    for_other.allowed_customers.set([other])
    for_other.save()
    if kind == "article":  # the published revision carries the relation too
        for page in (for_own, for_other):
            page.save_revision().publish()
    model = type(for_own)

    assert can_view(customer_user, for_own)
    assert not can_view(customer_user, for_other)
    assert not can_view(anonymous, for_own)
    visible = set(visible_to(customer_user, model.objects.all()).values_list("pk", flat=True))
    assert for_own.pk in visible and for_other.pk not in visible
    assert not visible_to(anonymous, model.objects.filter(pk=for_own.pk)).exists()

"""Wagtail page privacy, collection restrictions, drafts and the recycle bin as policy inputs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import CollectionViewRestriction, PageViewRestriction

from permissions.models import Confidentiality
from permissions.policy import can_view, visible_to
from permissions.roles import Role
from tests.permissions.conftest import (
    make_article,
    make_category,
    make_collection,
    make_document,
)

P = Confidentiality.PUBLIC


def _restrict_page(page, kind, groups=()):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="secret" if kind == "password" else ""
    )
    restriction.groups.set(groups)
    return restriction


def _restrict_collection(collection, kind, groups=()):
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=kind,
        password="secret" if kind == "password" else "",
    )
    restriction.groups.set(groups)
    return restriction


def _sees(user, item):
    """Return can_view and visible_to's answer, checking they agree."""
    model = type(item)
    by_object = can_view(user, item)
    by_query = visible_to(user, model.objects.all()).filter(pk=item.pk).exists()
    assert by_object == by_query, (user, item)
    return by_object


def _trainers():
    return Group.objects.get(name=Role.TRAINER.value)


# kind of restriction -> users (fixture names) that see a public item behind it
RESTRICTED_EXPECTED = {
    "login": {"customer_user", "agent", "trainer", "administrator"},
    "groups": {"trainer", "administrator"},  # restricted to the trainer group
    "password": {"administrator"},  # only the page's own password form lets others in
}
USERS = ["anonymous", "customer_user", "agent", "trainer", "administrator"]


@pytest.mark.django_db
@pytest.mark.parametrize("on", ["page", "ancestor", "grandparent"])
@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_page_view_restrictions(request, kind, on, category):
    sub = make_category(category)
    article = make_article(sub, confidentiality=P)
    target = {"page": article, "ancestor": sub, "grandparent": category}[on]
    _restrict_page(target, kind, [_trainers()] if kind == "groups" else [])
    for name in USERS:
        user = request.getfixturevalue(name)
        assert _sees(user, article) is (name in RESTRICTED_EXPECTED[kind]), name


@pytest.mark.django_db
def test_restriction_on_a_sibling_does_not_leak(anonymous, category):
    restricted = make_category(category)
    _restrict_page(restricted, "login")
    # A sibling whose path shares a textual prefix must stay visible.
    sibling = make_category(category)
    article = make_article(sibling, confidentiality=P)
    assert _sees(anonymous, article)


@pytest.mark.django_db
def test_two_group_restrictions_must_both_pass(trainer, rnd_engineer, category):
    """A page under two group restrictions: the policy takes the groups common to both."""
    engineers = Group.objects.get(name=Role.RND_ENGINEER.value)
    sub = make_category(category)
    article = make_article(sub, confidentiality=P)
    _restrict_page(category, "groups", [_trainers(), engineers])
    _restrict_page(sub, "groups", [engineers])

    assert _sees(rnd_engineer, article)
    assert not _sees(trainer, article)
    assert _sees(trainer, category)  # above the inner restriction trainers still pass


@pytest.mark.django_db
def test_disjoint_group_restrictions_deny_even_members_of_both(trainer, category):
    """Members of both groups would pass Wagtail's check; the policy errs on denial, consistently."""
    engineers = Group.objects.get(name=Role.RND_ENGINEER.value)
    trainer.groups.add(engineers)
    sub = make_category(category)
    article = make_article(sub, confidentiality=P)
    _restrict_page(category, "groups", [_trainers()])
    _restrict_page(sub, "groups", [engineers])

    assert not _sees(trainer, article)
    assert _sees(trainer, category)


@pytest.mark.django_db
def test_restriction_and_confidentiality_both_apply(customer_user, agent, category):
    _restrict_page(category, "login")
    internal = make_article(category, confidentiality=Confidentiality.INTERNAL)
    assert not _sees(customer_user, internal)  # logged in, but not staff
    assert _sees(agent, internal)


@pytest.mark.django_db
def test_unpublished_pages_are_hidden_from_everyone_but_superusers(
    anonymous, agent, knowledge_manager, administrator, category
):
    draft = make_article(category, confidentiality=P, publish=False, owner=agent)
    unpublished = make_article(category, confidentiality=P)
    unpublished.unpublish()
    unpublished.refresh_from_db()

    for page in (draft, unpublished):
        assert not _sees(anonymous, page)
        assert not _sees(agent, page)  # not even its owner, outside the admin
        assert not _sees(knowledge_manager, page)
        assert _sees(administrator, page)


# kind of collection restriction -> users that see a public document in it
@pytest.mark.django_db
@pytest.mark.parametrize("on", ["collection", "parent"])
@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_collection_view_restrictions(request, kind, on):
    parent = make_collection()
    child = make_collection(parent)
    document = make_document(collection=child, confidentiality=P)
    _restrict_collection(
        child if on == "collection" else parent, kind, [_trainers()] if kind == "groups" else []
    )
    for name in USERS:
        user = request.getfixturevalue(name)
        assert _sees(user, document) is (name in RESTRICTED_EXPECTED[kind]), name


@pytest.mark.django_db
def test_collection_restriction_does_not_reach_other_collections(anonymous):
    restricted = make_collection()
    _restrict_collection(restricted, "login")
    document = make_document(collection=make_collection(), confidentiality=P)
    assert _sees(anonymous, document)


@pytest.mark.django_db
def test_documents_in_the_recycle_bin_are_hidden(anonymous, agent, administrator):
    binned = make_document(confidentiality=P, deleted_at=timezone.now(), owner=agent)
    assert not _sees(anonymous, binned)
    assert not _sees(agent, binned)  # not even its uploader
    assert _sees(administrator, binned)

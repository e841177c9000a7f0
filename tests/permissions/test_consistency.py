"""can_view, visible_to and the index token match give the same answer for every pair.

A search backend filters by audience_terms(user) against item_audience(item); listings use
visible_to; single loads use can_view. If any two disagree, a search result, a count or a link
leaks or vanishes, so every user is checked against every item of a varied collection.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import CollectionViewRestriction, PageViewRestriction

from documents.models import KnowledgeDocument
from kb.models import ArticlePage, CategoryPage
from permissions.models import Confidentiality
from permissions.policy import audience_terms, can_view, item_audience, visible_to
from permissions.roles import Role
from tests.factories import UserFactory
from tests.permissions.conftest import (
    USER_FIXTURES,
    make_article,
    make_category,
    make_collection,
    make_document,
)

LEVELS = list(Confidentiality)


def _token_match(user, item) -> bool:
    terms = set(audience_terms(user))
    audience = item_audience(item)
    return bool(terms & audience.read) and bool(terms & audience.restrict)


@pytest.fixture
def varied_items(db, rnd_department, service_department, customer_user, agent, trainer):
    trainers = Group.objects.get(name=Role.TRAINER.value)
    engineers = Group.objects.get(name=Role.RND_ENGINEER.value)

    def protections():
        yield {"confidentiality": Confidentiality.PUBLIC}
        yield {"confidentiality": Confidentiality.INTERNAL}
        yield {"confidentiality": Confidentiality.DEPARTMENT, "departments": [rnd_department]}
        yield {"confidentiality": Confidentiality.DEPARTMENT, "departments": [service_department]}
        yield {"confidentiality": Confidentiality.CONFIDENTIAL, "groups": [trainers]}
        yield {"confidentiality": Confidentiality.CONFIDENTIAL, "users": [customer_user]}
        yield {"confidentiality": Confidentiality.CONFIDENTIAL, "owner": agent}
        yield {"confidentiality": Confidentiality.DEPARTMENT, "owner": trainer}

    open_category = make_category()
    login_category = make_category()
    PageViewRestriction.objects.create(page=login_category, restriction_type="login")
    group_category = make_category(login_category)
    PageViewRestriction.objects.create(page=group_category, restriction_type="groups").groups.set(
        [trainers, engineers]
    )
    inner_group_category = make_category(group_category)
    PageViewRestriction.objects.create(
        page=inner_group_category, restriction_type="groups"
    ).groups.set([engineers])
    disjoint_outer = make_category()
    PageViewRestriction.objects.create(page=disjoint_outer, restriction_type="groups").groups.set(
        [trainers]
    )
    disjoint_inner = make_category(disjoint_outer)
    PageViewRestriction.objects.create(page=disjoint_inner, restriction_type="groups").groups.set(
        [engineers]
    )
    password_category = make_category()
    PageViewRestriction.objects.create(
        page=password_category, restriction_type="password", password="secret"
    )
    draft_category = make_category(publish=False)

    open_collection = make_collection()
    login_collection = make_collection()
    CollectionViewRestriction.objects.create(collection=login_collection, restriction_type="login")
    group_collection = make_collection(login_collection)
    CollectionViewRestriction.objects.create(
        collection=group_collection, restriction_type="groups"
    ).groups.set([trainers])

    for parent in (
        open_category,
        login_category,
        group_category,
        inner_group_category,
        disjoint_inner,
        password_category,
    ):
        for protection in protections():
            make_article(parent, **protection)
    for protection in protections():
        make_article(open_category, publish=False, **protection)
        make_article(draft_category, **protection)  # live child of a draft category
        for collection in (open_collection, login_collection, group_collection):
            make_document(collection=collection, **protection)
        make_document(deleted_at=timezone.now(), **protection)
    # Passes both group restrictions of the nested categories with different groups.
    return [UserFactory(username="trainer-engineer", roles=[Role.TRAINER, Role.RND_ENGINEER])]


@pytest.mark.django_db
def test_three_views_of_the_policy_agree(request, varied_items):
    pages = list(ArticlePage.objects.all()) + list(CategoryPage.objects.all())
    documents = list(KnowledgeDocument.objects.all())
    assert len(pages) > 60 and len(documents) > 30
    checked = visible_somewhere = 0
    users = [request.getfixturevalue(name) for name in USER_FIXTURES] + varied_items
    for user in users:
        name = str(user)
        listed = {
            ArticlePage: set(
                visible_to(user, ArticlePage.objects.all()).values_list("pk", flat=True)
            ),
            CategoryPage: set(
                visible_to(user, CategoryPage.objects.all()).values_list("pk", flat=True)
            ),
            KnowledgeDocument: set(
                visible_to(user, KnowledgeDocument.objects.all()).values_list("pk", flat=True)
            ),
        }
        for item in pages + documents:
            by_object = can_view(user, item)
            assert by_object == (item.pk in listed[type(item)]), (name, item, item_audience(item))
            assert by_object == _token_match(user, item), (name, item)
            checked += 1
            visible_somewhere += by_object
    # Guard against a vacuous pass: some pairs are visible, many are not.
    assert 0 < visible_somewhere < checked


@pytest.mark.django_db
def test_unknown_confidentiality_is_treated_as_confidential(agent, administrator, category):
    article = make_article(category, confidentiality=Confidentiality.PUBLIC, users=[agent])
    ArticlePage.objects.filter(pk=article.pk).update(confidentiality="top-secret")
    article.refresh_from_db()

    assert can_view(agent, article)  # named user
    assert visible_to(agent, ArticlePage.objects.filter(pk=article.pk)).exists()
    assert can_view(administrator, article)

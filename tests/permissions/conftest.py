"""Builders for protected items: published pages under the knowledge home, documents."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.base import ContentFile
from wagtail.models import Collection

from documents.models import KnowledgeDocument
from kb.models import ArticlePage, CategoryPage, KnowledgeHomePage
from permissions.models import Confidentiality
from permissions.roles import Role
from tests.factories import UserFactory

_seq = itertools.count()


def _protection(obj, *, confidentiality, departments=(), groups=(), users=(), owner=None):
    obj.confidentiality = confidentiality
    obj.owning_departments = list(departments)
    obj.allowed_groups = list(groups)
    obj.allowed_users = list(users)
    if owner is not None:
        field = type(obj).policy_owner_field
        setattr(obj, field, owner)


def make_category(parent=None, *, publish=True, **protection) -> CategoryPage:
    """Create a category under `parent` (default: the knowledge home), published by default."""
    parent = parent or KnowledgeHomePage.objects.first()
    n = next(_seq)
    page = CategoryPage(title=f"分类{n}", slug=f"category-{n}", live=publish)
    _protection(page, **{"confidentiality": Confidentiality.PUBLIC, **protection})
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return CategoryPage.objects.get(pk=page.pk)


def make_article(parent, *, publish=True, **protection) -> ArticlePage:
    """Create an article under `parent` with the given protection, published by default."""
    n = next(_seq)
    page = ArticlePage(title=f"文章{n}", slug=f"article-{n}", live=publish)
    _protection(page, **protection)
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return ArticlePage.objects.get(pk=page.pk)


def make_collection(parent=None, name=None) -> Collection:
    parent = parent or Collection.get_first_root_node()
    return parent.add_child(name=name or f"集合{next(_seq)}")


def make_document(*, collection=None, deleted_at=None, **protection) -> KnowledgeDocument:
    """Create a document with a small file, in `collection` (default: the root collection)."""
    n = next(_seq)
    doc = KnowledgeDocument(
        title=f"文档{n}",
        file=ContentFile(b"zhiku", name=f"doc-{n}.txt"),
        deleted_at=deleted_at,
    )
    if collection is not None:
        doc.collection = collection
    _protection(doc, **protection)
    doc.save()
    return KnowledgeDocument.objects.get(pk=doc.pk)


@pytest.fixture
def category(db):
    return make_category()


@pytest.fixture
def inactive_user(db, rnd_department):
    """Was an R&D engineer in the owning department; deactivated, so sees only public items."""
    return UserFactory(
        username="inactive",
        roles=[Role.RND_ENGINEER],
        departments=[rnd_department],
        is_active=False,
    )


@pytest.fixture
def roleless_user(db, rnd_department):
    """Listed in a department but in no role group: not staff."""
    return UserFactory(username="roleless", departments=[rnd_department])


@pytest.fixture
def admin_role_user(db):
    """In the administrator role group but not a Django superuser."""
    return UserFactory(username="admin-role", roles=[Role.ADMINISTRATOR])


USER_FIXTURES = [
    "anonymous",
    "customer_user",
    "agent",
    "rnd_engineer",
    "trainer",
    "knowledge_manager",
    "administrator",
    "admin_role_user",
    "inactive_user",
    "roleless_user",
]


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def all_users(request, db):
    return {name: request.getfixturevalue(name) for name in USER_FIXTURES}

"""Shared fixtures: isolated data directory, eager Celery for unit tests, named role users."""

from __future__ import annotations

import pytest

from permissions.roles import Role
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Keep uploads and the search index of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KB_SEARCH_INDEX_DIR = tmp_path / "index"
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backends.tantivy.TantivyBackend", "PATH": tmp_path / "index"}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from search.backends import reset_backends

    reset_backends()
    yield
    reset_backends()


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run tasks inline; integration tests under tests/integration start a real worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def rnd_department(db):
    return DepartmentFactory(name="研发中心", code="rnd")


@pytest.fixture
def service_department(db):
    return DepartmentFactory(name="客户服务部", code="service")


@pytest.fixture
def agent(db, service_department):
    return UserFactory(
        username="agent", roles=[Role.SERVICE_AGENT], departments=[service_department]
    )


@pytest.fixture
def rnd_engineer(db, rnd_department):
    return UserFactory(username="engineer", roles=[Role.RND_ENGINEER], departments=[rnd_department])


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", roles=[Role.TRAINER])


@pytest.fixture
def knowledge_manager(db):
    return UserFactory(username="km", roles=[Role.KNOWLEDGE_MANAGER])


@pytest.fixture
def customer_user(db):
    return UserFactory(username="customer", roles=[Role.CUSTOMER])


@pytest.fixture
def administrator(db):
    return UserFactory(
        username="administrator", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True
    )

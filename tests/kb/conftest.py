"""Fixtures shared by the knowledge-base tests: reviewers and customer accounts."""

from __future__ import annotations

import pytest

from permissions.roles import Role
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def rnd_reviewer(db, rnd_department):
    return UserFactory(username="rnd-reviewer", roles=[Role.REVIEWER], departments=[rnd_department])


@pytest.fixture
def service_reviewer(db, service_department):
    return UserFactory(
        username="service-reviewer", roles=[Role.REVIEWER], departments=[service_department]
    )


@pytest.fixture
def portal_account(customer_user):
    account = CustomerFactory(name="甲方科技有限公司")
    account.portal_users.add(customer_user)
    return account


@pytest.fixture
def other_customer_user(db):
    user = UserFactory(username="other-customer", roles=[Role.CUSTOMER])
    CustomerFactory(name="乙方制造有限公司").portal_users.add(user)
    return user

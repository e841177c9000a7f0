"""Every page type against every confidentiality level and every kind of reader.

The expected outcomes are written out by hand in EXPECTED; they are the specification, not a
recomputation of the policy. For each case the page itself, its parent's listing and the help
centre home are fetched: a reader who may not see the page gets a 404 and finds neither its title
nor a count that includes it.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.contrib.auth.models import Group

from kb.models import (
    ArticlePage,
    CaseHistoryPage,
    CategoryPage,
    FAQPage,
    KnowledgeHomePage,
    KnowledgeTemplate,
    StructuredItemPage,
    TemplateField,
)
from permissions.models import Confidentiality

P, CU, INT, D, C = (
    Confidentiality.PUBLIC,
    Confidentiality.CUSTOMERS,
    Confidentiality.INTERNAL,
    Confidentiality.DEPARTMENT,
    Confidentiality.CONFIDENTIAL,
)
LEVELS = (P, CU, INT, D, C)
KINDS = ("category", "article", "faq", "case", "structured")

# Customer-level pages name customer_user's account; department pages are owned by R&D;
# confidential pages name one group, whose only member here is the trainer.
EXPECTED = {
    #                        public customers internal department confidential
    "anonymous": (200, 404, 404, 404, 404),  # fmt: skip
    "customer_user": (200, 200, 404, 404, 404),  # fmt: skip
    "other_customer_user": (200, 404, 404, 404, 404),  # fmt: skip
    "agent": (200, 200, 200, 404, 404),  # fmt: skip
    "rnd_engineer": (200, 200, 200, 200, 404),  # fmt: skip
    "trainer": (200, 200, 200, 404, 200),  # fmt: skip
    "knowledge_manager": (200, 200, 200, 200, 404),  # fmt: skip
    "administrator": (200, 200, 200, 200, 200),  # fmt: skip
}
STAFF = {"agent", "rnd_engineer", "trainer", "knowledge_manager", "administrator"}
CONFIDENTIAL_GROUP_MEMBERS = {"trainer"}

_seq = itertools.count()


# ---------------------------------------------------------------------------------------------
# Builders, shared with the other reader tests


def home_page() -> KnowledgeHomePage:
    return KnowledgeHomePage.objects.get()


def knowledge_template() -> KnowledgeTemplate:
    template, created = KnowledgeTemplate.objects.get_or_create(name="故障记录")
    if created:
        TemplateField.objects.create(template=template, label="故障代码", key="code", kind="text")
    return template


def _new_page(kind: str, title: str):
    slug = f"{kind}-{next(_seq)}"
    if kind == "category":
        return CategoryPage(title=title, slug=slug)
    if kind == "article":
        return ArticlePage(title=title, slug=slug)
    if kind == "faq":
        # The question is what listings show; the same text as the title keeps checks simple.
        return FAQPage(title=title, slug=slug, question=title, answer="<p>答案。</p>")
    if kind == "case":
        return CaseHistoryPage(
            title=title, slug=slug, symptom="<p>现象。</p>", resolution="<p>处理。</p>"
        )
    if kind == "structured":
        return StructuredItemPage(
            title=title, slug=slug, template=knowledge_template(), data={"code": "E01"}
        )
    raise ValueError(kind)


def build_page(
    kind: str,
    parent,
    *,
    title: str | None = None,
    level=P,
    customers=(),
    departments=(),
    groups=(),
    users=(),
    publish: bool = True,
    tags=(),
    m2m=None,
    **fields,
):
    """Create a page of `kind` under `parent` with the given protection, published by default.

    `m2m` sets other many-to-many fields ({"products": [...]}) before the revision is saved.
    """
    page = _new_page(kind, title or f"页面{next(_seq)}")
    page.confidentiality = level
    page.live = publish
    for name, value in fields.items():
        setattr(page, name, value)
    parent.add_child(instance=page)
    page.allowed_customers.set(customers)
    page.owning_departments.set(departments)
    page.allowed_groups.set(groups)
    page.allowed_users.set(users)
    for name, values in (m2m or {}).items():
        getattr(page, name).set(values)
    if tags:
        page.tags.add(*tags)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def secret_group(db):
    return Group.objects.create(name="保密项目组")


# ---------------------------------------------------------------------------------------------
# The matrix


def _card_count(html: str, category) -> int | None:
    match = re.search(rf'data-category="{category.pk}".*?data-count="(\d+)"', html, flags=re.DOTALL)
    return int(match.group(1)) if match else None


CASES = [
    pytest.param(kind, level, user, id=f"{kind}-{level}-{user}")
    for kind in KINDS
    for level in LEVELS
    for user in EXPECTED
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "level", "user_name"), CASES)
def test_page_matrix(
    request, client, kind, level, user_name, rnd_department, portal_account, secret_group
):
    home = home_page()
    # A category is listed on the home page; every other type in a public category.
    parent = home if kind == "category" else build_page("category", home, title="公开分类")
    title = f"矩阵{kind}{level}页面"
    page = build_page(
        kind,
        parent,
        title=title,
        level=level,
        customers=[portal_account],
        departments=[rnd_department],
        groups=[secret_group],
    )
    if user_name != "anonymous":
        user = request.getfixturevalue(user_name)
        if user_name in CONFIDENTIAL_GROUP_MEMBERS:
            user.groups.add(secret_group)
        client.force_login(user)
    expected = EXPECTED[user_name][LEVELS.index(level)]
    allowed = expected == 200

    response = client.get(page.url)
    assert response.status_code == expected
    if allowed:
        html = response.content.decode()
        assert title in html
        assert ('id="staff-panel"' in html) == (user_name in STAFF)

    parent_html = client.get(parent.url).content.decode()
    assert (title in parent_html) == allowed

    home_html = client.get(home.url).content.decode()
    if not allowed:
        assert title not in home_html
    if kind != "category":
        assert _card_count(home_html, parent) == (1 if allowed else 0)

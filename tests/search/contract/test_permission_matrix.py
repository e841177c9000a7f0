"""Zero permission leaks: every role against items of every protection, through the backend and
through the query service (hits, totals, facets, snippets, autocomplete, did-you-mean).

Items are real pages and documents protected by the real policy; their records carry
`item_audience(obj)`, and what each user may find must be exactly what `can_view` lets them see.
Every item holds the shared query word, and a secret word (also its tag) that only it contains.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from documents.models import KnowledgeDocument
from kb.models import ArticlePage
from kb.trash.actions import trash_page
from permissions.models import Confidentiality
from permissions.policy import audience_terms, can_view, item_audience
from permissions.roles import Role
from search import service
from search.backends.base import SearchRequest
from search.documents import build_document
from search.ranking import build_should
from search.records import Record, key_for
from tests.factories import DepartmentFactory, UserFactory
from tests.kb.test_page_matrix import build_page, home_page
from tests.permissions.conftest import make_document

pytestmark = pytest.mark.django_db

SHARED = "减速机"
P, CU, INT, D, C = (
    Confidentiality.PUBLIC,
    Confidentiality.CUSTOMERS,
    Confidentiality.INTERNAL,
    Confidentiality.DEPARTMENT,
    Confidentiality.CONFIDENTIAL,
)
# Latin pseudo-words more than two edits apart, so did-you-mean cannot confuse them.
SECRETS = (
    "quorvax",
    "blimtrop",
    "zentrafy",
    "mukdelin",
    "prasquel",
    "hovintar",
    "skelvorn",
    "dabrizet",
    "fonquilm",
    "trevasku",
    "glimphor",
    "wustrane",
    "yarbenix",
    "cholmedr",
    "ipsavunt",
)
USERS = (
    "anonymous",
    "customer_a",
    "customer_b",
    "agent",
    "rnd_x",
    "rnd_y",
    "trainer",
    "knowledge_manager",
    "superuser",
)


@dataclass
class Item:
    label: str
    obj: object
    record: Record

    @property
    def key(self) -> str:
        return self.record.key

    @property
    def secret(self) -> str:
        return self.record.extra["secret"]


@dataclass
class Matrix:
    items: list[Item]
    users: dict

    def visible(self, user) -> list[Item]:
        return [item for item in self.items if can_view(user, item.obj)]

    def hidden(self, user) -> list[Item]:
        return [item for item in self.items if not can_view(user, item.obj)]


def _record(n: int, label: str, obj, record_type: str, departments=()) -> Record:
    audience = item_audience(obj)
    secret = SECRETS[n]
    return Record(
        key=key_for(obj),
        type=record_type,
        title=f"{SHARED}{label}",
        url=f"/items/{n}/",
        read=sorted(audience.read),
        restrict=sorted(audience.restrict),
        body=f"{SHARED}的检修说明：先断电，再拆下端盖。{secret} 是本条目独有的词。",
        tags=[f"标签{secret}"],
        departments=[d.pk for d in departments],
        updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
        extra={"secret": secret},
    )


@pytest.fixture
def users(
    rnd_department,
    portal_account,
    customer_user,
    other_customer_user,
    agent,
    rnd_engineer,
    trainer,
    knowledge_manager,
    administrator,
):
    secret_group = Group.objects.create(name="保密项目组")
    trainer.groups.add(secret_group)
    other_department = DepartmentFactory(name="测试中心", code="qa")
    return {
        "anonymous": AnonymousUser(),
        "customer_a": customer_user,
        "customer_b": other_customer_user,
        "agent": agent,
        "rnd_x": rnd_engineer,
        "rnd_y": UserFactory(
            username="engineer-y", roles=[Role.RND_ENGINEER], departments=[other_department]
        ),
        "trainer": trainer,
        "knowledge_manager": knowledge_manager,
        "superuser": administrator,
        # not users: what the items are protected by
        "_group": secret_group,
        "_dept_x": rnd_department,
        "_dept_y": other_department,
        "_account": portal_account,
    }


@pytest.fixture
def matrix(users, backend, analyzer) -> Matrix:
    home = home_page()
    category = build_page("category", home, title="矩阵分类")
    dept_x, dept_y = users["_dept_x"], users["_dept_y"]

    login_only = build_page("category", home, title="登录可见分类")
    PageViewRestriction.objects.create(page=login_only, restriction_type=PageViewRestriction.LOGIN)
    agents_only = build_page("category", home, title="客服组可见分类")
    restriction = PageViewRestriction.objects.create(
        page=agents_only, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=Role.SERVICE_AGENT.value)])

    to_trash = build_page("article", category, title="待删除", level=P)
    trash_page(actor=users["superuser"], page=to_trash)

    specs = [
        ("公开文章", build_page("article", category, level=P), "article", ()),
        ("公开问答", build_page("faq", category, level=P), "faq", ()),
        (
            "客户甲文章",
            build_page("article", category, level=CU, customers=[users["_account"]]),
            "article",
            (),
        ),
        ("内部文章", build_page("article", category, level=INT), "article", ()),
        (
            "研发部文章",
            build_page("article", category, level=D, departments=[dept_x]),
            "article",
            (dept_x,),
        ),
        (
            "测试部案例",
            build_page("case", category, level=D, departments=[dept_y]),
            "case",
            (dept_y,),
        ),
        (
            "保密组文章",
            build_page("article", category, level=C, groups=[users["_group"]]),
            "article",
            (),
        ),
        (
            "指定用户文章",
            build_page("article", category, level=C, users=[users["rnd_y"]]),
            "article",
            (),
        ),
        ("登录可见文章", build_page("article", login_only, level=P), "article", ()),
        ("客服组文章", build_page("article", agents_only, level=P), "article", ()),
        ("回收站页面", ArticlePage.objects.get(pk=to_trash.pk), "article", ()),
        ("草稿文章", build_page("article", category, level=P, publish=False), "article", ()),
        ("公开文档", make_document(confidentiality=P), "document", ()),
        (
            "研发部文档",
            make_document(confidentiality=D, departments=[dept_x]),
            "document",
            (dept_x,),
        ),
        (
            "回收站文档",
            make_document(confidentiality=P, deleted_at=timezone.now()),
            "document",
            (),
        ),
    ]
    items = []
    for n, (label, obj, record_type, departments) in enumerate(specs):
        if isinstance(obj, KnowledgeDocument):
            obj = KnowledgeDocument.objects.get(pk=obj.pk)
        items.append(Item(label, obj, _record(n, label, obj, record_type, departments)))
    backend.index(build_document(item.record, analyzer) for item in items)
    return Matrix(items=items, users={k: v for k, v in users.items() if k in USERS})


def test_matrix_is_not_degenerate(matrix):
    """Every protected item is hidden from someone and shown to someone; the public sees three."""
    anonymous = matrix.users["anonymous"]
    assert {i.label for i in matrix.visible(anonymous)} == {"公开文章", "公开问答", "公开文档"}
    assert {i.label for i in matrix.hidden(matrix.users["customer_a"])} >= {"内部文章"}
    assert "客户甲文章" in {i.label for i in matrix.visible(matrix.users["customer_a"])}
    assert "客户甲文章" in {i.label for i in matrix.hidden(matrix.users["customer_b"])}
    assert "客服组文章" in {i.label for i in matrix.visible(matrix.users["agent"])}
    assert "客服组文章" in {i.label for i in matrix.hidden(matrix.users["trainer"])}
    for item in matrix.items:
        seen_by = {name for name, user in matrix.users.items() if can_view(user, item.obj)}
        assert "superuser" in seen_by, item.label
        if item.label not in ("公开文章", "公开问答", "公开文档"):
            assert seen_by != set(USERS), f"{item.label} is seen by everyone"
    for name in ("回收站页面", "回收站文档", "草稿文章"):
        item = next(i for i in matrix.items if i.label == name)
        assert item.record.restrict == ["all"]


def _rendered(results) -> str:
    """Return everything a results page shows: titles, snippets, facet labels, suggestions."""
    return repr((results.hits, results.facets, results.did_you_mean))


def _leaks(text: str, hidden: list[Item]) -> list[str]:
    return [
        item.label
        for item in hidden
        if item.secret in text or item.record.title in text or item.key in text
    ]


@pytest.mark.parametrize("user_name", USERS)
def test_no_leak(matrix, backend, analyzer, user_name):
    """The backend, search, autocomplete and did-you-mean show `user` exactly what it may see."""
    user = matrix.users[user_name]
    _check_backend(matrix, backend, analyzer, user)
    _check_service(matrix, backend, user)
    _check_did_you_mean(matrix, backend, user)


def _check_backend(matrix, backend, analyzer, user):
    visible = matrix.visible(user)
    response = backend.search(
        SearchRequest(
            audience=audience_terms(user),
            should=build_should(analyzer, SHARED),
            facets=("type", "tags", "department"),
            limit=100,
        )
    )
    assert {hit.key for hit in response.hits} == {item.key for item in visible}
    assert response.total == len(visible)
    assert dict(response.facets["type"]) == Counter(item.record.type for item in visible)
    assert dict(response.facets["tags"]) == Counter(t for i in visible for t in i.record.tags)
    assert dict(response.facets["department"]) == Counter(
        str(d) for item in visible for d in item.record.departments
    )
    # Browsing without query text trims alike.
    browse = backend.search(SearchRequest(audience=audience_terms(user), limit=100))
    assert {hit.key for hit in browse.hits} == {item.key for item in visible}


def _check_service(matrix, backend, user):
    visible, hidden = matrix.visible(user), matrix.hidden(user)

    results = service.search(SHARED, viewer=user, page_size=50, backend=backend)
    assert {hit.key for hit in results.hits} == {item.key for item in visible}
    assert results.total == len(visible)
    type_counts = {f.value: f.count for f in results.facets["type"]}
    assert type_counts == Counter(item.record.type for item in visible)
    tag_counts = {f.value: f.count for f in results.facets["tags"]}
    assert tag_counts == Counter(t for i in visible for t in i.record.tags)
    department_counts = {f.value: f.count for f in results.facets["department"]}
    assert department_counts == Counter(str(d) for i in visible for d in i.record.departments)
    shown = _rendered(results)
    assert all(hit.snippet for hit in results.hits)
    assert _leaks(shown, hidden) == []

    for item in matrix.items:  # a query for one item's secret word finds it only when visible
        found = service.search(item.secret, viewer=user, backend=backend)
        assert [h.key for h in found.hits] == ([item.key] if item in visible else [])
        assert found.total == (1 if item in visible else 0)
        assert _leaks(_rendered(found), hidden) == []

    titles = {
        entry["title"]
        for entry in service.autocomplete(SHARED, viewer=user, limit=50, backend=backend)
    }
    assert titles == {item.record.title for item in visible}
    for item in hidden:
        assert service.autocomplete(item.record.title, viewer=user, backend=backend) == [] or (
            item.record.title
            not in {
                e["title"]
                for e in service.autocomplete(item.record.title, viewer=user, backend=backend)
            }
        )


def _check_did_you_mean(matrix, backend, user):
    visible = matrix.visible(user)
    for item in matrix.items:
        typo = item.secret[:-1] + ("z" if item.secret[-1] != "z" else "q")
        results = service.search(typo, viewer=user, backend=backend)
        assert results.total == 0
        suggestion = results.did_you_mean or ""
        if item in visible:
            assert suggestion == item.secret
        else:
            assert _leaks(suggestion, matrix.hidden(user)) == [], suggestion


@pytest.mark.parametrize("user_name", ["agent", "superuser"])
def test_help_centre_scope_shows_staff_only_public_items(matrix, backend, user_name):
    results = service.search(
        SHARED, viewer=matrix.users[user_name], scope="help", page_size=50, backend=backend
    )
    public = {
        item.key
        for item in matrix.visible(AnonymousUser())
        if item.record.type in service.HELP_CENTRE_TYPES
    }
    assert {hit.key for hit in results.hits} == public
    assert results.total == len(public)

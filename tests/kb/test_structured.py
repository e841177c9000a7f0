"""Structured knowledge: templates with custom fields, items made from them, lists and filters."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from django.utils.html import escape
from wagtail.models import GroupPagePermission

from kb.models import KnowledgeTemplate, StructuredItemPage, TemplateField
from permissions.models import AuditEvent, Confidentiality
from permissions.roles import Role
from search.indexing import drain_outbox
from tests.factories import CustomerFactory
from tests.permissions.conftest import make_category, make_document

pytestmark = pytest.mark.django_db

_seq = itertools.count()
TEMPLATES_URL = "/admin/snippets/kb/knowledgetemplate/"


# ---------------------------------------------------------------------------------------------
# Builders


def make_template(name="故障代码", *, active=True, fields=None) -> KnowledgeTemplate:
    template = KnowledgeTemplate.objects.create(name=name, active=active)
    for order, spec in enumerate(fields if fields is not None else FAULT_FIELDS):
        TemplateField.objects.create(template=template, sort_order=order, **spec)
    return template


FAULT_FIELDS = [
    {"label": "故障代码", "key": "code", "kind": "text", "required": True},
    {"label": "严重程度", "key": "severity", "kind": "choice", "choices": "轻微\n严重\n致命"},
    {"label": "首次出现", "key": "first_seen", "kind": "date"},
    {"label": "平均修复时长", "key": "mttr", "kind": "number"},
    {"label": "用户手册", "key": "manual", "kind": "document"},
    {"label": "内部备注", "key": "note", "kind": "text", "filterable": False},
]


def make_item(category, template, title, data, *, confidentiality=Confidentiality.PUBLIC, **kw):
    """Publish a structured item under `category` with the given values."""
    n = next(_seq)
    page = StructuredItemPage(
        title=title, slug=f"item-{n}", template=template, data=data, live=True
    )
    page.confidentiality = confidentiality
    page.allowed_customers = kw.get("customers", [])
    parent = category
    parent.add_child(instance=page)
    page.save_revision().publish()
    return StructuredItemPage.objects.get(pk=page.pk)


class _FormDefaults(HTMLParser):
    """Collect what a browser would submit from a page's edit form, without clicking anything."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._multiple = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.values.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                self.values.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def form_defaults(html: str, form_id="page-edit-form") -> dict:
    parser = _FormDefaults(form_id)
    parser.feed(html)
    data: dict = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def shows_message(html: str, msgid: str, **params) -> bool:
    """Return True when `html` holds `msgid` in English or in its Chinese translation."""
    with translation.override("zh-hans"):
        translated = translation.gettext(msgid)
    return any(escape(text % params if params else text) in html for text in (msgid, translated))


def add_url(category, template=None) -> str:
    url = f"/admin/pages/add/kb/structureditempage/{category.pk}/"
    return f"{url}?template={template.pk}" if template else url


def open_add_form(client, category, template) -> dict:
    response = client.get(add_url(category, template))
    assert response.status_code == 200
    return form_defaults(response.content.decode())


@pytest.fixture
def template(db):
    return make_template()


@pytest.fixture
def category(db):
    return make_category()


@pytest.fixture
def public_manual(db):
    return make_document(confidentiality=Confidentiality.PUBLIC)


@pytest.fixture
def internal_manual(db):
    return make_document(confidentiality=Confidentiality.INTERNAL)


@pytest.fixture
def secret_document(db, knowledge_manager):
    return make_document(confidentiality=Confidentiality.CONFIDENTIAL, users=[knowledge_manager])


@pytest.fixture
def author(rnd_engineer, category):
    """An R&D engineer who may add and edit pages in the category (Wagtail page permissions)."""
    group = Group.objects.get(name=Role.RND_ENGINEER.value)
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=category,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    return rnd_engineer


# ---------------------------------------------------------------------------------------------
# Template definitions in the admin


def _template_post(fields: list[dict], name="故障代码") -> dict:
    data = {
        "name": name,
        "description": "",
        "active": "on",
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "1",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for i, spec in enumerate(fields):
        data.update(
            {
                f"fields-{i}-label": spec["label"],
                f"fields-{i}-key": spec["key"],
                f"fields-{i}-kind": spec["kind"],
                f"fields-{i}-choices": spec.get("choices", ""),
                f"fields-{i}-help_text": "",
                f"fields-{i}-ORDER": str(i + 1),
                f"fields-{i}-DELETE": "",
                f"fields-{i}-id": "",
            }
        )
        if spec.get("required"):
            data[f"fields-{i}-required"] = "on"
        if spec.get("filterable", True):
            data[f"fields-{i}-filterable"] = "on"
    return data


def test_knowledge_managers_define_a_template_in_the_admin(client, knowledge_manager):
    client.force_login(knowledge_manager)
    assert TEMPLATES_URL in client.get("/admin/").content.decode()  # the menu item
    response = client.post(TEMPLATES_URL + "add/", _template_post(FAULT_FIELDS))
    assert response.status_code == 302, response.content.decode()[:3000]
    template = KnowledgeTemplate.objects.get(name="故障代码")
    assert [f.key for f in template.fields.all()] == [f["key"] for f in FAULT_FIELDS]
    assert AuditEvent.objects.filter(
        action="knowledge_template.create", object_id=str(template.pk)
    ).exists()


def test_template_keys_must_be_unique(client, knowledge_manager):
    client.force_login(knowledge_manager)
    fields = [
        {"label": "代码", "key": "code", "kind": "text"},
        {"label": "代码2", "key": "Code", "kind": "number"},
    ]
    response = client.post(TEMPLATES_URL + "add/", _template_post(fields))
    assert response.status_code == 200
    assert "“Code”" in response.content.decode()  # the duplicate key, named in the error
    assert not KnowledgeTemplate.objects.exists()


def test_choice_fields_need_choices(client, knowledge_manager):
    client.force_login(knowledge_manager)
    fields = [{"label": "严重程度", "key": "severity", "kind": "choice", "choices": " \n "}]
    response = client.post(TEMPLATES_URL + "add/", _template_post(fields))
    assert response.status_code == 200
    assert shows_message(response.content.decode(), "A choice field needs choices, one per line.")
    assert not KnowledgeTemplate.objects.exists()


def test_other_staff_may_not_manage_templates(client, agent, template):
    client.force_login(agent)
    assert client.get(TEMPLATES_URL).status_code in (302, 403)
    assert client.post(TEMPLATES_URL + "add/", _template_post(FAULT_FIELDS, "新")).status_code in (
        302,
        403,
    )
    assert not KnowledgeTemplate.objects.filter(name="新").exists()


def test_a_template_in_use_cannot_be_deleted(client, knowledge_manager, template, category):
    make_item(category, template, "E-101 过电流", {"code": "E-101"})
    client.force_login(knowledge_manager)
    delete_url = f"{TEMPLATES_URL}delete/{template.pk}/"
    response = client.get(delete_url, follow=True)
    assert response.redirect_chain[-1][0] == TEMPLATES_URL
    assert shows_message(
        response.content.decode(),
        "The template “%(name)s” cannot be deleted: structured items were created from it. "
        "Deactivate it instead, so that authors are no longer offered it.",
        name=template.name,
    )
    response = client.post(delete_url)
    assert response.status_code == 302
    assert KnowledgeTemplate.objects.filter(pk=template.pk).exists()


def test_an_unused_template_can_be_deleted(client, knowledge_manager, template):
    client.force_login(knowledge_manager)
    response = client.post(f"{TEMPLATES_URL}delete/{template.pk}/")
    assert response.status_code == 302
    assert not KnowledgeTemplate.objects.filter(pk=template.pk).exists()
    assert AuditEvent.objects.filter(action="knowledge_template.delete").exists()


def test_the_usage_view_lists_only_items_the_user_may_read(
    client, knowledge_manager, template, category, rnd_engineer
):
    make_item(category, template, "公开的故障", {"code": "E-1"})
    make_item(
        category,
        template,
        "机密的故障",
        {"code": "E-2"},
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    client.force_login(knowledge_manager)
    html = client.get(f"{TEMPLATES_URL}usage/{template.pk}/").content.decode()
    assert "公开的故障" in html
    assert "机密的故障" not in html
    # No usage count (which would include the confidential item) on the edit page.
    edit = client.get(f"{TEMPLATES_URL}edit/{template.pk}/").content.decode()
    assert f"{TEMPLATES_URL}usage/{template.pk}/" not in edit


# ---------------------------------------------------------------------------------------------
# Creating items in the page editor


def test_adding_an_item_starts_with_the_template_picker(client, administrator, category):
    first = make_template("故障代码")
    second = make_template("备件清单", fields=[{"label": "料号", "key": "part", "kind": "text"}])
    make_template("旧模板", active=False)
    client.force_login(administrator)
    response = client.get(add_url(category))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"?template={first.pk}" in html and f"?template={second.pk}" in html
    assert "旧模板" not in html
    # The chosen template's fields appear on the add form.
    html = client.get(add_url(category, second)).content.decode()
    assert 'name="data-part"' in html and 'name="data-code"' not in html


def test_a_single_active_template_is_chosen_without_asking(
    client, administrator, category, template
):
    client.force_login(administrator)
    response = client.get(add_url(category))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?template={template.pk}")


def test_an_item_is_created_with_valid_values(
    client, administrator, category, template, public_manual
):
    client.force_login(administrator)
    data = open_add_form(client, category, template)
    assert data["template"] == str(template.pk)
    data.update(
        {
            "title": "E-101 过电流",
            "slug": "e-101",
            "data-code": "E-101",
            "data-severity": "严重",
            "data-first_seen": "2025-03-04",
            "data-mttr": "1.50",
            "data-manual": str(public_manual.pk),
            "action-publish": "action-publish",
        }
    )
    response = client.post(add_url(category), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = StructuredItemPage.objects.get(slug="e-101")
    assert item.live and item.template == template
    assert item.data == {
        "code": "E-101",
        "severity": "严重",
        "first_seen": "2025-03-04",
        "mttr": 1.5,
        "manual": public_manual.pk,
    }
    assert item.data_text.splitlines() == ["E-101", "严重", "2025-03-04", "1.5"]
    assert public_manual.title not in item.data_text  # a document's title is not indexed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data-mttr", "很快"),
        ("data-first_seen", "2025-13-45"),
        ("data-severity", "不存在的选项"),
        ("data-code", ""),  # required
    ],
)
def test_invalid_values_are_refused_and_nothing_is_saved(
    client, administrator, category, template, field, value
):
    client.force_login(administrator)
    data = open_add_form(client, category, template)
    data.update(
        {
            "title": "坏数据",
            "slug": "bad",
            "data-code": "E-1",
            "action-publish": "action-publish",
        }
    )
    data[field] = value
    response = client.post(add_url(category), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "w-field__errors" in html and "error-message" in html
    assert not StructuredItemPage.objects.filter(slug="bad").exists()


def test_a_document_the_author_may_not_see_is_refused(
    client, author, category, template, secret_document, public_manual
):
    client.force_login(author)
    data = open_add_form(client, category, template)
    data.update({"title": "带文档", "slug": "with-doc", "data-code": "E-9"})
    data["data-manual"] = str(secret_document.pk)
    response = client.post(add_url(category), data)
    assert response.status_code == 200
    assert secret_document.title not in response.content.decode()  # not even shown back
    assert not StructuredItemPage.objects.filter(slug="with-doc").exists()

    data["data-manual"] = str(public_manual.pk)
    assert client.post(add_url(category), data).status_code == 302
    assert StructuredItemPage.objects.get(slug="with-doc").data["manual"] == public_manual.pk


def test_the_template_is_fixed_once_the_item_exists(client, administrator, category, template):
    other = make_template("备件清单", fields=[{"label": "料号", "key": "part", "kind": "text"}])
    item = make_item(category, template, "E-101", {"code": "E-101", "mttr": 2})
    client.force_login(administrator)
    edit_url = f"/admin/pages/{item.pk}/edit/"
    data = form_defaults(client.get(edit_url).content.decode())
    assert data["data-code"] == "E-101" and data["data-mttr"] == "2"
    data.update({"template": str(other.pk), "data-code": "E-102"})
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = StructuredItemPage.objects.get(pk=item.pk).get_latest_revision_as_object()
    assert item.template_id == template.pk
    assert item.data["code"] == "E-102" and item.data["mttr"] == 2


def test_an_editor_who_may_not_see_the_linked_document_keeps_it_without_seeing_it(
    client, author, category, template, secret_document
):
    item = make_item(category, template, "E-7", {"code": "E-7", "manual": secret_document.pk})
    client.force_login(author)
    edit_url = f"/admin/pages/{item.pk}/edit/"
    html = client.get(edit_url).content.decode()
    assert secret_document.title not in html
    data = form_defaults(html)
    data["data-code"] = "E-7b"
    assert client.post(edit_url, data).status_code == 302
    revision = StructuredItemPage.objects.get(pk=item.pk).get_latest_revision_as_object()
    assert revision.data == {"code": "E-7b", "manual": secret_document.pk}


# ---------------------------------------------------------------------------------------------
# Readers


def test_the_item_page_shows_labels_and_formatted_values(client, category, template, public_manual):
    item = make_item(
        category,
        template,
        "E-203 编码器通讯异常",
        {
            "code": "E-203",
            "severity": "严重",
            "first_seen": "2024-11-02",
            "mttr": 1.5,
            "manual": public_manual.pk,
        },
    )
    html = client.get(item.url).content.decode()
    for text in ("故障代码", "E-203", "严重程度", "严重", "平均修复时长", "1.5", "2024-11-02"):
        assert text in html
    assert public_manual.title in html


def test_a_document_link_is_hidden_from_readers_who_may_not_see_it(
    client, category, template, internal_manual, agent
):
    item = make_item(
        category, template, "E-305 过载", {"code": "E-305", "manual": internal_manual.pk}
    )
    html = client.get(item.url).content.decode()
    assert "E-305" in html
    assert internal_manual.title not in html and internal_manual.url not in html
    client.force_login(agent)
    assert internal_manual.title in client.get(item.url).content.decode()


@pytest.fixture
def fault_items(category, template):
    customer = CustomerFactory()
    items = {
        "e101": make_item(
            category,
            template,
            "E-101 过电流",
            {"code": "E-101", "severity": "严重", "first_seen": "2024-01-10", "mttr": 2},
        ),
        "e203": make_item(
            category,
            template,
            "E-203 编码器",
            {"code": "E-203", "severity": "轻微", "first_seen": "2024-06-01", "mttr": 0.5},
        ),
        "e512": make_item(
            category,
            template,
            "E-512 位置偏差",
            {"code": "E-512", "severity": "致命", "first_seen": "2025-02-01", "mttr": 8},
        ),
        "internal": make_item(
            category,
            template,
            "内部故障 X-1",
            {"code": "X-1", "severity": "严重", "first_seen": "2024-03-03", "mttr": 3},
            confidentiality=Confidentiality.INTERNAL,
        ),
        "customer": make_item(
            category,
            template,
            "客户专属故障 C-1",
            {"code": "C-1", "severity": "严重", "first_seen": "2024-04-04", "mttr": 1},
            confidentiality=Confidentiality.CUSTOMERS,
            customers=[customer],
        ),
    }
    return items


def _listed(client, template, query="") -> tuple[set[str], str]:
    response = client.get(f"/kb/structured/{template.pk}/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    titles = {
        title
        for title in (
            "E-101 过电流",
            "E-203 编码器",
            "E-512 位置偏差",
            "内部故障 X-1",
            "客户专属故障 C-1",
        )
        if title in html
    }
    return titles, html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?f.code=e-", {"E-101 过电流", "E-203 编码器", "E-512 位置偏差"}),
        ("?f.code=203", {"E-203 编码器"}),
        ("?f.severity=严重", {"E-101 过电流"}),
        ("?f.mttr.min=1", {"E-101 过电流", "E-512 位置偏差"}),
        ("?f.mttr.min=0.5&f.mttr.max=2", {"E-101 过电流", "E-203 编码器"}),
        ("?f.first_seen.from=2024-02-01", {"E-203 编码器", "E-512 位置偏差"}),
        ("?f.first_seen.from=2024-02-01&f.first_seen.to=2024-12-31", {"E-203 编码器"}),
        ("?q=位置", {"E-512 位置偏差"}),
    ],
)
def test_each_kind_of_filter(client, template, fault_items, query, expected):
    titles, _html = _listed(client, template, query)
    assert titles == expected


def test_sorting_by_title_and_by_update(client, template, fault_items):
    _titles, html = _listed(client, template, "?sort=-title")
    assert html.index("E-512") < html.index("E-203") < html.index("E-101")
    _titles, html = _listed(client, template, "?sort=title")
    assert html.index("E-101") < html.index("E-203") < html.index("E-512")


def test_an_invalid_filter_value_is_reported_not_applied(client, template, fault_items):
    titles, html = _listed(client, template, "?f.mttr.min=很多")
    assert len(titles) == 3
    assert "message-error" in html


def test_non_filterable_fields_get_no_filter(client, template, fault_items):
    _titles, html = _listed(client, template)
    assert 'name="f.code"' in html and 'name="f.note"' not in html
    assert 'name="f.manual"' not in html  # document links are not filtered


def test_lists_and_counts_follow_the_policy(client, template, fault_items, agent, customer_user):
    customer = fault_items["customer"].allowed_customers.get()
    customer.portal_users.add(customer_user)

    titles, html = _listed(client, template)  # anonymous
    assert titles == {"E-101 过电流", "E-203 编码器", "E-512 位置偏差"}
    assert 'data-count="3"' in html
    overview = client.get("/kb/structured/").content.decode()
    assert f'data-template="{template.pk}"' in overview and 'data-count="3"' in overview

    client.force_login(customer_user)
    titles, html = _listed(client, template)
    assert titles == {"E-101 过电流", "E-203 编码器", "E-512 位置偏差", "客户专属故障 C-1"}
    assert 'data-count="4"' in client.get("/kb/structured/").content.decode()

    client.force_login(agent)
    titles, html = _listed(client, template)
    assert len(titles) == 5
    assert 'data-count="5"' in client.get("/kb/structured/").content.decode()


def test_templates_without_visible_items_are_not_shown_to_outsiders(client, category, agent):
    hidden = make_template("内部模板")
    make_item(
        category, hidden, "内部条目", {"code": "I-1"}, confidentiality=Confidentiality.INTERNAL
    )
    overview = client.get("/kb/structured/").content.decode()
    assert "内部模板" not in overview and "内部条目" not in overview
    assert client.get(f"/kb/structured/{hidden.pk}/").status_code == 404
    client.force_login(agent)
    assert "内部模板" in client.get("/kb/structured/").content.decode()
    assert "内部条目" in client.get(f"/kb/structured/{hidden.pk}/").content.decode()


def test_an_unknown_template_is_a_404(client, agent):
    client.force_login(agent)
    assert client.get("/kb/structured/987654/").status_code == 404


def test_the_list_is_paginated(client, category, template, monkeypatch):
    monkeypatch.setattr("kb.structured.views.ITEMS_PER_PAGE", 2)
    for n in range(5):
        make_item(category, template, f"分页条目{n}", {"code": f"P-{n}"})
    _titles, html = _listed(client, template, "?f.code=P-&sort=title")
    assert "分页条目0" in html and "分页条目2" not in html
    assert "page=2" in html and "f.code=P-" in html.split("page=2")[0].rsplit("href", 1)[-1]
    _titles, html = _listed(client, template, "?f.code=P-&sort=title&page=3")
    assert "分页条目4" in html and "分页条目0" not in html


# ---------------------------------------------------------------------------------------------
# Search


def test_search_finds_items_by_their_values_through_the_policy(client, template, fault_items):
    drain_outbox()
    html = client.get("/search/?q=X-1").content.decode()
    assert "内部故障 X-1" not in html
    html = client.get("/search/?q=E-512").content.decode()
    assert "E-512 位置偏差" in re.sub(r"</?mark>", "", html)  # matches are marked


def test_data_text_follows_the_values_on_every_save(category, template):
    item = make_item(
        category, template, "E-1", {"code": "E-1", "mttr": 3, "first_seen": "2024-01-01"}
    )
    assert item.data_text.splitlines() == ["E-1", "2024-01-01", "3"]
    item.data = {"code": "E-2"}
    item.save()
    assert StructuredItemPage.objects.get(pk=item.pk).data_text == "E-2"
    assert "data_text" in {f.field_name for f in StructuredItemPage.search_fields}

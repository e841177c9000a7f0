"""Products and tags as snippets; versions (django-reversion) of plain models in the admin."""

from __future__ import annotations

import re

import pytest
import reversion
from django.test import RequestFactory
from django.urls import reverse
from django.utils.text import capfirst
from reversion.models import Version
from taggit.models import Tag

from kb.hooks.versions import record_edited_snippet
from kb.models import CaseHistoryPage, FAQPage, FieldKind, KnowledgeTemplate, Product, TemplateField
from kb.versions.actions import revert_comment
from kb.versions.snippets import RECORDED_BY_VIEW
from permissions.models import AuditEvent, Confidentiality
from tests.permissions.conftest import _protection, make_category

pytestmark = pytest.mark.django_db


def product_url(action, *args):
    return reverse(f"wagtailsnippets_kb_product:{action}", args=args)


def versions_url(name, obj_or_pk, *args, model="kb/product"):
    app_label, model_name = model.split("/")
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    return reverse(f"kb_versions:{name}", args=(app_label, model_name, pk, *args))


def product_data(**values):
    return {
        "name": "智能门锁 ZK-300",
        "code": "ZK-300",
        "description": "",
        "active": "on",
        **values,
    }


def denied(response) -> bool:
    """Wagtail's admin answers a denied permission with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def versions_of(obj):
    return list(Version.objects.get_for_object(obj).select_related("revision__user"))


@pytest.fixture
def product(client, knowledge_manager):
    """A product created and edited twice through the admin by a knowledge manager."""
    client.force_login(knowledge_manager)
    response = client.post(product_url("add"), product_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(name="智能门锁 ZK-300")
    for code in ("ZK-300A", "ZK-300B"):
        response = client.post(product_url("edit", product.pk), product_data(code=code))
        assert response.status_code == 302
    client.logout()
    return product


def test_every_admin_save_makes_a_version_with_the_user(product, knowledge_manager):
    versions = versions_of(product)  # newest first
    assert len(versions) == 3
    assert {version.revision.user for version in versions} == {knowledge_manager}
    assert [version.field_dict["code"] for version in versions] == ["ZK-300B", "ZK-300A", "ZK-300"]
    comments = [version.revision.comment for version in versions]
    assert all(comments) and comments[0] == comments[1] != comments[2]


def test_history_lists_versions_newest_first_with_who(client, product, knowledge_manager):
    client.force_login(knowledge_manager)
    response = client.get(versions_url("history", product))
    assert response.status_code == 200
    html = response.content.decode()
    rows = [f'data-version="{version.pk}"' for version in versions_of(product)]
    positions = [html.index(row) for row in rows]
    assert positions == sorted(positions)
    assert html.count(f"<td data-user>{knowledge_manager}</td>") == 3
    assert 'data-count="3"' in html


def test_compare_shows_the_changed_field(client, product, knowledge_manager):
    newest, middle, oldest = versions_of(product)
    client.force_login(knowledge_manager)
    response = client.get(versions_url("compare", product), {"a": newest.pk, "b": oldest.pk})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    changed = [change for change in comparison.fields if change.changed]
    label = capfirst(Product._meta.get_field("code").verbose_name)
    assert [(c.label, c.old, c.new) for c in changed] == [(label, "ZK-300", "ZK-300B")]
    html = response.content.decode()
    assert html.count("data-changed") == 1
    # Version ids of another object are refused.
    other = Product.objects.create(name="其他产品")
    with reversion.create_revision():
        other.save()
    foreign = versions_of(other)[0]
    response = client.get(versions_url("compare", product), {"a": newest.pk, "b": foreign.pk})
    assert response.status_code == 404


def test_revert_restores_the_field_and_records_a_new_version(client, product, knowledge_manager):
    oldest = versions_of(product)[-1]
    client.force_login(knowledge_manager)
    confirm = client.get(versions_url("revert", product, oldest.pk))
    assert confirm.status_code == 200
    assert Product.objects.get(pk=product.pk).code == "ZK-300B"  # a GET changes nothing

    response = client.post(versions_url("revert", product, oldest.pk))
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).code == "ZK-300"
    versions = versions_of(product)
    assert len(versions) == 4
    assert versions[0].revision.user == knowledge_manager
    assert versions[0].field_dict["code"] == "ZK-300"
    assert versions[0].revision.comment == revert_comment(oldest)
    event = AuditEvent.objects.get(action="version.revert")
    assert event.actor == knowledge_manager and event.object_id == str(product.pk)


@pytest.mark.parametrize("user_fixture", ["agent", "rnd_engineer", "trainer"])
def test_authors_without_change_permission_cannot_reach_versions(
    client, product, request, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    oldest, newest = versions_of(product)[-1], versions_of(product)[0]
    client.force_login(user)
    # Authors may view and choose products, not change them or their history.
    assert client.get(product_url("list")).status_code == 200
    assert denied(client.get(product_url("add")))
    assert denied(client.post(product_url("edit", product.pk), product_data(code="X")))
    assert denied(client.get(versions_url("revert", product, oldest.pk)))
    assert denied(client.post(versions_url("revert", product, oldest.pk)))
    assert Product.objects.get(pk=product.pk).code == "ZK-300B"
    assert len(versions_of(product)) == 3
    compare = client.get(versions_url("compare", product), {"a": oldest.pk, "b": newest.pk})
    history = client.get(versions_url("history", product))
    # view_product lets them read the history, not revert it.
    assert history.status_code == 200 and compare.status_code == 200
    assert versions_url("revert", product, oldest.pk) not in history.content.decode()


def test_customers_and_anonymous_get_nothing(client, product, customer_user):
    oldest = versions_of(product)[-1]
    for url in (versions_url("history", product), versions_url("revert", product, oldest.pk)):
        assert client.get(url).status_code == 302  # anonymous: to the login page
        client.force_login(customer_user)
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert product.name not in response.content.decode()
        client.logout()


def test_models_not_registered_with_reversion_are_404(client, administrator):
    client.force_login(administrator)
    category = make_category()
    assert client.get(versions_url("history", category, model="kb/categorypage")).status_code == 404
    assert client.get(versions_url("history", 1, model="nope/nothing")).status_code == 404
    assert client.get(versions_url("history", 99999)).status_code == 404  # no such product


def test_deleting_through_the_admin_keeps_a_restorable_version(client, product, knowledge_manager):
    client.force_login(knowledge_manager)
    assert client.get(product_url("delete", product.pk)).status_code == 200
    assert len(versions_of(product)) == 3  # the confirmation page records nothing
    response = client.post(product_url("delete", product.pk))
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    deleted = Version.objects.get_deleted(Product)
    assert [version.object_id for version in deleted] == [str(product.pk)]
    assert deleted[0].revision.user == knowledge_manager

    history = client.get(versions_url("history", product.pk))
    assert history.status_code == 200 and "ZK-300" in history.content.decode()
    response = client.post(versions_url("revert", product.pk, deleted[0].pk))
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).code == "ZK-300B"


def test_listing_and_edit_page_link_to_the_version_history(client, product, knowledge_manager):
    client.force_login(knowledge_manager)
    history = versions_url("history", product)
    assert history in client.get(product_url("list")).content.decode()
    assert history in client.get(product_url("edit", product.pk)).content.decode()


def test_product_listing_searches_name_and_code(client, product, knowledge_manager):
    Product.objects.create(name="液压泵", code="HP-9")
    client.force_login(knowledge_manager)
    html = client.get(product_url("list"), {"q": "门锁"}).content.decode()
    assert "智能门锁" in html and "液压泵" not in html
    html = client.get(product_url("list"), {"q": "hp-9"}).content.decode()
    assert "液压泵" in html and "智能门锁" not in html


def test_usage_and_delete_warning_count_only_what_the_user_may_read(
    client, product, knowledge_manager
):
    category = make_category()
    for n, level in enumerate((Confidentiality.PUBLIC, Confidentiality.CONFIDENTIAL)):
        faq = FAQPage(title=f"门锁问题{level}", slug=f"faq-{n}", question="问", answer="<p>答</p>")
        _protection(faq, confidentiality=level)
        faq.products = [product]
        category.add_child(instance=faq)
        faq.save_revision().publish()
        case = CaseHistoryPage(
            title=f"门锁案例{level}",
            slug=f"case-{n}",
            symptom="<p>症状</p>",
            resolution="<p>处理</p>",
            product=product,
        )
        _protection(case, confidentiality=level)
        category.add_child(instance=case)
    client.force_login(knowledge_manager)  # may not read confidential pages
    usage = client.get(product_url("usage", product.pk)).content.decode()
    assert "门锁案例public" in usage and "门锁案例confidential" not in usage
    edit = client.get(product_url("edit", product.pk)).content.decode()
    # The status side panel's "used N times" link counts the public case only.
    used = re.search(rf'href="{product_url("usage", product.pk)}"[^>]*>\s*\D*(\d+)', edit)
    assert used and used.group(1) == "1"
    delete = client.get(product_url("delete", product.pk))
    assert delete.context["usage_count"] == 1  # Wagtail's reference index: the case's FK
    faqs, cases = FAQPage._meta.verbose_name_plural, CaseHistoryPage._meta.verbose_name_plural
    assert delete.context["knowledge_usage"] == [(capfirst(faqs), 1), (capfirst(cases), 1)]
    assert "data-knowledge-usage" in delete.content.decode()
    assert "门锁" not in delete.content.decode().replace(product.name, "")


def test_template_fields_are_versioned_and_reverted_with_their_template(client, administrator):
    with reversion.create_revision():
        template = KnowledgeTemplate.objects.create(name="故障报告")
        TemplateField.objects.create(
            template=template, label="故障现象", key="symptom", kind=FieldKind.TEXT, sort_order=0
        )
        reversion.set_user(administrator)
    first = versions_of(template)[0]
    assert first.revision.version_set.count() == 2  # the template and its field

    with reversion.create_revision():
        field = template.fields.get()
        field.label = "现象描述"
        field.save()
        TemplateField.objects.create(
            template=template, label="发生日期", key="date", kind=FieldKind.DATE, sort_order=1
        )
        reversion.add_to_revision(template)

    client.force_login(administrator)
    model = "kb/knowledgetemplate"
    newest = versions_of(template)[0]
    response = client.get(
        versions_url("compare", template, model=model), {"a": first.pk, "b": newest.pk}
    )
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["comparison"].related[0].rows}
    assert rows["发生日期"].status == "added"
    assert rows["现象描述"].status == "changed"
    assert [(c.label, c.old, c.new) for c in rows["现象描述"].fields if c.changed] == [
        (capfirst(TemplateField._meta.get_field("label").verbose_name), "故障现象", "现象描述")
    ]

    response = client.post(versions_url("revert", template, first.pk, model=model))
    assert response.status_code == 302
    assert list(template.fields.values_list("label", flat=True)) == ["故障现象"]
    latest = versions_of(template)[0]
    assert latest.revision.user == administrator
    assert latest.revision.version_set.count() == 2


def test_fallback_hook_records_snippets_whose_views_do_not(knowledge_manager):
    template = KnowledgeTemplate.objects.create(name="巡检记录")
    request = RequestFactory().post("/admin/snippets/")
    request.user = knowledge_manager
    record_edited_snippet(request, template)
    assert versions_of(template)[0].revision.user == knowledge_manager
    setattr(request, RECORDED_BY_VIEW, True)  # a versioned view already recorded it
    record_edited_snippet(request, template)
    assert len(versions_of(template)) == 1


def test_tags_are_managed_by_knowledge_managers_only(client, knowledge_manager, agent):
    tag = Tag.objects.create(name="退货")
    tags = reverse("wagtailsnippets_taggit_tag:list")
    client.force_login(agent)
    assert denied(client.get(tags))
    client.force_login(knowledge_manager)
    assert "退货" in client.get(tags).content.decode()
    edit = reverse("wagtailsnippets_taggit_tag:edit", args=(tag.pk,))
    response = client.post(edit, {"name": "退换货", "slug": tag.slug})
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).name == "退换货"

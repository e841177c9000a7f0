"""The page recycle bin: deleting moves a subtree there; owners and managers restore it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override
from wagtail.models import GroupPagePermission, Page

from kb.models import ArticlePage, CategoryPage, KnowledgeHomePage, RecycleBinPage, TrashedPage
from kb.trash.actions import (
    list_trashed_pages_for_viewer,
    purge_page,
    recycle_bin,
    restore_page,
    trash_page,
)
from kb.trash.tasks import purge_expired_pages_task
from permissions.models import AuditEvent, Confidentiality
from permissions.policy import readable_pages, readable_to, visible_to
from permissions.roles import Role
from tests.factories import UserFactory
from tests.permissions.conftest import make_article, make_category

pytestmark = pytest.mark.django_db

PUBLIC = Confidentiality.PUBLIC


def _fresh(page):
    return Page.objects.get(pk=page.pk).specific


def _in_bin(page) -> bool:
    bin_page = RecycleBinPage.objects.get()
    return _fresh(page).path.startswith(bin_page.path)


@pytest.fixture
def tree(rnd_engineer):
    """A public category owned by the engineer: two live pages, a draft and a subcategory."""
    category = make_category(confidentiality=PUBLIC, owner=rnd_engineer)
    CategoryPage.objects.filter(pk=category.pk).update(
        title="待删除的分类", draft_title="待删除的分类"
    )
    live = make_article(category, confidentiality=PUBLIC, owner=rnd_engineer)
    draft = make_article(category, publish=False, confidentiality=PUBLIC, owner=rnd_engineer)
    sub = make_category(category, confidentiality=PUBLIC, owner=rnd_engineer)
    deep = make_article(sub, confidentiality=PUBLIC, owner=rnd_engineer)
    return {
        "category": _fresh(category),
        "live": live,
        "draft": draft,
        "sub": sub,
        "deep": deep,
        "pages": [category, live, draft, sub, deep],
        "live_pages": [category, live, sub, deep],
    }


def test_trashing_unpublishes_the_subtree_and_moves_it_to_the_bin(client, rnd_engineer, tree):
    category = tree["category"]
    url = category.url
    assert client.get(url).status_code == 200
    parent_id = category.get_parent().pk

    entry = trash_page(actor=rnd_engineer, page=category)

    assert all(not _fresh(page).live for page in tree["pages"])
    assert all(_in_bin(page) for page in tree["pages"])
    assert _fresh(category).get_parent().specific_class is RecycleBinPage
    assert entry.original_parent_id == parent_id
    assert sorted(entry.live_page_ids) == sorted(p.pk for p in tree["live_pages"])
    assert entry.trashed_by == rnd_engineer
    assert entry.original_path_titles == "知库"
    assert AuditEvent.objects.filter(action="page.trash", object_id=str(category.pk)).exists()
    # Readers: a plain 404 at the old address, nothing in the listings.
    assert client.get(url).status_code == 404
    assert client.get(tree["live"].url or "/nowhere/").status_code == 404
    assert "待删除的分类" not in client.get("/").content.decode()
    ids = [page.pk for page in tree["pages"]]
    for model in (CategoryPage, ArticlePage):
        assert not visible_to(rnd_engineer, model.objects.filter(pk__in=ids)).exists()


def test_the_bin_is_created_once_outside_every_site(rnd_engineer, tree):
    assert recycle_bin().pk == recycle_bin().pk
    trash_page(actor=rnd_engineer, page=tree["sub"])
    trash_page(actor=rnd_engineer, page=tree["category"])
    assert RecycleBinPage.objects.count() == 1
    bin_page = RecycleBinPage.objects.get()
    assert bin_page.depth == 2 and not bin_page.live
    assert not KnowledgeHomePage.objects.get().path.startswith(bin_page.path)
    assert bin_page.get_url() is None


def test_the_owner_restores_pages_as_drafts(rnd_engineer, tree):
    category = tree["category"]
    parent = category.get_parent()
    trash_page(actor=rnd_engineer, page=category)

    result = restore_page(actor=rnd_engineer, page=category)

    assert not result.moved_home and result.republished == []
    restored = _fresh(category)
    assert restored.get_parent().pk == parent.pk
    assert restored.slug == category.slug and restored.url_path == category.url_path
    assert all(not _fresh(page).live for page in tree["pages"])
    assert not any(_in_bin(page) for page in tree["pages"])
    assert not TrashedPage.objects.exists()
    assert AuditEvent.objects.filter(action="page.restore").count() == 1


def test_a_knowledge_manager_restores_what_was_live_as_live(
    client, rnd_engineer, knowledge_manager, tree
):
    trash_page(actor=rnd_engineer, page=tree["category"])

    result = restore_page(actor=knowledge_manager, page=tree["category"])

    assert sorted(result.republished) == sorted(p.pk for p in tree["live_pages"])
    assert all(_fresh(page).live for page in tree["live_pages"])
    assert not _fresh(tree["draft"]).live
    assert client.get(_fresh(tree["deep"]).url).status_code == 200


def test_another_author_may_not_restore_or_even_see_the_entry(client, rnd_engineer, tree):
    other = UserFactory(username="other-author", roles=[Role.RND_ENGINEER])
    trash_page(actor=rnd_engineer, page=tree["category"])

    with pytest.raises(PermissionDenied):
        restore_page(actor=other, page=tree["category"])
    assert list_trashed_pages_for_viewer(other) == []
    client.force_login(other)
    html = client.get("/admin/page-trash/").content.decode()
    assert "待删除的分类" not in html and 'data-count="0"' in html
    response = client.post(f"/admin/page-trash/{tree['category'].pk}/restore/")
    assert response.status_code == 404
    assert _in_bin(tree["category"])


def test_another_author_may_not_trash_a_page(rnd_engineer, tree):
    other = UserFactory(username="other-author", roles=[Role.RND_ENGINEER])
    with pytest.raises(PermissionDenied):
        trash_page(actor=other, page=tree["live"])
    assert not RecycleBinPage.objects.exists() or not _in_bin(tree["live"])


def test_an_owner_may_not_trash_a_subtree_holding_pages_of_others(rnd_engineer, tree):
    make_article(tree["sub"], confidentiality=PUBLIC, owner=UserFactory(username="someone"))
    with pytest.raises(PermissionDenied):
        trash_page(actor=rnd_engineer, page=tree["category"])
    assert _fresh(tree["category"]).live


def test_a_manager_without_read_rights_sees_no_confidential_title(
    client, rnd_engineer, knowledge_manager
):
    category = make_category(confidentiality=PUBLIC)
    secret = make_article(
        category,
        confidentiality=Confidentiality.CONFIDENTIAL,
        users=[rnd_engineer],
        owner=rnd_engineer,
    )
    Page.objects.filter(pk=secret.pk).update(title="机密的文章", draft_title="机密的文章")
    trash_page(actor=rnd_engineer, page=secret)

    assert list_trashed_pages_for_viewer(knowledge_manager) == []
    client.force_login(knowledge_manager)
    html = client.get("/admin/page-trash/").content.decode()
    assert "机密的文章" not in html and 'data-count="0"' in html
    with pytest.raises(PermissionDenied):
        restore_page(actor=knowledge_manager, page=secret)
    assert client.post(f"/admin/page-trash/{secret.pk}/purge/").status_code == 404
    assert Page.objects.filter(pk=secret.pk).exists()

    client.force_login(rnd_engineer)
    html = client.get("/admin/page-trash/").content.decode()
    assert "机密的文章" in html and 'data-count="1"' in html


@pytest.mark.parametrize("who", ["agent", "trainer", "customer_user"])
def test_users_without_rights_see_an_empty_bin_or_none(request, client, rnd_engineer, tree, who):
    trash_page(actor=rnd_engineer, page=tree["category"])
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/page-trash/")
    assert "待删除的分类" not in response.content.decode()
    if who != "customer_user":
        assert 'data-count="0"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, rnd_engineer, tree):
    trash_page(actor=rnd_engineer, page=tree["category"])
    response = client.get("/admin/page-trash/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(f"/admin/page-trash/{tree['category'].pk}/restore/").status_code == 302
    assert _in_bin(tree["category"])


def test_the_periodic_purge_removes_pages_older_than_the_limit(settings, rnd_engineer, tree):
    settings.KB_TRASH_DAYS = 30
    old = tree["sub"]
    trash_page(actor=rnd_engineer, page=old)
    trash_page(actor=rnd_engineer, page=tree["live"])
    TrashedPage.objects.filter(page_id=old.pk).update(
        trashed_at=timezone.now() - timedelta(days=31)
    )
    TrashedPage.objects.filter(page_id=tree["live"].pk).update(
        trashed_at=timezone.now() - timedelta(days=29)
    )

    assert purge_expired_pages_task.delay().get() == 1

    assert not Page.objects.filter(pk__in=[old.pk, tree["deep"].pk]).exists()
    assert Page.objects.filter(pk=tree["live"].pk).exists()
    assert list(TrashedPage.objects.values_list("page_id", flat=True)) == [tree["live"].pk]
    assert AuditEvent.objects.filter(action="page.purge", actor=None).count() == 1
    assert purge_expired_pages_task.delay().get() == 0  # safe to repeat


def test_only_knowledge_managers_purge_now(client, rnd_engineer, knowledge_manager, tree):
    trash_page(actor=rnd_engineer, page=tree["sub"])
    with pytest.raises(PermissionDenied):
        purge_page(actor=rnd_engineer, page=tree["sub"])
    client.force_login(rnd_engineer)
    assert "/purge/" not in client.get("/admin/page-trash/").content.decode()
    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard.
    assert client.post(f"/admin/page-trash/{tree['sub'].pk}/purge/").status_code in (302, 403)
    assert Page.objects.filter(pk=tree["sub"].pk).exists()

    client.force_login(knowledge_manager)
    html = client.get("/admin/page-trash/").content.decode()
    assert f"/admin/page-trash/{tree['sub'].pk}/purge/" in html
    response = client.post(f"/admin/page-trash/{tree['sub'].pk}/purge/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk__in=[tree["sub"].pk, tree["deep"].pk]).exists()
    assert Page.objects.filter(pk=tree["category"].pk).exists()


def test_a_page_whose_place_is_gone_comes_back_under_the_home(rnd_engineer, tree):
    trash_page(actor=rnd_engineer, page=tree["live"])
    trash_page(actor=rnd_engineer, page=tree["category"])

    result = restore_page(actor=rnd_engineer, page=tree["live"])

    assert result.moved_home
    assert _fresh(tree["live"]).get_parent().pk == KnowledgeHomePage.objects.get().pk


def test_same_slugs_in_the_bin_and_a_taken_slug_on_return(rnd_engineer, knowledge_manager):
    first = make_category(confidentiality=PUBLIC, owner=rnd_engineer)
    other = make_category(confidentiality=PUBLIC, owner=rnd_engineer)
    one = make_article(first, confidentiality=PUBLIC, owner=rnd_engineer)
    two = make_article(other, confidentiality=PUBLIC, owner=rnd_engineer)
    Page.objects.filter(pk__in=[one.pk, two.pk]).update(slug="install")
    trash_page(actor=rnd_engineer, page=Page.objects.get(pk=one.pk))
    trash_page(actor=rnd_engineer, page=Page.objects.get(pk=two.pk))
    taken = make_article(first, confidentiality=PUBLIC)
    Page.objects.filter(pk=taken.pk).update(slug="install")

    restore_page(actor=knowledge_manager, page=one)

    restored = _fresh(one)
    assert restored.slug == "install-1" and restored.live
    assert restored.url_path.endswith("/install-1/")


def test_the_admin_delete_url_moves_the_page_to_the_bin(client, knowledge_manager, tree):
    # Knowledge managers hold Wagtail's delete permission; they go through the bin all the same.
    home = KnowledgeHomePage.objects.get()
    group = Group.objects.get(name=Role.KNOWLEDGE_MANAGER.value)
    for codename in ("add_page", "change_page", "publish_page", "bulk_delete_page"):
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    category = tree["category"]
    client.force_login(knowledge_manager)

    response = client.get(f"/admin/pages/{category.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/page-trash/{category.pk}/"
    confirm = client.get(response["Location"])
    assert "kb/admin/confirm_trash_page.html" in [t.name for t in confirm.templates]
    assert "待删除的分类" in confirm.content.decode()

    response = client.post(f"/admin/pages/{category.pk}/delete/", follow=True)
    assert response.redirect_chain[0] == (f"/admin/page-trash/{category.pk}/", 307)
    assert response.status_code == 200
    assert Page.objects.filter(pk=category.pk).exists()
    assert _in_bin(category) and TrashedPage.objects.filter(page_id=category.pk).exists()
    assert not _fresh(tree["deep"]).live


def test_the_confirm_page_trashes_on_post_only(client, rnd_engineer, tree):
    client.force_login(rnd_engineer)
    url = f"/admin/page-trash/{tree['category'].pk}/"
    assert client.get(url).status_code == 200
    assert not TrashedPage.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert _in_bin(tree["category"])
    # In the bin it cannot be trashed again; the bin page lists it for its owner.
    assert client.post(url).status_code in (302, 403)
    assert TrashedPage.objects.count() == 1
    assert "待删除的分类" in client.get("/admin/page-trash/").content.decode()


def test_pages_in_the_bin_cannot_be_edited_or_added_to(client, administrator, tree):
    trash_page(actor=administrator, page=tree["category"])
    client.force_login(administrator)
    category = tree["category"].pk
    assert client.get(f"/admin/pages/{category}/edit/")["Location"] == "/admin/page-trash/"
    response = client.get(f"/admin/pages/add/kb/articlepage/{category}/")
    assert response["Location"] == "/admin/page-trash/"
    response = client.get(f"/admin/pages/{category}/delete/")
    assert response["Location"] == "/admin/page-trash/"
    assert _in_bin(tree["category"])


def test_staff_without_rights_cannot_open_the_confirm_page(client, agent, tree):
    client.force_login(agent)
    secret = make_article(tree["category"], confidentiality=Confidentiality.CONFIDENTIAL, users=[])
    Page.objects.filter(pk=secret.pk).update(title="机密标题")
    response = client.get(f"/admin/page-trash/{secret.pk}/")
    assert response.status_code == 404 and "机密标题" not in response.content.decode()
    assert client.post(f"/admin/page-trash/{tree['live'].pk}/").status_code in (302, 403)
    assert not TrashedPage.objects.exists()


def test_bulk_delete_moves_pages_to_the_bin(client, administrator, tree):
    client.force_login(administrator)
    ids = f"id={tree['live'].pk}&id={tree['sub'].pk}"
    url = f"/admin/bulk/wagtailcore/page/delete/?{ids}&next=/admin/pages/"

    confirm = client.get(url)
    assert "kb/admin/page_trash_bulk_confirm.html" in [t.name for t in confirm.templates]
    assert "confirm_site_name" not in confirm.content.decode()

    response = client.post(url, follow=True)

    assert response.redirect_chain[0][1] == 307
    assert response.status_code == 200
    for page in (tree["live"], tree["sub"], tree["deep"]):
        assert Page.objects.filter(pk=page.pk).exists() and _in_bin(page)
    assert set(TrashedPage.objects.values_list("page_id", flat=True)) == {
        tree["live"].pk,
        tree["sub"].pk,
    }
    assert not _in_bin(tree["category"])


def _grant(role, *codenames):
    home = KnowledgeHomePage.objects.get()
    group = Group.objects.get(name=role.value)
    for codename in codenames:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)


def test_the_explorer_offers_the_bin_to_owners_without_wagtails_delete(client, rnd_engineer, tree):
    # Authors may add pages but not delete published ones in Wagtail; the policy lets owners.
    _grant(Role.RND_ENGINEER, "add_page")
    client.force_login(rnd_engineer)
    html = client.get(f"/admin/pages/{tree['category'].pk}/").content.decode()
    assert f"/admin/page-trash/{tree['live'].pk}/" in html
    assert f"/admin/pages/{tree['live'].pk}/delete/" not in html
    html = client.get(f"/admin/pages/{tree['live'].pk}/edit/").content.decode()
    assert f"/admin/page-trash/{tree['live'].pk}/" in html


def test_the_restore_button_brings_the_page_back(client, rnd_engineer, tree):
    trash_page(actor=rnd_engineer, page=tree["category"])
    client.force_login(rnd_engineer)
    response = client.post(f"/admin/page-trash/{tree['category'].pk}/restore/", follow=True)
    assert response.redirect_chain == [("/admin/page-trash/", 302)]
    with override(response.wsgi_request.LANGUAGE_CODE):
        expected = gettext(
            "“%(title)s” is back as a draft; a knowledge manager publishes it again."
        )
    assert escape(expected % {"title": "待删除的分类"}) in response.content.decode()
    assert not _in_bin(tree["category"]) and not TrashedPage.objects.exists()


def test_the_bin_menu_item_is_for_staff(client, rnd_engineer):
    client.force_login(rnd_engineer)
    assert "/admin/page-trash/" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_editor_view_of_the_policy_leaves_out_pages_in_the_bin(rnd_engineer, administrator):
    """Choosers, history and notifications use readable_*: a binned draft is in none of them."""
    category = make_category(confidentiality=Confidentiality.PUBLIC)
    draft = make_article(
        category, publish=False, confidentiality=Confidentiality.INTERNAL, owner=rnd_engineer
    )
    assert readable_to(rnd_engineer, ArticlePage.objects.all()).filter(pk=draft.pk).exists()

    trash_page(actor=rnd_engineer, page=draft)

    for user in (rnd_engineer, administrator):
        assert not readable_to(user, ArticlePage.objects.all()).filter(pk=draft.pk).exists()
        assert not readable_pages(user, Page.objects.all()).filter(pk=draft.pk).exists()

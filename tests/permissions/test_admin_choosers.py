"""Wagtail's page and document choosers list titles; they show only what the policy allows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from permissions.models import Confidentiality
from permissions.roles import Role
from tests.permissions.conftest import make_article, make_document


def _chooser_html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("html", "")
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "sees_secret"), [("trainer", False), ("administrator", True)]
)
def test_page_chooser_hides_pages_outside_the_policy(
    request, client, category, user_fixture, sees_secret
):
    secret = make_article(category, confidentiality=Confidentiality.CONFIDENTIAL)
    open_article = make_article(category, confidentiality=Confidentiality.INTERNAL)
    client.force_login(request.getfixturevalue(user_fixture))

    browse = _chooser_html(client, reverse("wagtailadmin_choose_page_child", args=[category.pk]))
    search = _chooser_html(client, reverse("wagtailadmin_choose_page_search"), q=secret.title)

    assert open_article.title in browse
    assert (secret.title in browse) is sees_secret
    assert (secret.title in search) is sees_secret
    assert open_article.title in _chooser_html(
        client, reverse("wagtailadmin_choose_page_search"), q=open_article.title
    )


def _chosen_pks(client, url, **params) -> set:
    response = client.get(url, params)
    assert response.status_code == 200
    return {item.pk for item in response.context["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "sees_secret"), [("trainer", False), ("administrator", True)]
)
def test_document_chooser_hides_documents_outside_the_policy(
    request, client, user_fixture, sees_secret
):
    # Wagtail lists the documents of the collections one may "choose" from; grant that much.
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission

    GroupCollectionPermission.objects.create(
        group=Group.objects.get(name=Role.TRAINER.value),
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="choose_document"),
    )
    secret = make_document(confidentiality=Confidentiality.CONFIDENTIAL)
    internal = make_document(confidentiality=Confidentiality.INTERNAL)
    trashed = make_document(confidentiality=Confidentiality.INTERNAL, deleted_at=timezone.now())
    client.force_login(request.getfixturevalue(user_fixture))
    results = reverse("wagtaildocs_chooser:choose_results")

    listed = _chosen_pks(client, results)
    assert internal.pk in listed
    assert (secret.pk in listed) is sees_secret
    assert (trashed.pk in listed) is sees_secret
    assert (secret.pk in _chosen_pks(client, results, q=secret.title)) is sees_secret
    assert internal.pk in _chosen_pks(client, results, q=internal.title)

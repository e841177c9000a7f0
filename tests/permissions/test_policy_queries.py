"""The policy loads what it knows about a user once per user object, not once per item."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from documents.models import KnowledgeDocument
from permissions.models import Confidentiality
from permissions.policy import audience_terms, can_edit_in_trash, can_view, visible_to
from permissions.roles import Role
from tests.permissions.conftest import make_article, make_document


@pytest.mark.django_db
def test_a_loop_over_items_loads_the_user_once(rnd_engineer, rnd_department):
    documents = [
        make_document(confidentiality=Confidentiality.DEPARTMENT, departments=[rnd_department])
        for _ in range(3)
    ]
    assert all(can_view(rnd_engineer, document) for document in documents)

    before = audience_terms(rnd_engineer)
    rnd_engineer.groups.set([Group.objects.get(name=Role.TRAINER.value)])
    rnd_engineer.departments.clear()
    # The same user object keeps what was loaded for it (one request, one task)...
    assert audience_terms(rnd_engineer) == before
    # ...and a fresh load sees the change.
    reloaded = type(rnd_engineer).objects.get(pk=rnd_engineer.pk)
    assert not can_view(reloaded, documents[0])


@pytest.mark.django_db
def test_repeated_checks_query_only_the_items(
    django_assert_num_queries, knowledge_manager, rnd_department
):
    document = make_document(confidentiality=Confidentiality.INTERNAL)
    can_view(knowledge_manager, document)
    list(visible_to(knowledge_manager, KnowledgeDocument.objects.all()))

    # The listing itself; the user's groups and the failed restrictions are not loaded again.
    with django_assert_num_queries(1):
        list(visible_to(knowledge_manager, KnowledgeDocument.objects.all()))
    assert can_edit_in_trash(knowledge_manager, document)


@pytest.mark.django_db
def test_readable_to_keeps_drafts_but_not_other_departments_or_outsiders(
    rnd_engineer, agent, customer_user, rnd_department, category
):
    from kb.models import ArticlePage
    from permissions.policy import readable_pages, readable_to

    draft = make_article(
        category,
        publish=False,
        confidentiality=Confidentiality.DEPARTMENT,
        departments=[rnd_department],
    )
    everything = ArticlePage.objects.all()

    assert readable_to(rnd_engineer, everything).filter(pk=draft.pk).exists()
    assert not visible_to(rnd_engineer, everything).filter(pk=draft.pk).exists()
    assert not readable_to(agent, everything).filter(pk=draft.pk).exists()
    # Customers never read in the editor, not even public pages.
    assert not readable_to(customer_user, everything).exists()
    pages = Page.objects.filter(pk__in=[draft.pk, category.pk])
    assert set(readable_pages(rnd_engineer, pages).values_list("pk", flat=True)) == {
        draft.pk,
        category.pk,
    }
    assert set(readable_pages(agent, pages).values_list("pk", flat=True)) == {category.pk}

"""Versions of knowledge pages in the admin: history with change notes, compare, revert."""

from __future__ import annotations

import pytest
from wagtail.models import PageLogEntry

from kb.models import FAQPage
from permissions.models import AuditEvent
from tests.kb.test_workflow_support import edit_form_data, make_draft_faq

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(rnd_engineer, rnd_department):
    page = make_draft_faq(rnd_engineer, departments=[rnd_department], question="第一版问题？")
    page.question = "第二版问题？"
    page.save_revision(user=rnd_engineer)
    return FAQPage.objects.get(pk=page.pk)


def test_saving_with_a_change_note_records_it_on_the_revision(client, rnd_engineer, faq):
    client.force_login(rnd_engineer)
    data = edit_form_data(client, faq.pk, question="第三版问题？", change_note="补充了车型说明")
    response = client.post(f"/admin/pages/{faq.pk}/edit/", data)
    assert response.status_code == 302
    faq.refresh_from_db()
    revision = faq.get_latest_revision()
    assert revision.as_object().question == "第三版问题？"
    entry = PageLogEntry.objects.get(action="kb.change_note")
    assert entry.revision == revision and entry.user == rnd_engineer
    assert entry.data["note"] == "补充了车型说明"
    assert AuditEvent.objects.filter(action="page.change_note", object_id=str(faq.pk)).exists()

    html = client.get(f"/admin/pages/{faq.pk}/history/").content.decode()
    assert "补充了车型说明" in html


def test_the_edit_form_offers_the_change_note(client, rnd_engineer, faq):
    client.force_login(rnd_engineer)
    html = client.get(f"/admin/pages/{faq.pk}/edit/").content.decode()
    assert 'name="change_note"' in html and 'for="id_change_note"' in html


def test_saving_without_a_note_logs_none(client, rnd_engineer, faq):
    client.force_login(rnd_engineer)
    data = edit_form_data(client, faq.pk, question="第三版问题？")
    client.post(f"/admin/pages/{faq.pk}/edit/", data)
    assert not PageLogEntry.objects.filter(action="kb.change_note").exists()


def test_the_author_compares_two_revisions(client, rnd_engineer, faq):
    first, second = faq.revisions.order_by("pk")
    client.force_login(rnd_engineer)
    response = client.get(f"/admin/pages/{faq.pk}/revisions/compare/{first.pk}...{second.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "第一版问题" in html and "第二版问题" in html


def test_the_author_reverts_to_an_older_revision_as_a_new_draft(client, rnd_engineer, faq):
    first = faq.revisions.order_by("pk").first()
    client.force_login(rnd_engineer)
    revert_url = f"/admin/pages/{faq.pk}/revisions/{first.pk}/revert/"
    data = edit_form_data(client, faq.pk, url=revert_url)
    assert data["question"] == "第一版问题？"
    response = client.post(revert_url, data)  # the form posts back to the revert view
    assert response.status_code == 302
    faq.refresh_from_db()
    assert faq.revisions.count() == 3
    latest = faq.get_latest_revision()
    assert latest.as_object().question == "第一版问题？"
    assert not faq.live  # a draft, to go through review again
    assert PageLogEntry.objects.filter(action="wagtail.revert", page=faq).exists()


def test_another_author_may_not_open_the_history(client, faq, rnd_department):
    from permissions.roles import Role
    from tests.factories import UserFactory

    colleague = UserFactory(roles=[Role.RND_ENGINEER], departments=[rnd_department])
    client.force_login(colleague)
    response = client.get(f"/admin/pages/{faq.pk}/history/")
    assert response.status_code in (302, 403)

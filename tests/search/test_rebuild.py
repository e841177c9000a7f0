"""`manage.py rebuild_search_index`: rebuild from the database, check and repair the index."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from search import indexing, outbox
from search.analysis import get_analyzer
from search.backends import get_backend
from search.documents import build_document
from search.models import IndexOutbox
from search.records import Record
from tests.factories import ContactFactory, TicketFactory
from tests.kb.test_page_matrix import build_page, home_page
from tests.search.test_records import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    category = build_page("category", home_page(), title="分类")
    faq = build_page("faq", category, title="问题")
    draft = build_page("article", category, publish=False)
    document = make_document("手册", text="手册正文")
    ticket = TicketFactory()
    ContactFactory(customer=ticket.customer)
    expected = {
        f"kb.faqpage:{faq.pk}",
        f"documents.knowledgedocument:{document.pk}",
        f"tickets.ticket:{ticket.pk}",
        f"customers.customer:{ticket.customer_id}",
    }
    return {"faq": faq, "draft": draft, "expected": expected}


def stale_document(key="kb.faqpage:999999"):
    record = Record(
        key=key, type="faq", title="早已删除", url="/gone/", read=["all"], restrict=["all"]
    )
    return build_document(record, get_analyzer())


def test_rebuild_replaces_the_index_with_the_database_and_clears_the_outbox(content):
    backend = get_backend()
    backend.index([stale_document()])
    assert IndexOutbox.objects.exists()  # the saves above marked their objects
    stderr, stdout = StringIO(), StringIO()

    call_command("rebuild_search_index", "--noinput", "--batch", "2", stdout=stdout, stderr=stderr)

    assert backend.keys() == content["expected"]
    assert not IndexOutbox.objects.exists()
    total = indexing.total_objects()
    assert f"{total}/{total}" in stderr.getvalue() and "items/s" in stderr.getvalue()
    assert "索引 4 条记录" in stdout.getvalue()  # commands speak the default language


def test_rows_changed_during_the_rebuild_are_kept(content, monkeypatch):
    backend = get_backend()
    real_rebuild = backend.rebuild
    faq = content["faq"]

    def rebuild_while_edited(documents):
        documents = iter(documents)
        first = next(documents)
        outbox.mark_many([("kb.faqpage", faq.pk)], drain=False)  # an edit commits meanwhile
        return real_rebuild([first, *documents])

    monkeypatch.setattr(backend, "rebuild", rebuild_while_edited)
    indexing.rebuild_index()

    assert set(IndexOutbox.objects.values_list("model_label", "object_id")) == {
        ("kb.faqpage", str(faq.pk))
    }


def test_check_counts_missing_and_stale_entries_and_repair_marks_them(content):
    backend = get_backend()
    indexing.rebuild_index()
    faq_key = f"kb.faqpage:{content['faq'].pk}"
    backend.delete([faq_key])
    backend.index([stale_document()])
    stdout = StringIO()

    call_command("rebuild_search_index", "--check", stdout=stdout)

    assert "索引中缺少：1；索引中过期：1。" in stdout.getvalue()
    assert f"+ {faq_key}" in stdout.getvalue() and "- kb.faqpage:999999" in stdout.getvalue()
    assert not IndexOutbox.objects.exists()  # --check alone changes nothing

    call_command("rebuild_search_index", "--check", "--repair", stdout=StringIO())

    assert set(IndexOutbox.objects.values_list("model_label", "object_id")) == {
        ("kb.faqpage", str(content["faq"].pk)),
        ("kb.faqpage", "999999"),
    }
    indexing.drain_outbox()
    assert backend.keys() == content["expected"]

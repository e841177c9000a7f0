"""The outbox: rows written with the change, drained after commit, kept on failure, swept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction

from kb.trash.actions import trash_page
from search import indexing, outbox
from search.backends import get_backend
from search.models import IndexOutbox, SearchSynonym
from search.tasks import sweep_search_outbox_task
from tests.factories import TicketFactory
from tests.kb.test_page_matrix import build_page, home_page
from tests.search.test_records import attach, make_document

pytestmark = pytest.mark.django_db


def rows() -> set[str]:
    return {f"{row.model_label}:{row.object_id}" for row in IndexOutbox.objects.all()}


def callbacks_named(callbacks, name) -> int:
    return sum(1 for callback in callbacks if getattr(callback, f"{outbox._PENDING}_{name}", 0))


@pytest.fixture
def category():
    return build_page("category", home_page(), title="分类")


@pytest.fixture
def search_backend():
    return get_backend()


# --- Writing rows -------------------------------------------------------------------------------


def test_row_is_written_in_the_transaction_and_rolled_back_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.mark_dirty("tickets.ticket", 41)
        assert rows() == {"tickets.ticket:41"}
        raise RuntimeError

    assert rows() == set()


def test_marking_again_bumps_the_row_and_resets_its_attempts():
    outbox.mark_dirty("tickets.ticket", 7)
    IndexOutbox.objects.update(
        attempts=4,
        changed_at=timezone.now() - timedelta(hours=1),
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )

    outbox.mark_dirty("tickets.ticket", 7)

    row = IndexOutbox.objects.get()
    assert row.attempts == 0
    assert timezone.now() - row.changed_at < timedelta(minutes=1)
    assert row.next_attempt_at <= timezone.now()


def test_one_drain_per_transaction_however_many_rows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        # Negative ids: no real row can have them, whatever the database's sequences say.
        for pk in range(-5, 0):
            outbox.mark_dirty("tickets.ticket", pk)
        ticket = TicketFactory()

    assert callbacks_named(callbacks, "drain") == 1
    # The factory's ticket and its customer are marked too.
    assert rows() == {f"tickets.ticket:{pk}" for pk in range(-5, 0)} | {
        f"tickets.ticket:{ticket.pk}",
        f"customers.customer:{ticket.customer_id}",
    }


def test_saving_and_deleting_an_indexed_object_marks_it(category):
    faq = build_page("faq", category)
    ticket = TicketFactory()

    assert {f"kb.faqpage:{faq.pk}", f"tickets.ticket:{ticket.pk}"} <= rows()

    IndexOutbox.objects.all().delete()
    pk = ticket.pk
    ticket.delete()
    assert rows() == {f"tickets.ticket:{pk}"}


# --- Draining -----------------------------------------------------------------------------------


def test_drain_after_commit_indexes_then_removes_deleted_objects(
    category, search_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        faq = build_page("faq", category, title="冷却液多久更换")
        ticket = TicketFactory(subject="冷却液泄漏")

    assert {f"kb.faqpage:{faq.pk}", f"tickets.ticket:{ticket.pk}"} <= set(search_backend.keys())
    assert IndexOutbox.objects.count() == 0

    ticket_key = f"tickets.ticket:{ticket.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        ticket.delete()
        faq.unpublish()

    assert ticket_key not in set(search_backend.keys())
    assert f"kb.faqpage:{faq.pk}" not in set(search_backend.keys())
    assert IndexOutbox.objects.count() == 0


def test_trashing_a_category_removes_its_pages_from_the_index(
    category, knowledge_manager, search_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        faq = build_page("faq", category)
    assert f"kb.faqpage:{faq.pk}" in set(search_backend.keys())

    with django_capture_on_commit_callbacks(execute=True):
        trash_page(actor=knowledge_manager, page=category)

    assert f"kb.faqpage:{faq.pk}" not in set(search_backend.keys())


def test_related_changes_mark_the_pages_that_show_them(category):
    faq = build_page("faq", category)
    deep = build_page("article", build_page("category", category))
    document = make_document("手册", text="手册文字")
    IndexOutbox.objects.all().delete()

    attach(faq, document)  # PageAttachment saved
    assert f"kb.faqpage:{faq.pk}" in rows()

    IndexOutbox.objects.all().delete()
    document.extracted_text = "新的文字"
    document.save()  # extraction finished: the page shows the new text
    assert rows() == {f"documents.knowledgedocument:{document.pk}", f"kb.faqpage:{faq.pk}"}

    IndexOutbox.objects.all().delete()
    document.tags.add("冷却")  # an m2m change alone, without saving the document
    assert rows() == {f"documents.knowledgedocument:{document.pk}", f"kb.faqpage:{faq.pk}"}

    IndexOutbox.objects.all().delete()
    PageViewRestriction.objects.create(page=category, restriction_type=PageViewRestriction.LOGIN)
    assert {f"kb.faqpage:{faq.pk}", f"kb.articlepage:{deep.pk}"} <= rows()

    IndexOutbox.objects.all().delete()
    category.title = "改名的分类"
    category.save_revision().publish()  # every record below shows the category path
    assert {f"kb.faqpage:{faq.pk}", f"kb.articlepage:{deep.pk}"} <= rows()


def test_a_change_during_processing_keeps_the_row(category):
    faq = build_page("faq", category)
    claimed = indexing._claim(100)
    assert f"kb.faqpage:{faq.pk}" in {row.key for row in claimed}

    outbox.mark_many([("kb.faqpage", faq.pk)], drain=False)  # committed while we index
    indexing._settle(claimed, {})

    row = IndexOutbox.objects.get(model_label="kb.faqpage", object_id=str(faq.pk))
    assert row.next_attempt_at <= timezone.now()  # due again, with the new change


def test_a_row_taken_over_by_another_drain_is_marked_again(category):
    faq = build_page("faq", category)
    first = indexing._claim(100)
    outbox.mark_many([("kb.faqpage", faq.pk)], drain=False)
    second = indexing._claim(100)  # a second drain takes the row the change made due
    indexing._settle(second, {})
    assert not IndexOutbox.objects.filter(object_id=str(faq.pk)).exists()

    indexing._settle(first, {})  # the slower drain may have written an older state last

    assert IndexOutbox.objects.filter(model_label="kb.faqpage", object_id=str(faq.pk)).exists()


def test_drain_indexes_the_latest_state_when_the_object_changes_meanwhile(
    category, search_backend, monkeypatch
):
    faq = build_page("faq", category, title="旧标题")
    written = []
    real_index = search_backend.index

    def index_and_change(documents):
        documents = list(documents)
        written.extend((doc["key"], doc["title"]) for doc in documents)
        if len(written) == len(documents):  # first batch: the page is edited meanwhile
            type(faq).objects.filter(pk=faq.pk).update(title="新标题")
            outbox.mark_many([("kb.faqpage", faq.pk)], drain=False)
        real_index(documents)

    monkeypatch.setattr(search_backend, "index", index_and_change)
    indexing.drain_outbox()

    key = f"kb.faqpage:{faq.pk}"
    assert [title for k, title in written if k == key] == ["旧标题", "新标题"]
    assert IndexOutbox.objects.count() == 0


def test_engine_failure_keeps_rows_with_backoff_and_the_sweep_reruns_them(
    category, search_backend, monkeypatch
):
    TicketFactory()
    indexing.drain_outbox()  # the index is in use (an empty one would be rebuilt by the sweep)
    faq = build_page("faq", category)
    ticket = TicketFactory()
    expected = {f"kb.faqpage:{faq.pk}", f"tickets.ticket:{ticket.pk}"}

    def down(documents):
        raise OSError("disk full")

    monkeypatch.setattr(search_backend, "index", down)
    result = indexing.drain_outbox()

    assert "disk full" in result.engine_error
    assert expected <= rows()
    for row in IndexOutbox.objects.all():
        assert row.attempts == 1
        assert "OSError: disk full" in row.last_error
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert sweep_search_outbox_task() == 0  # nothing due yet: the backoff holds

    monkeypatch.undo()
    IndexOutbox.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # time passes
    due = IndexOutbox.objects.count()
    assert sweep_search_outbox_task() == due

    assert expected <= set(search_backend.keys())
    assert IndexOutbox.objects.count() == 0


def test_sweep_reports_rows_that_keep_failing(caplog):
    outbox.mark_dirty("tickets.ticket", 999)
    IndexOutbox.objects.update(
        attempts=6, last_error="boom", next_attempt_at=timezone.now() + timedelta(hours=1)
    )

    sweep_search_outbox_task()

    assert "failed more than 5 times" in caplog.text and "tickets.ticket:999" in caplog.text


def test_a_record_that_cannot_be_built_fails_alone(category, search_backend, monkeypatch):
    from kb.search_records import FAQSource

    good = build_page("faq", category, title="好的")
    bad = build_page("faq", category, title="坏的")
    real = FAQSource.body

    def body(self, page):
        if page.pk == bad.pk:
            raise ValueError("broken block")
        return real(self, page)

    monkeypatch.setattr(FAQSource, "body", body)
    indexing.drain_outbox()

    assert f"kb.faqpage:{good.pk}" in set(search_backend.keys())
    row = IndexOutbox.objects.get()
    assert row.object_id == str(bad.pk) and row.attempts == 1 and "broken block" in row.last_error


def test_vocabulary_change_asks_for_one_rebuild(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        SearchSynonym.objects.create(terms="发动机,引擎")
        SearchSynonym.objects.create(terms="花呗,花贝")

    assert callbacks_named(callbacks, "rebuild") == 1


def test_sweep_refills_an_empty_index_when_the_database_has_records(category, search_backend):
    faq = build_page("faq", category, title="冷却液多久更换")
    ticket = TicketFactory()
    IndexOutbox.objects.all().delete()  # e.g. a new index version: nothing is marked
    assert search_backend.count() == 0

    sweep_search_outbox_task()

    assert {f"kb.faqpage:{faq.pk}", f"tickets.ticket:{ticket.pk}"} <= search_backend.keys()

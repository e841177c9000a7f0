"""Guarded reads of documents: the same ItemNotFound for missing and forbidden."""

from __future__ import annotations

from documents.models import DocumentVersion, KnowledgeDocument
from permissions.access import ItemNotFound, access_item_by_id
from permissions.policy import can_edit_in_trash, visible_to


def access_document_by_id(viewer, pk) -> KnowledgeDocument:
    """Return the live document `pk` if `viewer` may see it; raise ItemNotFound otherwise."""
    return access_item_by_id(viewer, KnowledgeDocument, pk)


def access_document_version(viewer, document_pk, number) -> DocumentVersion:
    """Return version `number` of a document `viewer` may see; raise ItemNotFound otherwise."""
    document = access_document_by_id(viewer, document_pk)
    version = document.versions.filter(number=number).first()
    if version is None:
        raise ItemNotFound
    return version


def access_trashed_document_by_id(viewer, pk) -> KnowledgeDocument:
    """Return document `pk` from the recycle bin if `viewer` may restore it; raise ItemNotFound."""
    document = KnowledgeDocument.objects.filter(pk=pk, deleted_at__isnull=False).first()
    # Someone who may not restore it learns nothing, not even that it exists.
    if document is None or not can_edit_in_trash(viewer, document):
        raise ItemNotFound
    return document


def visible_category_ids_for_viewer(viewer, category_ids) -> set:
    """Return those of `category_ids` that name categories `viewer` may see, in one query."""
    from kb.models import CategoryPage

    ids = {pk for pk in category_ids if pk is not None}
    if not ids:
        return set()
    categories = visible_to(viewer, CategoryPage.objects.filter(pk__in=ids))
    return set(categories.values_list("pk", flat=True))

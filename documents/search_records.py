"""Knowledge documents as search records: the extracted text, searchable by whoever may see it."""

from __future__ import annotations

import os

from django.urls import reverse
from wagtail.models import Page

from documents.models import KnowledgeDocument
from kb.models import CategoryPage, PageAttachment
from permissions.policy import item_audience
from search.outbox import page_keys
from search.records import Record, RecordSource, key_for, register

DEFAULT_LANGUAGE = "zh-hans"
# The analyzer's share of one document; the stored copy for snippets is shorter still.
MAX_BODY_CHARS = 1_000_000


def _join(*parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _ancestor_paths(page_path: str, step: int) -> list[str]:
    return [page_path[:i] for i in range(step * 2, len(page_path) + 1, step)]


@register
class KnowledgeDocumentSource(RecordSource):
    model = KnowledgeDocument
    type = "document"
    watches = {
        # The current version's facts (size, name) change with each new file.
        "documents.documentversion": lambda version: [
            ("documents.knowledgedocument", version.document_id)
        ],
    }

    def get_queryset(self):
        return (
            KnowledgeDocument.objects.filter(deleted_at__isnull=True)
            .select_related("collection", "category")
            .prefetch_related(
                "tags",
                "owning_departments",
                "allowed_groups",
                "allowed_customers",
                "allowed_users",
            )
        )

    def related_keys(self, obj):
        # Pages show the text of the documents they attach.
        page_ids = PageAttachment.objects.filter(document_id=obj.pk).values_list(
            "page_id", flat=True
        )
        return page_keys(page_ids)

    def to_record(self, obj) -> Record | None:
        return next(self.records([obj]))[1]

    def records(self, objs):
        documents = list(objs)
        categories = self._categories(documents)
        for document in documents:
            yield key_for(document), self._record(document, categories)

    @staticmethod
    def _categories(documents) -> dict:
        """Return {category page id: [(pk, title, is category)...]} for the documents' categories."""
        step = Page.steplen
        paths = {
            path
            for document in documents
            if document.category_id
            for path in _ancestor_paths(document.category.path, step)
        }
        if not paths:
            return {}
        from django.contrib.contenttypes.models import ContentType

        category_type = ContentType.objects.get_for_model(CategoryPage).pk
        rows = {
            path: (pk, title, content_type_id == category_type, live)
            for path, pk, title, content_type_id, live in Page.objects.filter(
                path__in=paths
            ).values_list("path", "pk", "title", "content_type_id", "live")
        }
        out = {}
        for document in documents:
            if document.category_id:
                chain = _ancestor_paths(document.category.path, step)
                out[document.category_id] = [rows[path] for path in chain if path in rows]
        return out

    def _record(self, document, categories) -> Record | None:
        if document.deleted_at is not None:
            return None
        audience = item_audience(document)
        chain = categories.get(document.category_id, [])
        extension = os.path.splitext(document.file.name or "")[1].lstrip(".").lower()
        extra = {"file_type": extension, "status": document.extraction_status}
        if document.author:
            extra["author"] = document.author
        return Record(
            key=key_for(document),
            type=self.type,
            title=document.title,
            url=reverse("documents:detail", args=[document.pk]),
            read=sorted(audience.read),
            restrict=sorted(audience.restrict),
            body=_join(document.description, document.extracted_text[:MAX_BODY_CHARS]),
            tags=[tag.name for tag in document.tags.all()],
            category_ids=[pk for pk, _title, _is_category, _live in chain],
            category_path=[title for _pk, title, is_category, _live in chain if is_category],
            departments=[department.pk for department in document.owning_departments.all()],
            language=document.language or DEFAULT_LANGUAGE,
            created_at=document.created_at,
            updated_at=document.extracted_at or document.created_at,
            extra=extra,
        )

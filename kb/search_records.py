"""Knowledge pages as search records: FAQs, articles, case histories, structured items.

Only live pages outside the recycle bin have a record, and it holds the live content (the page
row; drafts live in revisions). `records()` loads what a batch of pages needs in a few queries.
"""

from __future__ import annotations

from django.db.models import Prefetch
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing

from kb.models import (
    ArticlePage,
    CaseHistoryPage,
    CategoryPage,
    FAQPage,
    KnowledgePageTag,
    PageAttachment,
    RecycleBinPage,
    StructuredItemPage,
)
from permissions.policy import audience_covers, item_audience, user_audience_terms
from search.outbox import page_keys
from search.records import Record, RecordSource, key_for, register

DEFAULT_LANGUAGE = "zh-hans"
# Attached documents' text per page: enough for a few manuals, bounded for the analyzer.
MAX_ATTACHMENT_CHARS = 1_000_000


def rich_text(html: str) -> str:
    """Return the plain text of a rich text value."""
    return get_text_for_indexing(html or "")


def _stream_text(value) -> list[str]:
    # Raw StreamField data: text and rich text are strings; ids of images and documents are not.
    if isinstance(value, str):
        return [rich_text(value)] if "<" in value else [value]
    if isinstance(value, dict):
        if "type" in value and "value" in value:
            if value["type"] in ("image", "document"):
                return []
            return _stream_text(value["value"])
        # Struct blocks: skip choice-like settings (a callout's kind, a code block's language).
        return [
            text
            for key, item in value.items()
            if key not in ("kind", "language")
            for text in _stream_text(item)
        ]
    if isinstance(value, list):
        return [text for item in value for text in _stream_text(item)]
    return []


def _join(*parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _ancestor_paths(page) -> list[str]:
    step = page.steplen
    return [page.path[:i] for i in range(step * 2, len(page.path), step)]


class _Batch:
    """What a batch of pages shares: ancestors, the bin, attached documents' audiences."""

    def __init__(self, pages):
        from django.contrib.contenttypes.models import ContentType

        paths = {path for page in pages for path in _ancestor_paths(page)}
        self.ancestors = {
            path: (pk, title, content_type_id)
            for path, pk, title, content_type_id in Page.objects.filter(path__in=paths).values_list(
                "path", "pk", "title", "content_type_id"
            )
        }
        self.category_type = ContentType.objects.get_for_model(CategoryPage).pk
        self.bin_path = RecycleBinPage.objects.order_by("pk").values_list("path", flat=True).first()
        self._document_audiences: dict = {}
        self._user_terms: dict = {}

    def in_bin(self, page) -> bool:
        return self.bin_path is not None and page.path.startswith(self.bin_path)

    def user_terms(self, pk):
        if pk not in self._user_terms:
            self._user_terms[pk] = user_audience_terms(pk)
        return self._user_terms[pk]

    def document_audience(self, document):
        if document.pk not in self._document_audiences:
            self._document_audiences[document.pk] = item_audience(document)
        return self._document_audiences[document.pk]


class KnowledgePageSource(RecordSource):
    """Common part of the page sources; subclasses fill in the body."""

    watches = {
        "kb.pageattachment": lambda attachment: page_keys([attachment.page_id]),
        "kb.knowledgepagetag": lambda tagged: page_keys([tagged.content_object_id]),
        "taggit.tag": lambda tag: page_keys(
            KnowledgePageTag.objects.filter(tag_id=tag.pk).values_list(
                "content_object_id", flat=True
            )
        ),
    }

    def get_queryset(self):
        return (
            self.model.objects.filter(live=True)
            .select_related("locale")
            .prefetch_related(
                "tags",
                "owning_departments",
                "allowed_groups",
                "allowed_customers",
                "allowed_users",
                Prefetch(
                    "attachments",
                    queryset=PageAttachment.objects.select_related(
                        "document", "document__collection"
                    ).prefetch_related(
                        "document__owning_departments",
                        "document__allowed_groups",
                        "document__allowed_customers",
                        "document__allowed_users",
                    ),
                ),
            )
        )

    def to_record(self, obj) -> Record | None:
        return next(self.records([obj]))[1]

    def records(self, objs):
        pages = list(objs)
        batch = _Batch(pages)
        for page in pages:
            yield key_for(page), self._record(page, batch)

    def body(self, page) -> str:
        return page.summary

    def alternatives(self, page) -> list[str]:
        return []

    def extra(self, page) -> dict:
        return {}

    def customers(self, page) -> list[int]:
        return []

    def _attachments(self, page, audience, batch) -> str:
        texts: list[str] = []
        size = 0
        for attachment in page.attachments.all():
            document = attachment.document
            if document.deleted_at is not None or not document.extracted_text:
                continue
            # Only text every viewer of the page may read: the page lists an attachment to a
            # viewer only if the policy lets them see it.
            if not audience_covers(
                audience, batch.document_audience(document), user_terms=batch.user_terms
            ):
                continue
            text = _join(document.title, document.extracted_text)[: MAX_ATTACHMENT_CHARS - size]
            texts.append(text)
            size += len(text) + 2  # the blank line between documents
            if size >= MAX_ATTACHMENT_CHARS:
                break
        return "\n\n".join(texts)[:MAX_ATTACHMENT_CHARS]

    def _record(self, page, batch) -> Record | None:
        if not page.live or page.expired or batch.in_bin(page):
            return None
        url = page.url
        if url is None:  # outside every site: not reachable, so not findable
            return None
        audience = item_audience(page)
        ancestors = [
            batch.ancestors[path] for path in _ancestor_paths(page) if path in batch.ancestors
        ]
        locale = getattr(page, "locale", None)
        return Record(
            key=key_for(page),
            type=self.type,
            title=page.title,
            url=url,
            read=sorted(audience.read),
            restrict=sorted(audience.restrict),
            body=self.body(page),
            alternatives=self.alternatives(page),
            attachments=self._attachments(page, audience, batch),
            tags=[tag.name for tag in page.tags.all()],
            category_ids=[pk for pk, _title, _type in ancestors],
            category_path=[title for _pk, title, ct in ancestors if ct == batch.category_type],
            departments=[department.pk for department in page.owning_departments.all()],
            customers=self.customers(page),
            language=(locale.language_code if locale else "") or DEFAULT_LANGUAGE,
            created_at=page.first_published_at,
            updated_at=page.last_published_at or page.first_published_at,
            extra=self.extra(page),
        )


@register
class FAQSource(KnowledgePageSource):
    model = FAQPage
    type = "faq"
    watches = {
        **KnowledgePageSource.watches,
        "kb.product": lambda product: page_keys(product.faqs.values_list("pk", flat=True)),
    }

    def get_queryset(self):
        return super().get_queryset().prefetch_related("products")

    def body(self, page) -> str:
        return _join(page.summary, rich_text(page.answer))

    def alternatives(self, page) -> list[str]:
        phrasings = [page.question, *page.alternative_questions.splitlines()]
        seen = {page.title.strip()}
        out = []
        for phrasing in phrasings:
            phrasing = phrasing.strip()
            if phrasing and phrasing not in seen:
                seen.add(phrasing)
                out.append(phrasing)
        return out

    def extra(self, page) -> dict:
        products = [product.name for product in page.products.all()]
        return {"products": products} if products else {}


@register
class ArticleSource(KnowledgePageSource):
    model = ArticlePage
    type = "article"

    def body(self, page) -> str:
        return _join(page.summary, *_stream_text(list(page.body.raw_data)))


@register
class CaseHistorySource(KnowledgePageSource):
    model = CaseHistoryPage
    type = "case"
    watches = {
        **KnowledgePageSource.watches,
        "kb.product": lambda product: page_keys(
            product.case_histories.values_list("pk", flat=True)
        ),
    }

    def get_queryset(self):
        return super().get_queryset().select_related("product")

    def body(self, page) -> str:
        return _join(
            page.summary,
            rich_text(page.symptom),
            rich_text(page.cause),
            rich_text(page.resolution),
            page.outcome,
        )

    def customers(self, page) -> list[int]:
        return [page.customer_id] if page.customer_id else []

    def extra(self, page) -> dict:
        extra = {}
        if page.product_id:
            extra["product"] = page.product.name
        if page.outcome:
            extra["outcome"] = page.outcome
        return extra


@register
class StructuredItemSource(KnowledgePageSource):
    model = StructuredItemPage
    type = "structured"

    def get_queryset(self):
        return super().get_queryset().select_related("template")

    def body(self, page) -> str:
        return _join(page.summary, page.data_text)

    def extra(self, page) -> dict:
        return {"template": page.template.name}


__all__ = [
    "ArticleSource",
    "CaseHistorySource",
    "FAQSource",
    "KnowledgePageSource",
    "StructuredItemSource",
]

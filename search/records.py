"""How a model becomes a search record.

Each app declares, in its own `search_records.py`, a `RecordSource` for each indexable model and
registers it; `search` never imports the apps (they are discovered in `SearchConfig.ready`).

    @register
    class FAQSource(RecordSource):
        model = FAQPage
        type = "faq"
        def to_record(self, obj): ...

A record carries the original text (for snippets) and the permission tokens of
`permissions.policy.item_audience`; the analyzer turns the text into tokens for every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

# The record types, in the order the UI lists them. Apps may only register these types, so the
# facet labels stay translatable.
RECORD_TYPES = {
    "faq": _("FAQ"),
    "article": _("Article"),
    "case": _("Case history"),
    "structured": _("Structured knowledge"),
    "document": _("Document"),
    "customer": _("Customer"),
    "ticket": _("Ticket"),
    "question": _("Question"),
}


@dataclass
class Record:
    """One searchable item, as every backend indexes it."""

    key: str  # "<app_label.model>:<pk>", unique across the index
    type: str  # a key of RECORD_TYPES
    title: str
    url: str
    read: list[str]  # permission tokens (permissions.policy.item_audience)
    restrict: list[str]
    body: str = ""
    alternatives: list[str] = field(default_factory=list)  # other phrasings (FAQ questions)
    attachments: str = ""  # extracted text of attached or stored files
    tags: list[str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)  # every ancestor, for subtree filters
    category_path: list[str] = field(default_factory=list)  # titles, root first, for display
    departments: list[int] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)
    language: str = "zh-hans"
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    extra: dict = field(default_factory=dict)  # small display facts (status, number, file type)


class RecordSource:
    """Declares how the objects of one model become records.

    Subclasses set `model` and `type` and implement `to_record`; `get_queryset` lists every object
    a rebuild must consider, `related_keys` names the keys to refresh when the object changes
    (an attachment changing the page that shows it, say).
    """

    model: type[models.Model]
    type: str

    def get_queryset(self) -> models.QuerySet:
        """Return every object that may have a record (the rebuild iterates over it)."""
        return self.model._default_manager.all()

    def to_record(self, obj) -> Record | None:
        """Return the object's record, or None when it must not be in the index."""
        raise NotImplementedError

    def related_keys(self, obj) -> Iterable[tuple[str, str]]:
        """Return (model label, pk) of other objects whose records show this one."""
        return ()

    def records(self, objs: Iterable) -> Iterator[tuple[str, Record | None]]:
        """Yield (key, record or None) for objects; sources may override to prefetch."""
        for obj in objs:
            yield key_for(obj), self.to_record(obj)


_registry: dict[str, RecordSource] = {}


def register(source_class: type[RecordSource]) -> type[RecordSource]:
    """Register a RecordSource subclass for its model (usable as a class decorator)."""
    if source_class.type not in RECORD_TYPES:
        raise ValueError(f"unknown record type {source_class.type!r}")
    _registry[source_class.model._meta.label_lower] = source_class()
    return source_class


def sources() -> list[RecordSource]:
    """Return every registered source."""
    return list(_registry.values())


def source_for_label(label: str) -> RecordSource | None:
    """Return the source of a model label ("kb.faqpage"), or None when it is not indexed."""
    return _registry.get(label.lower())


def source_for_model(model) -> RecordSource | None:
    """Return the source of a model or of its nearest registered concrete ancestor."""
    return _registry.get(model._meta.label_lower)


def key_for(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def split_key(key: str) -> tuple[str, str]:
    label, _sep, pk = key.rpartition(":")
    return label, pk

"""Mark index entries dirty whenever what they show changes; wired in SearchConfig.ready.

Models are found through the registered sources: each source's model, plus the models a source
says it shows (`watches`: {"app.model": callable(instance) -> (label, pk) pairs}). Wagtail's page
life cycle (publish, unpublish, move, view restrictions) and collection restrictions are handled
here once for every page or document type.
"""

from __future__ import annotations

from django.apps import apps
from django.db import router
from django.db.models.signals import m2m_changed, post_delete, post_save

from search.outbox import (
    keys_for_instance,
    mark_many,
    once_per_transaction,
    source_label,
    subtree_keys,
)
from search.records import sources

_UID = "search.signal_handlers"
_watchers: dict[type, list] = {}


def _raw(kwargs) -> bool:
    return bool(kwargs.get("raw"))


def object_changed(sender, instance, **kwargs):
    """Mark a saved or deleted indexed object and the records that show it."""
    if _raw(kwargs):
        return
    mark_many(keys_for_instance(instance))


def watched_changed(sender, instance, **kwargs):
    """Mark the records that show a changed object of a watched model."""
    if _raw(kwargs):
        return
    pairs = set()
    for watcher in _watchers.get(sender, ()):
        pairs.update(watcher(instance))
    mark_many(pairs)


def generic_page_saved(sender, instance, **kwargs):
    """A page saved through the generic Page model (moves, locks, slug fixes)."""
    if _raw(kwargs) or instance.pk is None:
        return
    if source_label(instance.specific_class or sender) is not None:
        mark_many(keys_for_instance(instance))


def _page_and_below(page) -> set:
    # A page's title and slug are part of every record below it (category path, URL).
    if getattr(page, "numchild", 0):
        return subtree_keys(page)
    return keys_for_instance(page)


def page_published(sender, instance, **kwargs):
    mark_many(_page_and_below(instance))


def page_unpublished(sender, instance, **kwargs):
    mark_many(_page_and_below(instance))


def page_moved(sender, instance, **kwargs):
    """A moved subtree (into the recycle bin too): new URLs, category paths, restrictions."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=instance.pk).first()
    if page is not None:
        mark_many(subtree_keys(page))


def page_restriction_changed(sender, instance, **kwargs):
    if _raw(kwargs):
        return
    page = getattr(instance, "page", None)
    if page is not None:
        mark_many(subtree_keys(page))


def _collection_keys(collection) -> set:
    """Objects of indexed models stored in `collection` or below it, and what shows them."""
    pairs = set()
    for source in sources():
        model = source.model
        if not any(field.name == "collection" for field in model._meta.get_fields()):
            continue
        objs = model._default_manager.filter(collection__path__startswith=collection.path)
        for obj in objs.iterator(chunk_size=500):
            pairs |= keys_for_instance(obj)
    return pairs


def collection_restriction_changed(sender, instance, **kwargs):
    if _raw(kwargs):
        return
    collection = getattr(instance, "collection", None)
    if collection is not None:
        mark_many(_collection_keys(collection))


def m2m_relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Tags, departments, allowed groups/customers/users, restriction groups."""
    from wagtail.models import CollectionViewRestriction, PageViewRestriction

    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if isinstance(instance, PageViewRestriction):
        if action != "pre_clear":
            page_restriction_changed(sender, instance)
        return
    if isinstance(instance, CollectionViewRestriction):
        if action != "pre_clear":
            collection_restriction_changed(sender, instance)
        return
    if not reverse:
        if action != "pre_clear":
            mark_many(keys_for_instance(instance))
        return
    # Reverse side: `instance` is a department, group...; the objects changed are in pk_set.
    label = source_label(model)
    if label is None:
        return
    if action == "pre_clear":
        field_name = _forward_field(sender, model)
        if field_name is None:
            return
        pks = model._default_manager.filter(**{field_name: instance}).values_list("pk", flat=True)
    elif action == "post_clear":
        return  # handled at pre_clear, while the rows still existed
    else:
        pks = pk_set or ()
    pairs = set()
    for obj in model._default_manager.filter(pk__in=list(pks)):
        pairs |= keys_for_instance(obj)
    mark_many(pairs)


def _forward_field(through, model) -> str | None:
    for field in model._meta.many_to_many:
        if getattr(field.remote_field, "through", None) is through:
            return field.name
    return None


def _enqueue_rebuild() -> None:
    from search.tasks import rebuild_search_index_task

    rebuild_search_index_task.delay()


def vocabulary_changed(sender, instance, **kwargs):
    """Synonyms or dictionary words changed: new analyzer, and one rebuild after the commit."""
    from search.analysis import reset_analyzer

    if _raw(kwargs):
        return
    reset_analyzer()
    # Once per transaction: a form saving twenty synonyms asks for one rebuild.
    once_per_transaction(router.db_for_write(sender), "rebuild", _enqueue_rebuild)


def connect() -> None:
    """Connect the handlers for every registered source and what the sources watch."""
    from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction
    from wagtail.signals import page_published as published
    from wagtail.signals import page_unpublished as unpublished
    from wagtail.signals import post_page_move

    from search.models import DictionaryWord, SearchSynonym

    _watchers.clear()
    for source in sources():
        model = source.model
        post_save.connect(object_changed, sender=model, dispatch_uid=f"{_UID}.save.{model}")
        post_delete.connect(object_changed, sender=model, dispatch_uid=f"{_UID}.delete.{model}")
        for label, watcher in getattr(source, "watches", {}).items():
            watched = apps.get_model(label)
            # Subclasses of one source share its watchers: call each once.
            if watcher not in _watchers.setdefault(watched, []):
                _watchers[watched].append(watcher)
    for watched in _watchers:
        uid = f"{_UID}.watch.{watched._meta.label_lower}"
        post_save.connect(watched_changed, sender=watched, dispatch_uid=f"{uid}.save")
        post_delete.connect(watched_changed, sender=watched, dispatch_uid=f"{uid}.delete")
    post_save.connect(generic_page_saved, sender=Page, dispatch_uid=f"{_UID}.page.save")
    published.connect(page_published, dispatch_uid=f"{_UID}.published")
    unpublished.connect(page_unpublished, dispatch_uid=f"{_UID}.unpublished")
    post_page_move.connect(page_moved, dispatch_uid=f"{_UID}.moved")
    for model, handler in (
        (PageViewRestriction, page_restriction_changed),
        (CollectionViewRestriction, collection_restriction_changed),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"{_UID}.{model.__name__}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{_UID}.{model.__name__}.delete")
    m2m_changed.connect(m2m_relation_changed, dispatch_uid=f"{_UID}.m2m")
    for model in (SearchSynonym, DictionaryWord):
        post_save.connect(vocabulary_changed, sender=model, dispatch_uid=f"{_UID}.vocab.{model}")
        post_delete.connect(vocabulary_changed, sender=model, dispatch_uid=f"{_UID}.vocabd.{model}")

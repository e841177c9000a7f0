"""Writes of the page recycle bin: move a subtree there, bring it back, delete it for good.

Every action checks the policy, runs in one durable transaction with an audit row, and leaves
Wagtail's own page permissions out of it: the policy decides who may trash and restore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from wagtail.actions.delete_page import DeletePageAction
from wagtail.actions.move_page import MovePageAction
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.coreutils import find_available_slug
from wagtail.models import Page, PageLogEntry, Revision, WorkflowState

from kb.models import KnowledgeHomePage, RecycleBinPage, TrashedPage
from permissions.actions import log_audit_event
from permissions.models import ProtectedContent
from permissions.policy import can_edit_in_trash, can_manage_knowledge, may_purge

BIN_SLUG = "recycle-bin"


def recycle_bin() -> RecycleBinPage:
    """Return the recycle bin page, creating it under the tree root (outside every site) once."""
    existing = RecycleBinPage.objects.order_by("pk").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        # Lock the root so two first trashings cannot each create a bin.
        root = Page.objects.select_for_update().get(pk=Page.get_first_root_node().pk)
        existing = RecycleBinPage.objects.order_by("pk").first()
        if existing is not None:
            return existing
        # Stored data, not a translatable label: the bin is never shown by its title.
        page = RecycleBinPage(title="回收站", slug=find_available_slug(root, BIN_SLUG), live=False)
        return root.add_child(instance=page)


def in_recycle_bin(page) -> bool:
    """Return True when `page` is the recycle bin or lies under it."""
    bin_path = RecycleBinPage.objects.order_by("pk").values_list("path", flat=True).first()
    return bin_path is not None and page.path.startswith(bin_path)


def may_trash_page(user, page) -> bool:
    """Return True when `user` may move `page` to the recycle bin (the page alone, cheaply)."""
    page = page.specific
    # can_edit_in_trash judges as the editor does (drafts included, confidentiality only);
    # can_edit asks can_view, which no one but a superuser passes for a draft.
    return (
        isinstance(page, ProtectedContent)
        and not in_recycle_bin(page)
        and can_edit_in_trash(user, page)
    )


def can_trash_page(user, page) -> bool:
    """Return True when `user` may move `page` with every page under it to the recycle bin."""
    if not may_trash_page(user, page):
        return False
    descendants = Page.objects.descendant_of(page).specific()
    return all(
        isinstance(child, ProtectedContent) and can_edit_in_trash(user, child)
        for child in descendants
    )


def _bin_slug(page) -> str:
    # Prefixed with the page id: unique in the bin, and the original slug is recoverable.
    return f"{page.pk}-{page.slug}"[:255]


def _original_slug(page) -> str:
    prefix = f"{page.pk}-"
    return page.slug[len(prefix) :] if page.slug.startswith(prefix) else page.slug


def _location_titles(parent) -> str:
    chain = [*parent.get_ancestors().filter(depth__gt=1), parent] if parent.depth > 1 else []
    return " / ".join(page.title for page in chain)[:1000]


def _stop_pending_work(page_ids, actor) -> None:
    """Cancel scheduled publishing and open workflows, which would otherwise act in the bin."""
    Revision.page_revisions.filter(object_id__in=[str(pk) for pk in page_ids]).update(
        approved_go_live_at=None
    )
    states = WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=[str(pk) for pk in page_ids],
    )
    for state in states:
        state.cancel(user=actor)


@transaction.atomic(durable=True)
def trash_page(*, actor, page, request=None) -> TrashedPage:
    """Unpublish `page` and every page under it and move the subtree to the recycle bin."""
    page = Page.objects.select_for_update().get(pk=page.pk).specific
    if not can_trash_page(actor, page):
        raise PermissionDenied
    bin_page = recycle_bin()
    parent = page.get_parent()
    subtree = Page.objects.descendant_of(page, inclusive=True).order_by("path")
    page_ids = list(subtree.values_list("pk", flat=True))
    live_ids = list(subtree.filter(live=True).values_list("pk", flat=True))
    for live_page in subtree.filter(live=True).specific():
        UnpublishPageAction(live_page, user=actor).execute(skip_permission_checks=True)
    _stop_pending_work(page_ids, actor)
    Page.objects.filter(pk=page.pk).update(slug=_bin_slug(page))
    MovePageAction(
        Page.objects.get(pk=page.pk), target=bin_page, pos="last-child", user=actor
    ).execute(skip_permission_checks=True)
    entry = TrashedPage.objects.create(
        page_id=page.pk,
        original_parent=parent,
        original_path_titles=_location_titles(parent),
        trashed_by=actor if actor is not None and actor.is_authenticated else None,
        trashed_at=timezone.now(),
        live_page_ids=live_ids,
    )
    log_audit_event(
        actor=actor,
        action="page.trash",
        obj=page,
        request=request,
        extra={"parent": parent.pk, "pages": len(page_ids), "live": live_ids},
    )
    return entry


@dataclass
class RestoredPage:
    page: Page
    parent: Page
    # True when the original parent is gone or in the bin and the page went to the home page.
    moved_home: bool = False
    republished: list[int] = field(default_factory=list)


def _restore_target(entry) -> tuple[Page, bool]:
    parent = entry.original_parent
    if parent is not None and not in_recycle_bin(parent):
        return parent, False
    home = KnowledgeHomePage.objects.order_by("path").first()
    if home is None:
        raise PermissionDenied
    return home, True


def _last_published_revision(page):
    """Return the revision that was live before the page was trashed (Wagtail logs it)."""
    entry = (
        PageLogEntry.objects.filter(page_id=page.pk, action="wagtail.publish")
        .exclude(revision=None)
        .order_by("-timestamp", "-pk")
        .select_related("revision")
        .first()
    )
    return entry.revision if entry is not None else page.latest_revision


def _republish(page, actor) -> bool:
    revision = _last_published_revision(page)
    if revision is None:
        return False
    if revision.content.get("slug") != page.slug:
        # The restored slug had to change (taken meanwhile): publishing the old revision would
        # bring the taken slug back, so publish a copy of it with the new slug.
        copy = revision.as_object()
        copy.slug = page.slug
        revision = copy.save_revision(user=actor, changed=False, clean=False)
    revision.publish(user=actor, skip_permission_checks=True)
    return True


@transaction.atomic(durable=True)
def restore_page(*, actor, page, request=None) -> RestoredPage:
    """Move a trashed subtree back; republish what was live if the actor may publish."""
    entry = TrashedPage.objects.select_for_update().filter(page_id=page.pk).first()
    page = Page.objects.get(pk=page.pk).specific
    if entry is None or not can_edit_in_trash(actor, page):
        raise PermissionDenied
    parent, moved_home = _restore_target(entry)
    slug = find_available_slug(parent, _original_slug(page), ignore_page_id=page.pk)
    Page.objects.filter(pk=page.pk).update(slug=slug)
    MovePageAction(
        Page.objects.get(pk=page.pk), target=parent, pos="last-child", user=actor
    ).execute(skip_permission_checks=True)
    page = Page.objects.get(pk=page.pk).specific  # the move changed its path
    republished = []
    # Only those who may publish bring pages back live; for the others they return as drafts.
    if can_manage_knowledge(actor):
        again_live = (
            Page.objects.descendant_of(page, inclusive=True)
            .filter(pk__in=entry.live_page_ids)
            .order_by("path")
            .specific()
        )
        republished = [p.pk for p in again_live if _republish(p, actor)]
    entry.delete()
    log_audit_event(
        actor=actor,
        action="page.restore",
        obj=page,
        request=request,
        extra={"parent": parent.pk, "moved_home": moved_home, "republished": republished},
    )
    return RestoredPage(
        page=page,
        parent=parent,
        moved_home=moved_home,
        republished=republished,
    )


@transaction.atomic(durable=True)
def purge_page(*, actor, page, request=None) -> None:
    """Delete a trashed page and everything under it for good."""
    entry = TrashedPage.objects.select_for_update().filter(page_id=page.pk).first()
    if entry is None:
        raise PermissionDenied
    page = Page.objects.get(pk=page.pk).specific
    # actor None: the periodic purge of pages older than KB_TRASH_DAYS.
    if actor is not None and not (may_purge(actor) and can_edit_in_trash(actor, page)):
        raise PermissionDenied
    log_audit_event(
        actor=actor,
        action="page.purge",
        obj=page,
        request=request,
        extra={"title": page.title, "pages": page.get_descendant_count() + 1},
    )
    DeletePageAction(page, user=actor).execute(skip_permission_checks=True)


def purge_expired_pages() -> int:
    """Delete the pages that have been in the recycle bin longer than KB_TRASH_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.KB_TRASH_DAYS)
    count = 0
    for page_id in TrashedPage.objects.filter(trashed_at__lt=cutoff).values_list(
        "page_id", flat=True
    ):
        try:
            purge_page(actor=None, page=Page(pk=page_id))
        except (PermissionDenied, Page.DoesNotExist):  # restored or purged meanwhile
            continue
        count += 1
    return count


def list_trashed_pages_for_viewer(viewer) -> list[TrashedPage]:
    """Return the recycle bin entries `viewer` may see and restore, newest first."""
    entries = list(TrashedPage.objects.select_related("trashed_by").order_by("-trashed_at", "-pk"))
    pages = Page.objects.filter(pk__in=[entry.page_id for entry in entries]).specific().in_bulk()
    visible = []
    for entry in entries:
        entry.page = pages[entry.page_id]
        if can_edit_in_trash(viewer, entry.page):
            visible.append(entry)
    return visible


__all__ = [
    "RestoredPage",
    "can_trash_page",
    "in_recycle_bin",
    "list_trashed_pages_for_viewer",
    "may_trash_page",
    "purge_expired_pages",
    "purge_page",
    "recycle_bin",
    "restore_page",
    "trash_page",
]

"""Background work of the page recycle bin."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def purge_expired_pages_task() -> int:
    """Delete pages that have been in the recycle bin longer than KB_TRASH_DAYS; safe to repeat."""
    from kb.trash.actions import purge_expired_pages

    return purge_expired_pages()

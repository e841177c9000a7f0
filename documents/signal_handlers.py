from django.db import transaction
from django.db.models.signals import post_save


def reconcile_versions_after_save(sender, instance, created, update_fields=None, **kwargs):
    """After a document's file is saved by anyone, make sure it is in the version history."""
    if kwargs.get("raw") or not instance.file.name:
        return
    if update_fields is not None and "file" not in update_fields:
        return
    from documents.tasks import reconcile_document_versions_task

    pk = instance.pk
    transaction.on_commit(lambda: reconcile_document_versions_task.delay(pk))


def connect():
    from documents.models import KnowledgeDocument

    post_save.connect(
        reconcile_versions_after_save,
        sender=KnowledgeDocument,
        dispatch_uid="documents.reconcile_versions_after_save",
    )

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.documents.models import AbstractDocument, Document

from permissions.models import ProtectedContent


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXTRACTED = "extracted", _("Extracted")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    ENCRYPTED = "encrypted", _("Encrypted")


class KnowledgeDocument(ProtectedContent, ClusterableModel, AbstractDocument):
    """A document in the knowledge base: the file, what is known about it, and its text."""

    policy_owner_field = "uploaded_by_user"

    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "kb.CategoryPage",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    author = models.CharField(_("author"), max_length=255, blank=True)
    source_path = models.CharField(
        _("source path"),
        max_length=1024,
        blank=True,
        help_text=_("Where the file came from, e.g. its path in a bulk import."),
    )
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    mime_type = models.CharField(_("MIME type"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    extraction_status = models.CharField(
        _("extraction status"),
        max_length=20,
        choices=ExtractionStatus.choices,
        default=ExtractionStatus.PENDING,
        db_index=True,
    )
    extraction_error = models.TextField(_("extraction error"), blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    extraction_attempts = models.PositiveIntegerField(_("extraction attempts"), default=0)
    extracted_at = models.DateTimeField(_("extracted at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("moved to recycle bin at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved to recycle bin by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    admin_form_fields = Document.admin_form_fields + (
        "description",
        "category",
        "author",
        "confidentiality",
        "owning_departments",
        "allowed_groups",
        "allowed_users",
    )

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


def version_upload_to(instance, filename):
    # Wagtail's document field keeps its own "documents/" prefix; versions live beside it, one
    # folder per document, so a purge removes a document's files together.
    return f"documents/versions/{instance.document_id}/{filename}"


class DocumentVersion(models.Model):
    """One uploaded file of a document; the highest number is the current file."""

    document = models.ForeignKey(
        KnowledgeDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=500)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    mime_type = models.CharField(_("MIME type"), max_length=255, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    restored_from = models.PositiveIntegerField(_("restored from version"), null=True, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


from documents.import_models import ImportItem, ImportJob  # noqa: E402,F401

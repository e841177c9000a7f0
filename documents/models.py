from __future__ import annotations

from django.conf import settings
from django.db import models
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

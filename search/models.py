"""Search state kept in the database: the index outbox, the editable analysis vocabulary, the
query log. The index itself is derived from the database and can always be rebuilt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexOutbox(models.Model):
    """An object whose index entry is out of date: written in the same transaction as the change.

    A change while the row is being processed bumps `changed_at`, so the drain only deletes rows
    it has really caught up with (the dirty-flag pattern of saleor `checkout/tasks.py`).
    """

    model_label = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("object ID"), max_length=64)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)

    class Meta:
        verbose_name = _("index outbox entry")
        verbose_name_plural = _("index outbox entries")
        constraints = [
            models.UniqueConstraint(
                fields=["model_label", "object_id"], name="search_outbox_once_per_object"
            )
        ]
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="search_outbox_due")]

    def __str__(self):
        return f"{self.model_label}:{self.object_id}"


class SearchSynonym(models.Model):
    """A group of words that mean the same (发动机, 引擎); the first is the canonical one."""

    terms = models.CharField(
        _("words"),
        max_length=500,
        help_text=_(
            "Words with the same meaning, separated by commas; the first one is the main word."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]

    def __str__(self):
        return self.terms

    def words(self) -> list[str]:
        """Return the group's words, stripped, without empties, in their order."""
        import re

        return [w.strip() for w in re.split(r"[,，、;；\n]+", self.terms) if w.strip()]


class DictionaryWord(models.Model):
    """A domain word the segmenter must keep whole (产品型号, 专有名词)."""

    word = models.CharField(_("word"), max_length=60, unique=True)
    frequency = models.PositiveIntegerField(
        _("frequency"),
        null=True,
        blank=True,
        help_text=_("Optional weight for the segmenter; leave empty to let it choose."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")
        ordering = ["word"]

    def __str__(self):
        return self.word


class SearchScope(models.TextChoices):
    STAFF = "staff", _("Staff search")
    HELP_CENTRE = "help", _("Help centre")
    API = "api", _("API")


class SearchQueryLog(models.Model):
    """One search a user ran: what, by which kind of user, how many hits, what they clicked."""

    query_text = models.CharField(_("query"), max_length=200)
    normalized = models.CharField(_("normalised query"), max_length=200, db_index=True)
    scope = models.CharField(_("scope"), max_length=10, choices=SearchScope.choices)
    viewer_role = models.CharField(_("viewer role"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hits = models.PositiveIntegerField(_("hits"))
    created_at = models.DateTimeField(_("searched at"), default=timezone.now, db_index=True)
    clicked_key = models.CharField(_("clicked result"), max_length=100, blank=True)
    clicked_rank = models.PositiveIntegerField(_("clicked rank"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.query_text

"""Field values of structured items: JSON storage, form values, display text and search text.

`StructuredItemPage.data` keeps JSON-friendly values keyed by field key: text and choices as
strings, numbers as numbers, dates as ISO strings, document links as the document's pk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldKind(models.TextChoices):
    """The kinds of template field (kept here, not in the models, so forms can import it)."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    DOCUMENT = "document", _("Document link")


def to_json(kind: str, value):
    """Return the stored form of a cleaned form value, or None for an empty one."""
    if value is None or value == "":
        return None
    if kind == FieldKind.NUMBER:
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == FieldKind.DATE:
        return value.isoformat()
    if kind == FieldKind.DOCUMENT:
        return value.pk
    return str(value).strip() or None


def to_python(kind: str, stored):
    """Return the form value of a stored value; a value that no longer parses counts as empty."""
    if stored is None or stored == "":
        return None
    try:
        if kind == FieldKind.DATE:
            return date.fromisoformat(str(stored))
        if kind == FieldKind.NUMBER:
            return Decimal(str(stored))
        if kind == FieldKind.DOCUMENT:
            return int(stored)
    except (ValueError, ArithmeticError):
        return None
    return str(stored)


def format_number(value) -> str:
    """Return a number without a trailing ".0" or exponent: 12, 0.5, 1500000."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def text_value(kind: str, stored) -> str:
    """Return a stored value as plain text (for search and comparisons); documents give ''."""
    value = to_python(kind, stored)
    if value is None or kind == FieldKind.DOCUMENT:
        # A document's title is not copied into the item: the item may be public while the
        # document is not, and search would then find the item by the hidden title.
        return ""
    if kind == FieldKind.NUMBER:
        return format_number(value)
    if kind == FieldKind.DATE:
        return value.isoformat()
    return value


def data_text(template_fields, data: dict) -> str:
    """Return the values of `data` as plain text, one per line, in the template's field order."""
    lines = []
    for field in template_fields:
        text = text_value(field.kind, (data or {}).get(field.key))
        if text:
            lines.append(text)
    return "\n".join(lines)


def labelled_text(template_fields, data: dict) -> str:
    """Return "label: value" lines, documents by pk: the editor's view for revision compare."""
    lines = []
    for field in template_fields:
        stored = (data or {}).get(field.key)
        if stored in (None, ""):
            continue
        text = f"#{stored}" if field.kind == FieldKind.DOCUMENT else text_value(field.kind, stored)
        lines.append(f"{field.label}: {text}")
    return "\n".join(lines)


@dataclass(frozen=True)
class DisplayValue:
    """One field of an item as a reader sees it."""

    key: str
    label: str
    kind: str
    value: object  # str, Decimal, date, a document, or None when empty or hidden


def display_values(template_fields, data: dict, *, documents: dict) -> list[DisplayValue]:
    """Return each template field with its value; a document link only if it is in `documents`.

    `documents` maps pk to the documents the reader may see: build it with the policy.
    """
    values = []
    for field in template_fields:
        value = to_python(field.kind, (data or {}).get(field.key))
        if field.kind == FieldKind.DOCUMENT:
            value = documents.get(value)
        elif field.kind == FieldKind.NUMBER and value is not None:
            value = format_number(value)
        values.append(DisplayValue(field.key, field.label, field.kind, value))
    return values


def document_ids(template_fields, items_data) -> set[int]:
    """Return the pks of the documents linked from the document fields of several items."""
    keys = [field.key for field in template_fields if field.kind == FieldKind.DOCUMENT]
    pks = set()
    for data in items_data:
        for key in keys:
            pk = to_python(FieldKind.DOCUMENT, (data or {}).get(key))
            if pk is not None:
                pks.add(pk)
    return pks


def visible_documents(user, pks) -> dict:
    """Return {pk: document} for the documents among `pks` that the policy lets `user` see."""
    from documents.models import KnowledgeDocument
    from permissions.policy import visible_to

    if not pks:
        return {}
    return {
        document.pk: document
        for document in visible_to(user, KnowledgeDocument.objects.filter(pk__in=list(pks)))
    }

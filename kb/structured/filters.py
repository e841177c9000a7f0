"""The item list's filter form, built from a template's filterable fields."""

from __future__ import annotations

from django import forms
from django.db.models import Q, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from kb.structured.values import FieldKind, to_json

SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "updated": ("last_published_at", "pk"),
    "-updated": ("-last_published_at", "-pk"),
}
SORT_CHOICES = [
    ("title", _("Title (A–Z)")),
    ("-title", _("Title (Z–A)")),
    ("-updated", _("Recently updated")),
    ("updated", _("Least recently updated")),
]
FILTERABLE_KINDS = (FieldKind.TEXT, FieldKind.NUMBER, FieldKind.DATE, FieldKind.CHOICE)


def _name(key: str, part: str = "") -> str:
    # "f." keeps a field key such as "sort" or "page" apart from the list's own parameters, and a
    # dot cannot occur in a key (a slug), so "f.a.min" never collides with another key's name.
    return f"f.{key}.{part}" if part else f"f.{key}"


class ItemFilterForm(forms.Form):
    """Free text, one filter per filterable template field, and the sort order."""

    q = forms.CharField(label=_("Contains"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, data, *, template_fields):
        super().__init__(data)
        self.filter_fields = [
            f for f in template_fields if f.filterable and f.kind in FILTERABLE_KINDS
        ]
        # Added after `q` and `sort`, in the template's field order: the list shows them so.
        for field in self.filter_fields:
            self._add_fields(field)

    def _add_fields(self, field) -> None:
        label = field.label
        if field.kind == FieldKind.TEXT:
            self.fields[_name(field.key)] = forms.CharField(
                label=label, required=False, max_length=200
            )
        elif field.kind == FieldKind.CHOICE:
            choices = [("", _("Any")), *((c, c) for c in field.choice_list())]
            self.fields[_name(field.key)] = forms.ChoiceField(
                label=label, required=False, choices=choices
            )
        elif field.kind == FieldKind.NUMBER:
            self.fields[_name(field.key, "min")] = forms.DecimalField(
                label=_("%(label)s from") % {"label": label}, required=False
            )
            self.fields[_name(field.key, "max")] = forms.DecimalField(
                label=_("%(label)s to") % {"label": label}, required=False
            )
        else:
            date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[_name(field.key, "from")] = forms.DateField(
                label=_("%(label)s from") % {"label": label}, required=False, widget=date_input
            )
            self.fields[_name(field.key, "to")] = forms.DateField(
                label=_("%(label)s to") % {"label": label}, required=False, widget=date_input
            )

    def apply(self, items):
        """Return `items` filtered and ordered by the valid part of the submitted form."""
        self.is_valid()  # invalid inputs are dropped from cleaned_data and shown as errors
        data = getattr(self, "cleaned_data", {})
        query = data.get("q")
        if query:
            items = items.filter(
                Q(title__icontains=query)
                | Q(summary__icontains=query)
                | Q(data_text__icontains=query)
            )
        for number, field in enumerate(self.filter_fields):
            items = _filter_one(items, field, data, alias=f"kb_f{number}")
        return items.order_by(*SORTS.get(data.get("sort") or "title", SORTS["title"]))


def _filter_one(items, field, data, *, alias: str):
    key = field.key
    if field.kind in (FieldKind.TEXT, FieldKind.CHOICE):
        value = data.get(_name(key))
        if not value:
            return items
        lookup = "icontains" if field.kind == FieldKind.TEXT else "exact"
        return items.alias(**{alias: _text(key)}).filter(**{f"{alias}__{lookup}": value})
    if field.kind == FieldKind.NUMBER:
        low, high = data.get(_name(key, "min")), data.get(_name(key, "max"))
        expression = KeyTransform(key, "data")
    else:  # dates are ISO strings, which sort as text in date order
        low, high = data.get(_name(key, "from")), data.get(_name(key, "to"))
        expression = _text(key)
    # Compared in their stored form: numbers as JSON numbers, dates as ISO text.
    low, high = to_json(field.kind, low), to_json(field.kind, high)
    if low is None and high is None:
        return items
    items = items.alias(**{alias: expression})
    if low is not None:
        items = items.filter(**{f"{alias}__gte": low})
    if high is not None:
        items = items.filter(**{f"{alias}__lte": high})
    return items


def _text(key: str):
    # Key transforms rather than "data__<key>" lookups, since a key may itself contain "__"; cast
    # to text so that comparisons are plain text ones (KeyTextTransform's own exact and range
    # lookups compare JSON values).
    return Cast(KeyTextTransform(key, "data"), output_field=TextField())

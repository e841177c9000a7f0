"""The search form: the query string of /search/, the help centre and the JSON endpoints."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from search.records import RECORD_TYPES
from search.service import HELP_CENTRE_TYPES, MAX_QUERY_CHARS, SORTS, SearchFilters

SORT_LABELS = {
    "relevance": _("Relevance"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
}


class _IntList(forms.Field):
    """Several integer values of one parameter (?department=1&department=2); bad ones dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        out = []
        for item in values:
            try:
                number = int(item)
            except (TypeError, ValueError):
                continue
            if number > 0 and number not in out:
                out.append(number)
        return out[:20]


class _StrList(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return list(dict.fromkeys(v.strip()[:100] for v in values if v and v.strip()))[:20]


class SearchForm(forms.Form):
    """Read a search request; invalid filters are dropped, never a reason to show nothing."""

    # Not max_length: an over-long query is cut, not refused.
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    type = forms.MultipleChoiceField(label=_("Type"), required=False)
    department = _IntList(label=_("Department"), required=False)
    tag = _StrList(label=_("Tag"), required=False)
    customer = _IntList(label=_("Customer"), required=False)
    category = forms.IntegerField(label=_("Category"), required=False, min_value=1)
    date_from = forms.DateField(
        label=_("Updated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Updated until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data=None, *, scope: str = "staff", **kwargs):
        if data is not None and hasattr(data, "getlist"):
            # Multi-valued parameters must reach the list fields as lists.
            data = {
                name: data.getlist(name)
                if name in ("type", "department", "tag", "customer")
                else data.get(name)
                for name in data
            }
        super().__init__(data, **kwargs)
        self.scope = scope
        types = HELP_CENTRE_TYPES if scope == "help" else tuple(RECORD_TYPES)
        self.fields["type"].choices = [(key, RECORD_TYPES[key]) for key in types]
        self.fields["sort"].choices = [(key, SORT_LABELS[key]) for key in SORTS]

    def value(self, name, default=None):
        """Return a cleaned value, or `default` when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "", []) else value

    def full_clean(self):
        super().full_clean()
        # A bad parameter (a date like 2024-13-01, an unknown type) must not cancel the search:
        # keep what is valid and let the template show the error beside the field.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)
        if self.is_bound and self.cleaned_data.get("type") is None and "type" in self.errors:
            # An unknown type among valid ones: keep the valid ones.
            allowed = {key for key, _label in self.fields["type"].choices}
            raw = self.data.get("type") or []
            self.cleaned_data["type"] = [t for t in raw if t in allowed]

    @property
    def query(self) -> str:
        return self.value("q", "")[:MAX_QUERY_CHARS]

    @property
    def page_number(self) -> int:
        return self.value("page", 1)

    @property
    def sort_order(self) -> str:
        return self.value("sort", "relevance")

    def filters(self) -> SearchFilters:
        """Return the service filters the request asks for."""
        date_from, date_to = self.value("date_from"), self.value("date_to")
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        return SearchFilters(
            types=list(self.value("type", [])),
            category=self.value("category"),
            departments=list(self.value("department", [])) if self.scope != "help" else [],
            tags=list(self.value("tag", [])),
            customers=list(self.value("customer", [])) if self.scope != "help" else [],
            date_from=date_from,
            date_to=date_to,
        )

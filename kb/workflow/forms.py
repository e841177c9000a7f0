"""The edit form of every knowledge page: Wagtail's, plus a change note kept with the revision."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

CHANGE_NOTE_FIELD = "change_note"
CHANGE_NOTE_MAX_LENGTH = 500


class ChangeNoteWidget(forms.Textarea):
    """A textarea that draws its own label: no panel claims the field, so Wagtail renders only
    the widget, below the tabs and beside the save buttons (render_missing_fields)."""

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id", f"id_{name}")
        # Rendered in Python: Django's default form renderer does not search the project's
        # templates/ folder.
        return format_html(
            '<section class="w-panel kb-change-note"><div class="w-panel__content w-field__wrapper">'
            '<label class="w-field__label" for="{}">{}</label>'
            '<div class="w-field__help">{}</div><div class="w-field__input">{}</div>'
            "</div></section>",
            field_id,
            _("Change note"),
            _("Optional: what you changed and why. It is shown in the page history."),
            textarea,
        )


class KnowledgePageForm(WagtailAdminPageForm):
    """Add an optional change note (修改说明) to the page editor; kb.hooks.workflow stores it."""

    change_note = forms.CharField(
        label=_("Change note"),
        required=False,
        max_length=CHANGE_NOTE_MAX_LENGTH,
        widget=ChangeNoteWidget(attrs={"rows": 2, "id": "id_change_note"}),
    )

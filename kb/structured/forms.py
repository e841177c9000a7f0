"""Admin forms of structured knowledge: template definitions and items filled in from them.

kb.models.structured imports this module for `base_form_class`, so nothing here imports
kb.models (or anything that needs the app registry) at import time.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from kb.structured.values import FieldKind, to_json, to_python, visible_documents

# Wagtail's page CreateView builds the add form itself and passes it no request, only the user.
# The before_create_page hook (kb.hooks.structured), which does see the request and its
# ?template=<id>, hands the chosen template to the form through this variable, runs right before
# the form is built in the same request, and overwrites it before every add form of an item. The
# value carries the user's pk so that a value left behind in a reused thread can never reach
# another user's form, and the form takes it (resetting it) so it serves one form only. A
# submitted form does not need it: the template travels in the form's own hidden field.
_chosen_template: ContextVar[tuple[int, int] | None] = ContextVar(
    "kb_structured_chosen_template", default=None
)


def remember_chosen_template(user, template) -> None:
    """Hand `template` to the next item add form built for `user` in this request."""
    _chosen_template.set((user.pk, template.pk))


def _take_chosen_template(user) -> int | None:
    value = _chosen_template.get()
    _chosen_template.set(None)
    if value is None or user is None or value[0] != user.pk:
        return None
    return value[1]


@functools.cache
def _document_chooser_class():
    # Built on first use: Wagtail's chooser viewset needs the app registry, which is not ready
    # when the models import this module.
    from wagtail.documents.widgets import AdminDocumentChooser

    from permissions.policy import can_view

    class PolicyDocumentChooser(AdminDocumentChooser):
        """Wagtail's document chooser, showing a chosen document only to users who may see it.

        The stock widget loads any pk it is given to show its title, including a pk typed into
        a submitted form that is shown again with errors.
        """

        user = None

        def get_instance(self, value):
            instance = super().get_instance(value)
            if instance is None or not can_view(self.user, instance):
                return None
            return instance

    return PolicyDocumentChooser


def build_form_field(template_field, user) -> forms.Field:
    """Return the form field an author fills in for one template field."""
    from wagtail.admin.widgets import AdminDateInput

    options = {
        "label": template_field.label,
        "required": template_field.required,
        "help_text": template_field.help_text,
    }
    kind = template_field.kind
    if kind == FieldKind.NUMBER:
        return forms.DecimalField(**options)
    if kind == FieldKind.DATE:
        return forms.DateField(widget=AdminDateInput(), **options)
    if kind == FieldKind.CHOICE:
        choices = [(choice, choice) for choice in template_field.choice_list()]
        return forms.ChoiceField(choices=[("", "---------"), *choices], **options)
    if kind == FieldKind.DOCUMENT:
        from documents.models import KnowledgeDocument
        from permissions.policy import visible_to

        widget = _document_chooser_class()()
        widget.user = user
        return forms.ModelChoiceField(
            queryset=visible_to(user, KnowledgeDocument.objects.all()), widget=widget, **options
        )
    return forms.CharField(max_length=1000, **options)


class StructuredDataForm(forms.Form):
    """The template's fields as one small form, nested in the page form under the prefix "data".

    Nested rather than added to the page form's own fields: Wagtail renders every page form field
    that no panel declares as a bare input at the end of the form, and these fields cannot be
    declared by a panel because they differ per template.
    """

    prefix = "data"

    def __init__(self, data=None, *, template_fields, stored: dict, user):
        self.template_fields = list(template_fields)
        initial = {}
        # Document links the user may not see: not shown (not even their title), kept on save.
        self.kept_documents: dict[str, int] = {}
        for field in self.template_fields:
            value = to_python(field.kind, (stored or {}).get(field.key))
            linked = field.kind == FieldKind.DOCUMENT and value is not None
            if linked and not visible_documents(user, [value]):
                self.kept_documents[field.key] = value
                continue
            initial[field.key] = value
        super().__init__(data, initial=initial)
        self._deferred: list[str] = []
        for field in self.template_fields:
            self.fields[field.key] = build_form_field(field, user)
            if field.key in self.kept_documents:
                self.fields[field.key].required = False

    def defer_required(self) -> None:
        """Let a draft be saved with required values missing, as Wagtail does for page fields."""
        for name, field in self.fields.items():
            if field.required:
                field.required = False
                self._deferred.append(name)

    def restore_required(self) -> None:
        for name in self._deferred:
            self.fields[name].required = True
        self._deferred = []

    def merged_data(self, previous: dict) -> dict:
        """Return `previous` with the submitted values; keys of removed template fields are kept."""
        data = dict(previous or {})
        for field in self.template_fields:
            value = to_json(field.kind, self.cleaned_data.get(field.key))
            if value is None:
                value = self.kept_documents.get(field.key)
            if value is None:
                data.pop(field.key, None)
            else:
                data[field.key] = value
        return data


class StructuredItemForm(WagtailAdminPageForm):
    """The page editor's form of a structured item: the page fields plus the template's fields.

    The template is chosen before the form opens (see kb.hooks.structured) and fixed once the
    item exists.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kb.models.structured import KnowledgeTemplate

        self.is_new_item = self.instance.template_id is None
        template_field = self.fields.get("template")
        if self.is_new_item:
            self.knowledge_template = self._chosen_template(KnowledgeTemplate)
            if template_field is not None:
                template_field.queryset = KnowledgeTemplate.objects.filter(active=True)
                template_field.widget = forms.HiddenInput()
                if self.knowledge_template is not None:
                    self.initial["template"] = self.knowledge_template.pk
        else:
            self.knowledge_template = self.instance.template
            if template_field is not None:
                # Values are keyed by the template's field keys: another template would orphan
                # them. A disabled field ignores whatever is submitted for it.
                template_field.disabled = True
        self.structured_form = None
        if self.knowledge_template is not None:
            self.structured_form = StructuredDataForm(
                self.data if self.is_bound else None,
                template_fields=self.knowledge_template.fields.all(),
                stored=self.instance.data,
                user=self.for_user,
            )

    def _chosen_template(self, model):
        if self.is_bound:
            raw = str(self.data.get(self.add_prefix("template"), ""))
        else:
            raw = str(_take_chosen_template(self.for_user) or "")
        if not raw.isdigit():
            return None
        return model.objects.filter(active=True, pk=int(raw)).first()

    def is_valid(self):
        valid = super().is_valid()
        if self.structured_form is None:
            return valid  # no template: the template field carries the error
        return self.structured_form.is_valid() and valid

    def has_changed(self):
        return super().has_changed() or bool(
            self.structured_form is not None and self.structured_form.has_changed()
        )

    def defer_required_fields(self):
        super().defer_required_fields()
        if self.structured_form is not None:
            self.structured_form.defer_required()

    def restore_required_fields(self):
        super().restore_required_fields()
        if self.structured_form is not None:
            self.structured_form.restore_required()

    def save(self, commit=True):
        page = self.instance
        if self.structured_form is not None and self.structured_form.is_valid():
            page.data = self.structured_form.merged_data(page.data)
        page.refresh_data_text()
        return super().save(commit=commit)

    @property
    def media(self):
        media = super().media
        if self.structured_form is not None:
            media += self.structured_form.media
        return media


class KnowledgeTemplateForm(WagtailAdminModelForm):
    """The template snippet's form: field keys unique within the template, choices for choices."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("fields")
        if formset is None:
            return cleaned_data
        seen: set[str] = set()
        for form in formset.forms:
            # Each child form is validated on its own first, so that an error added here marks it
            # invalid before the formset's own (less clear) duplicate check looks at it.
            if not form.is_valid() or not form.cleaned_data:
                continue
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                continue
            key = form.cleaned_data.get("key")
            if key:
                if key.lower() in seen:
                    form.add_error(
                        "key",
                        _("Another field of this template already uses the key “%(key)s”.")
                        % {"key": key},
                    )
                seen.add(key.lower())
            # The child form's instance holds the cleaned values once the form is valid.
            if form.instance.kind == FieldKind.CHOICE and not form.instance.choice_list():
                form.add_error("choices", _("A choice field needs choices, one per line."))
        return cleaned_data

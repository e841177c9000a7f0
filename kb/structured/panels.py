"""The editor panel that shows a structured item's template and its fields."""

from __future__ import annotations

from wagtail.admin.compare import TextFieldComparison
from wagtail.admin.panels import Panel

from kb.structured.values import labelled_text


class StructuredDataComparison(TextFieldComparison):
    """Compare two revisions' field values as "label: value" lines."""

    def __init__(self, field, obj_a, obj_b):
        self.field = field
        self.val_a = _labelled(obj_a)
        self.val_b = _labelled(obj_b)


def _labelled(page) -> str:
    if page.template_id is None:
        return ""
    return labelled_text(page.template.fields.all(), page.data)


class StructuredFieldsPanel(Panel):
    """Render the item's template (fixed once created) and one input per template field.

    The field inputs belong to StructuredItemForm.structured_form, built per template; this panel
    declares only the model's `template` field to the form.
    """

    def get_form_options(self):
        return {"fields": ["template"]}

    class BoundPanel(Panel.BoundPanel):
        template_name = "kb/structured/fields_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["template_field"] = self.form["template"]
            context["knowledge_template"] = getattr(self.form, "knowledge_template", None)
            context["data_form"] = getattr(self.form, "structured_form", None)
            return context

        def get_comparison(self):
            data_field = self.panel.model._meta.get_field("data")
            return [lambda obj_a, obj_b: StructuredDataComparison(data_field, obj_a, obj_b)]

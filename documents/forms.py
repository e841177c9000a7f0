"""Forms of the staff document pages. They only collect input; documents.actions decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.actions import accepted_extensions
from documents.models import ExtractionStatus
from permissions.models import Confidentiality, Department
from permissions.policy import visible_to

# File types offered as a filter, by extension: what people call a file's type ("a Word file"),
# which the sniffed MIME type cannot say for WPS and other OLE formats.
FILE_TYPES = {
    "pdf": (_("PDF"), ("pdf",)),
    "word": (
        _("Word processing"),
        ("doc", "docx", "docm", "dot", "dotx", "wps", "wpt", "odt", "rtf"),
    ),
    "spreadsheet": (
        _("Spreadsheet"),
        ("xls", "xlsx", "xlsm", "xlt", "xltx", "et", "ett", "ods", "csv"),
    ),
    "presentation": (
        _("Presentation"),
        ("ppt", "pptx", "pptm", "pps", "ppsx", "dps", "dpt", "odp"),
    ),
    "image": (
        _("Image"),
        ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "heic", "svg"),
    ),
    "text": (_("Text"), ("txt", "text", "md", "markdown", "log", "html", "htm", "xml", "json")),
    "email": (_("E-mail"), ("eml", "msg")),
    "archive": (_("Archive"), ("zip", "7z", "rar", "gz", "tgz", "tar")),
    "other": (_("Other"), ()),
}


def _category_choices(user):
    from kb.models import CategoryPage

    return visible_to(user, CategoryPage.objects.all()).order_by("path")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth so the knowledge tree reads as a tree in a flat <select>.
        return "\u3000" * max(obj.depth - 3, 0) + obj.title


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    category = CategoryChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("All categories")
    )
    status = forms.ChoiceField(label=_("Extraction status"), required=False)
    type = forms.ChoiceField(label=_("File type"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _category_choices(user)
        self.fields["status"].choices = [("", _("All statuses")), *ExtractionStatus.choices]
        self.fields["type"].choices = [("", _("All types"))] + [
            (key, label) for key, (label, _extensions) in FILE_TYPES.items()
        ]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (Django docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, (list, tuple)):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


def upload_accept_attribute() -> str:
    """Return the `accept` attribute listing the accepted extensions, for the file chooser."""
    return ",".join(f".{ext}" for ext in sorted(accepted_extensions()))


class AudienceForm(forms.Form):
    """Who may see what the form creates: confidentiality and owning departments."""

    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=Confidentiality.choices,
        initial=Confidentiality.INTERNAL,
    )
    owning_departments = forms.ModelMultipleChoiceField(
        label=_("Owning departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Who may see a document of confidentiality “Department”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _category_choices(user)
        if not self.is_bound and user.is_authenticated:
            self.initial.setdefault(
                "owning_departments", list(user.departments.values_list("pk", flat=True))
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confidentiality") == Confidentiality.DEPARTMENT and not cleaned.get(
            "owning_departments"
        ):
            self.add_error(
                "owning_departments",
                _("Choose at least one department for a department-only document."),
            )
        return cleaned


class DocumentUploadForm(AudienceForm):
    files = MultipleFileField(label=_("Files"))
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        required=False,
        help_text=_("For a single file; several files are named after their file names."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("No category")
    )

    field_order = [
        "files",
        "title",
        "description",
        "category",
        "confidentiality",
        "owning_departments",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["files"].widget.attrs["accept"] = upload_accept_attribute()


class DocumentVersionForm(forms.Form):
    file = forms.FileField(label=_("New file"))
    comment = forms.CharField(
        label=_("What changed"), max_length=500, required=False, widget=forms.TextInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = upload_accept_attribute()


class DocumentPasswordForm(forms.Form):
    # render_value=False: a password is never sent back to the browser.
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

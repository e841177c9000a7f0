"""The zip import form. It only collects input; documents.importing.actions decides."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from documents.importing.actions import validate_zip_upload
from permissions.models import Confidentiality, Department
from permissions.policy import visible_to


class _CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth so the knowledge tree reads as a tree in a flat <select>.
        return "\u3000" * max(obj.depth - 3, 0) + obj.title


class ZipImportForm(forms.Form):
    archive = forms.FileField(
        label=_("Zip archive"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    category = _CategoryField(
        label=_("Import into category"),
        queryset=None,
        required=False,
        empty_label=_("Top level of the knowledge base"),
        help_text=_("Each folder of the archive becomes a category below this one."),
    )
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
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from kb.models import CategoryPage

        self.fields["category"].queryset = visible_to(user, CategoryPage.objects.all()).order_by(
            "path"
        )
        if not self.is_bound:
            self.initial["owning_departments"] = list(user.departments.all())
        self.fields["archive"].help_text = _("Up to %(limit)s MB.") % {
            "limit": settings.KB_MAX_UPLOAD_MB
        }

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        validate_zip_upload(archive)
        return archive

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confidentiality") == Confidentiality.DEPARTMENT and not cleaned.get(
            "owning_departments"
        ):
            raise ValidationError(
                {"owning_departments": _("Choose the departments that may see the documents.")}
            )
        return cleaned

"""The zip import form. It only collects input; documents.importing.actions decides."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.forms import AudienceForm, CategoryChoiceField
from documents.importing.actions import validate_zip_upload


class ZipImportForm(AudienceForm):
    archive = forms.FileField(
        label=_("Zip archive"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    category = CategoryChoiceField(
        label=_("Import into category"),
        queryset=None,
        required=False,
        empty_label=_("Top level of the knowledge base"),
        help_text=_("Each folder of the archive becomes a category below this one."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["archive"].help_text = _("Up to %(limit)s MB.") % {
            "limit": settings.KB_MAX_UPLOAD_MB
        }

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        validate_zip_upload(archive)
        return archive

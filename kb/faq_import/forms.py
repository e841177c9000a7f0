"""The FAQ import form. It only collects input; kb.faq_import.actions decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.forms import CategoryChoiceField
from kb.faq_import.parsing import MAX_FILE_MB
from kb.faq_import.validation import ImportOptions
from kb.models import CategoryPage
from permissions.models import Confidentiality, Department
from permissions.policy import visible_to


class FaqImportForm(forms.Form):
    file = forms.FileField(
        label=_("FAQ spreadsheet"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,.tsv,.txt,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            }
        ),
    )
    category = CategoryChoiceField(
        label=_("Import into category"),
        queryset=CategoryPage.objects.none(),
        required=False,
        empty_label=_("Top level of the knowledge base"),
        help_text=_("Category paths in the file (e.g. 售后政策/退换货) start below this category."),
    )
    create_categories = forms.BooleanField(
        label=_("Create missing categories"),
        required=False,
        help_text=_("Otherwise rows whose category does not exist are reported as errors."),
    )
    confidentiality = forms.ChoiceField(
        label=_("Default confidentiality"),
        # Customer content names its customers, which a spreadsheet row cannot.
        choices=[c for c in Confidentiality.choices if c[0] != Confidentiality.CUSTOMERS],
        initial=Confidentiality.PUBLIC,
        help_text=_("For rows whose confidentiality column is empty or missing."),
    )
    owning_departments = forms.ModelMultipleChoiceField(
        label=_("Default owning departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For rows whose department column is empty or missing."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = visible_to(user, CategoryPage.objects.all()).order_by(
            "path"
        )
        self.fields["file"].help_text = _(
            "An Excel workbook (.xlsx) or a CSV file of up to %(limit)s MB. The first row names "
            "the columns: 问题 (question), 答案 (answer), 分类 (category), 标签 (tags), "
            "其他问法 (alternatives), 适用产品 (products), 密级 (confidentiality), 部门 (department)."
        ) % {"limit": MAX_FILE_MB}
        if not self.is_bound and user.is_authenticated:
            self.initial.setdefault(
                "owning_departments", list(user.departments.values_list("pk", flat=True))
            )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_FILE_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s MB."),
                code="too_large",
                params={"limit": MAX_FILE_MB},
            )
        return uploaded

    def options(self) -> ImportOptions:
        """Return the chosen options as plain values, to keep with the stashed file."""
        data = self.cleaned_data
        return ImportOptions(
            category_id=data["category"].pk if data.get("category") else None,
            confidentiality=data["confidentiality"],
            department_ids=[department.pk for department in data["owning_departments"]],
            create_categories=data["create_categories"],
        )

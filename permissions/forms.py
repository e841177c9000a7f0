"""Admin forms of the permissions app: Wagtail's user forms with departments and position."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from permissions.models import Department

_EXTRA_FIELDS = {"departments", "position", "phone"}


def _departments_field():
    return forms.ModelMultipleChoiceField(
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Departments"),
        help_text=_("Department-level content is visible to staff of its owning departments."),
    )


class ZhikuUserCreationForm(UserCreationForm):
    departments = _departments_field()

    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | _EXTRA_FIELDS


class ZhikuUserEditForm(UserEditForm):
    departments = _departments_field()

    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | _EXTRA_FIELDS

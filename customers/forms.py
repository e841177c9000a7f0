"""Forms of the customer pages. Private fields appear only on forms for those who may read them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import PRIVATE_FIELDS, Contact, Customer, Interaction
from permissions.roles import STAFF_ROLES, users_in_roles

PROFILE = [
    "kind",
    "name",
    "code",
    "customer_type",
    "industry",
    "region",
    "source",
    "grade",
    "phone",
    "email",
]


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = PROFILE + list(PRIVATE_FIELDS)
        widgets = {
            "family_notes": forms.Textarea(attrs={"rows": 3}),
            "preferences": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, private: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not private:
            for name in PRIVATE_FIELDS:
                del self.fields[name]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "wechat", "is_primary"]


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["occurred_at", "contact", "channel", "place", "content", "result", "next_step"]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "content": forms.Textarea(attrs={"rows": 4}),
            "result": forms.Textarea(attrs={"rows": 2}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ManagerForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("New account manager"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = users_in_roles(STAFF_ROLES)

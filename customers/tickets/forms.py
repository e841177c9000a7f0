"""Forms of the agent console. Choices of customers, agents and categories come from the policy."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Contact, Customer
from customers.tickets.models import (
    AgentGroup,
    TicketCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
)
from permissions.policy import SERVICE_ROLES, visible_to
from permissions.roles import users_in_roles


def service_staff():
    return users_in_roles(SERVICE_ROLES)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the Django documentation's recipe:
    https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/#uploading-multiple-files)."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def attachments_field():
    """A file input for several files; the view reads request.FILES.getlist("attachments")."""
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
    )


class TicketCreateForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=TicketChannel.choices, initial=TicketChannel.PHONE
    )
    attachments = attachments_field()

    def __init__(self, *args, user, **kwargs):
        from kb.models import Product

        super().__init__(*args, **kwargs)
        customers = visible_to(user, Customer.objects.all())
        self.fields["customer"].queryset = customers.order_by("name")
        self.fields["contact"].queryset = visible_to(
            user, Contact.objects.filter(customer__in=customers)
        ).select_related("customer")
        self.fields["contact"].label_from_instance = lambda c: f"{c.name}（{c.customer.name}）"
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name")

    def clean(self):
        data = super().clean()
        contact, customer = data.get("contact"), data.get("customer")
        if contact and customer and contact.customer_id != customer.pk:
            self.add_error("contact", _("The contact belongs to another customer."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}))
    internal = forms.BooleanField(
        label=_("Internal note (not shown to the customer)"), required=False
    )
    template = forms.IntegerField(required=False, widget=forms.HiddenInput)
    resolve = forms.BooleanField(label=_("Resolve after sending"), required=False)
    attachments = attachments_field()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=AgentGroup.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = service_staff()


class FollowUpForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CaptureForm(forms.Form):
    kind = forms.ChoiceField(choices=[("case", _("Case history")), ("faq", _("FAQ"))])
    category = forms.IntegerField(label=_("Category"))

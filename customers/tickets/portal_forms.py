"""Forms of the customer's side of tickets: the help centre's contact form and the portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.tickets.forms import attachments_field
from customers.tickets.models import TicketCategory

QUESTION_MAX = 500
DETAILS_MAX = 5000
COMMENT_MAX = 2000
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
# What a customer may file; the agent console offers the same list.
PORTAL_CATEGORIES = TicketCategory.choices


class _CustomerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _add_customer_field(form, customers) -> None:
    """Offer a choice of account only to users who log in for more than one customer."""
    if customers is not None and customers.count() > 1:
        form.fields["customer"] = _CustomerChoice(
            label=_("Customer account"), queryset=customers.order_by("name")
        )


def chosen_customer(form, customers):
    """Return the account the form chose, or the only one the user has."""
    if "customer" in form.fields:
        return form.cleaned_data["customer"]
    return customers.order_by("name").first() if customers is not None else None


class ContactForm(forms.Form):
    """The help centre's question; with the visitor's details when nobody is logged in.

    `website` is a honeypot: hidden from people by CSS and `aria-hidden`, filled in by bots.
    """

    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    details = forms.CharField(
        label=_("More details (optional)"),
        max_length=DETAILS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    category = forms.ChoiceField(
        label=_("Kind of request"),
        choices=PORTAL_CATEGORIES,
        initial=TicketCategory.QUESTION,
        required=False,
    )
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=50)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, customers=None, anonymous: bool = True, require_contact=True, **kw):
        super().__init__(*args, **kw)
        self.anonymous = anonymous
        if not anonymous:
            for name in ("name", "email", "phone"):
                del self.fields[name]
            _add_customer_field(self, customers)
        elif not require_contact:
            # Finding answers needs only the question; the details are asked for a ticket.
            for name in ("name", "email", "phone"):
                self.fields[name].required = False

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def clean_question(self):
        return " ".join(self.cleaned_data["question"].split())

    def clean_category(self):
        return self.cleaned_data.get("category") or TicketCategory.QUESTION


class DeflectForm(forms.Form):
    """ "This answered my question": the question and the FAQ that answered it."""

    question = forms.CharField(max_length=QUESTION_MAX, required=False)
    faq = forms.IntegerField(min_value=1)
    website = forms.CharField(required=False)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class PortalTicketForm(forms.Form):
    """A new ticket from the customer portal."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        max_length=DETAILS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(
        label=_("Kind of request"), choices=PORTAL_CATEGORIES, initial=TicketCategory.QUESTION
    )
    attachments = attachments_field()

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _add_customer_field(self, customers)
        if "customer" in self.fields:
            self.order_fields(["customer", "subject", "description", "category"])


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=DETAILS_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = attachments_field()


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with our service?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = very dissatisfied, 5 = very satisfied"),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

"""Customer pages for staff: the list, the customer 360 view and the forms that change a customer.

Private fields are read only through `private_fields_for_viewer` (audited); writes call actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reversion.models import Version

from customers import actions
from customers.access import (
    access_customer_by_id,
    list_customers_for_viewer,
    private_fields_for_viewer,
)
from customers.forms import PROFILE, ContactForm, CustomerForm, InteractionForm, ManagerForm
from customers.models import PRIVATE_FIELDS, AccountManagerChange, CustomerGrade, Interaction
from permissions.access import ItemNotFound
from permissions.policy import (
    can_assign_account_manager,
    can_change_customer,
    can_see_customer_private,
    is_internal,
    visible_pages,
    visible_to,
)

CUSTOMERS_PER_PAGE = 50


def _staff_customer(request, pk):
    """Customer pages are for staff; portal users see their account in the portal."""
    if not is_internal(request.user):
        raise ItemNotFound()
    return access_customer_by_id(request.user, pk)


def _show_errors(request, error) -> None:
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


@login_required
def customer_list(request):
    """List the customers the user may see, by name, number, industry or contact; by grade."""
    if not is_internal(request.user):
        raise ItemNotFound()
    query = request.GET.get("q", "").strip()
    grade = request.GET.get("grade", "")
    grade = grade if grade in CustomerGrade.values else ""
    customers = list_customers_for_viewer(request.user, query=query, grade=grade)
    page = Paginator(customers.order_by("code"), CUSTOMERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "customers/customer_list.html",
        {
            "page_obj": page,
            "customers": page.object_list,
            "q": query,
            "grade": grade,
            "grades": CustomerGrade.choices,
        },
    )


@login_required
def customer_detail(request, pk):
    """The customer 360 view: profile, contacts, interactions, tickets, cases, documents."""
    from customers.tickets.models import Ticket
    from customers.tickets.models.tickets import ACTIVE_STATUSES
    from documents.models import KnowledgeDocument
    from kb.models import CaseHistoryPage

    user = request.user
    customer = _staff_customer(request, pk)
    private = private_fields_for_viewer(user, customer, surface="customer_page", request=request)
    tickets = (
        visible_to(user, Ticket.objects.filter(customer=customer))
        .select_related("assignee")
        .order_by("-created_at")
    )
    documents = visible_to(
        user, KnowledgeDocument.objects.filter(allowed_customers=customer)
    ).order_by("-created_at")[:20]
    context = {
        "customer": customer,
        "private": [
            (customer._meta.get_field(name).verbose_name, value) for name, value in private.items()
        ]
        if private is not None
        else None,
        "contacts": visible_to(user, customer.contacts.all()),
        "interactions": visible_to(
            user, Interaction.objects.filter(customer=customer)
        ).select_related("contact", "recorded_by", "closed_by"),
        "tickets": tickets[:20],
        "ticket_count": tickets.count(),
        "open_ticket_count": tickets.filter(status__in=ACTIVE_STATUSES).count(),
        "cases": visible_pages(user, CaseHistoryPage.objects.filter(customer=customer)),
        "documents": documents,
        "products": customer.products.order_by("name"),
        "manager_history": visible_to(
            user, AccountManagerChange.objects.filter(customer=customer)
        ).select_related("manager", "changed_by"),
        # Who changed what when; the stored versions themselves hold private values, so only
        # their date, author and comment are shown.
        "revisions": [
            version.revision
            for version in Version.objects.get_for_object(customer).select_related(
                "revision", "revision__user"
            )[:20]
        ],
        "may_change": can_change_customer(user, customer),
        "may_assign": can_assign_account_manager(user),
        "manager_form": ManagerForm(),
    }
    return render(request, "customers/customer_detail.html", context)


@login_required
def customer_new(request):
    if not is_internal(request.user):
        raise ItemNotFound()
    form = CustomerForm(request.POST or None, private=True)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            customer = actions.create_customer(actor=request.user, request=request, **fields)
        except (PermissionDenied, ValidationError) as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, pk):
    customer = _staff_customer(request, pk)
    if not can_change_customer(request.user, customer):
        raise PermissionDenied
    private = can_see_customer_private(request.user, customer)
    form = CustomerForm(request.POST or None, instance=customer, private=private)
    if request.method == "POST" and form.is_valid():
        names = PROFILE + (list(PRIVATE_FIELDS) if private else [])
        changes = {name: form.cleaned_data[name] for name in names}
        try:
            actions.update_customer(
                actor=request.user, customer=customer, changes=changes, request=request
            )
        except (PermissionDenied, ValidationError) as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", customer.pk)
    elif request.method == "GET" and private:
        # Showing the form shows the private values: audited like the page.
        private_fields_for_viewer(request.user, customer, surface="customer_form", request=request)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_manager(request, pk):
    customer = _staff_customer(request, pk)
    form = ManagerForm(request.POST)
    if form.is_valid():
        try:
            actions.assign_account_manager(
                actor=request.user,
                customer=customer,
                manager=form.cleaned_data["manager"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except (PermissionDenied, ValidationError) as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Account manager changed."))
    return redirect("customers:detail", customer.pk)


@login_required
def contact_edit(request, pk, contact_pk=None):
    customer = _staff_customer(request, pk)
    if not can_change_customer(request.user, customer):
        raise PermissionDenied
    contact = None
    if contact_pk is not None:
        contact = customer.contacts.filter(pk=contact_pk).first()
        if contact is None:
            raise ItemNotFound()
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_contact(
                actor=request.user,
                customer=customer,
                contact=contact,
                request=request,
                **form.cleaned_data,
            )
        except (PermissionDenied, ValidationError) as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:detail", customer.pk)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@login_required
def interaction_edit(request, pk, interaction_pk=None):
    customer = _staff_customer(request, pk)
    if not can_change_customer(request.user, customer):
        raise PermissionDenied
    interaction = None
    if interaction_pk is not None:
        interaction = visible_to(
            request.user, Interaction.objects.filter(customer=customer, pk=interaction_pk)
        ).first()
        if interaction is None:
            raise ItemNotFound()
    locked = interaction is not None and interaction.is_locked
    form = InteractionForm(request.POST or None, instance=interaction, customer=customer)
    if locked:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not locked and form.is_valid():
        try:
            actions.save_interaction(
                actor=request.user,
                customer=customer,
                interaction=interaction,
                request=request,
                **form.cleaned_data,
            )
        except (PermissionDenied, ValidationError) as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Interaction record saved."))
            return redirect("customers:detail", customer.pk)
    elif request.method == "POST" and locked:
        messages.error(
            request, _("This interaction record is closed and can no longer be changed.")
        )
    return render(
        request,
        "customers/interaction_form.html",
        {"form": form, "customer": customer, "interaction": interaction, "locked": locked},
    )


@login_required
@require_POST
def interaction_close(request, pk, interaction_pk):
    customer = _staff_customer(request, pk)
    interaction = visible_to(
        request.user, Interaction.objects.filter(customer=customer, pk=interaction_pk)
    ).first()
    if interaction is None:
        raise ItemNotFound()
    try:
        actions.close_interaction(actor=request.user, interaction=interaction, request=request)
    except (PermissionDenied, ValidationError) as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Interaction record closed; it can no longer be changed."))
    return redirect("customers:detail", customer.pk)

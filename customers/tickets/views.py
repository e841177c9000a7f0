"""The agent console: ticket queue, new ticket, ticket page with suggested answers, replies,
status, assignment, follow-up and knowledge capture. Every write calls an action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.tickets import actions, knowledge
from customers.tickets.access import (
    access_staff_ticket_by_id,
    list_tickets_for_viewer,
    timeline_for_viewer,
)
from customers.tickets.attachments import store_attachments
from customers.tickets.forms import (
    AssignForm,
    CaptureForm,
    FollowUpForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TicketCreateForm,
)
from customers.tickets.models import (
    Satisfaction,
    SatisfactionVia,
    TicketCategory,
    TicketNotice,
    TicketPriority,
    TicketStatus,
)
from customers.tickets.models.tickets import ACTIVE_STATUSES
from permissions.access import ItemNotFound
from permissions.policy import is_internal, is_service_staff

TICKETS_PER_PAGE = 50


def _staff_only(user) -> None:
    if not is_internal(user):
        raise ItemNotFound()


def _errors(request, error) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("You may not do that."))


@login_required
@require_GET
def queue(request):
    """List the tickets the user may see: filters by status, mine, category, priority, overdue.

    Customers have their own list in the portal."""
    if not is_internal(request.user):
        return redirect("portal_tickets:list")
    tickets = list_tickets_for_viewer(request.user)
    params = request.GET
    status = params.get("status", "")
    if status == "active":
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    elif status in TicketStatus.values:
        tickets = tickets.filter(status=status)
    else:
        status = ""
    if params.get("mine"):
        tickets = tickets.filter(assignee=request.user)
    category = params.get("category", "")
    if category in TicketCategory.values:
        tickets = tickets.filter(category=category)
    priority = params.get("priority", "")
    if priority in TicketPriority.values:
        tickets = tickets.filter(priority=priority)
    if params.get("overdue"):
        now = timezone.now()
        tickets = tickets.filter(status__in=ACTIVE_STATUSES).filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(resolution_due__lt=now)
        )
    text = params.get("q", "").strip()
    if text:
        tickets = tickets.filter(
            Q(number__icontains=text)
            | Q(subject__icontains=text)
            | Q(customer__name__icontains=text)
        )
    tickets = tickets.select_related("customer", "assignee", "group").order_by("-created_at", "-pk")
    page = Paginator(tickets, TICKETS_PER_PAGE).get_page(params.get("page"))
    notices = TicketNotice.objects.filter(recipient=request.user, read_at__isnull=True)
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page_obj": page,
            "tickets": page.object_list,
            "status": status,
            "statuses": [("active", _("Active")), *TicketStatus.choices],
            "categories": TicketCategory.choices,
            "priorities": TicketPriority.choices,
            "category": category,
            "priority": priority,
            "mine": bool(params.get("mine")),
            "overdue": bool(params.get("overdue")),
            "q": text,
            "now": timezone.now(),
            "may_create": is_service_staff(request.user),
            "unread_notices": notices.count(),
        },
    )


@login_required
def new_ticket(request):
    """Take a call or a visit: open a ticket for a customer."""
    if not is_service_staff(request.user):
        raise ItemNotFound()
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    form = TicketCreateForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            files = store_attachments(
                actor=request.user,
                customer=data["customer"],
                files=request.FILES.getlist("attachments"),
                request=request,
            )
            ticket = actions.create_ticket(
                actor=request.user,
                attachments=files,
                customer=data["customer"],
                contact=data["contact"],
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                product=data["product"],
                priority=data["priority"],
                channel=data["channel"],
                request=request,
            )
        except (PermissionDenied, ValidationError) as error:
            _errors(request, error)
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("tickets:detail", ticket.pk)
    return render(request, "tickets/ticket_new.html", {"form": form})


def _category_choices(user):
    from kb.models import CategoryPage
    from permissions.policy import visible_pages

    categories = visible_pages(user, CategoryPage.objects.all()).order_by("path")
    return [(c.pk, "　" * max(0, c.depth - 3) + c.title) for c in categories]


@login_required
@require_GET
def detail(request, pk):
    """Show a ticket with its timeline, suggested answers and the forms to work on it.

    A customer who follows a link here (a search result) is sent to the ticket in the portal,
    where the same guard decides."""
    if not is_internal(request.user):
        return redirect("portal_tickets:detail", pk)
    ticket = access_staff_ticket_by_id(request.user, pk)
    worker = actions.can_work_ticket(request.user, ticket)
    query = request.GET.get("suggest", "").strip()
    suggestions = knowledge.suggestions_for_ticket(request.user, ticket, query=query)
    for hit in suggestions.hits:
        label, _sep, key_pk = hit.key.rpartition(":")
        hit.faq_pk = int(key_pk) if label == "kb.faqpage" and key_pk.isdigit() else None
    templates = (
        knowledge.templates_for_viewer(request.user, category=ticket.category) if worker else []
    )
    satisfaction = Satisfaction.objects.filter(ticket=ticket).first()
    from kb.models import CaseHistoryPage
    from permissions.policy import visible_pages

    cases = visible_pages(request.user, CaseHistoryPage.objects.filter(tickets=ticket))
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "timeline": timeline_for_viewer(request.user, ticket),
            "worker": worker,
            "suggestions": suggestions,
            "suggest_query": query or knowledge.suggestion_query(ticket),
            "templates": templates,
            "reply_form": ReplyForm(),
            "status_form": StatusForm(initial={"status": ticket.status}),
            "priority_form": PriorityForm(initial={"priority": ticket.priority}),
            "assign_form": AssignForm(
                initial={"assignee": ticket.assignee_id, "group": ticket.group_id}
            ),
            "followup_form": FollowUpForm(),
            "allowed_statuses": [
                (value, label) for value, label in TicketStatus.choices if ticket.may_become(value)
            ],
            "satisfaction": satisfaction,
            "cases": cases,
            "capture_categories": _category_choices(request.user) if worker else [],
            "resolved": ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED),
            "now": timezone.now(),
        },
    )


def _template_or_none(request, value):
    if not value:
        return None
    allowed = {t.pk: t for t in knowledge.templates_for_viewer(request.user)}
    return allowed.get(value)


@login_required
@require_POST
def reply(request, pk):
    ticket = access_staff_ticket_by_id(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("tickets:detail", ticket.pk)
    data = form.cleaned_data
    try:
        files = store_attachments(
            actor=request.user,
            customer=ticket.customer,
            files=request.FILES.getlist("attachments"),
            request=request,
        )
        actions.reply_to_ticket(
            actor=request.user,
            ticket=ticket,
            body=data["body"],
            internal=data["internal"],
            template=_template_or_none(request, data["template"]),
            attachments=files,
            request=request,
        )
        if data["resolve"] and not data["internal"]:
            actions.change_ticket_status(
                actor=request.user, ticket=ticket, status=TicketStatus.RESOLVED, request=request
            )
    except (PermissionDenied, ValidationError) as error:
        _errors(request, error)
    else:
        messages.success(request, _("Note added.") if data["internal"] else _("Reply sent."))
    return redirect("tickets:detail", ticket.pk)


def _form_action(form_class, action):
    """A POST view: validate `form_class`, call `action(actor=, ticket=, request=, **data)`,
    show its refusal as a message, and go back to the ticket."""

    @login_required
    @require_POST
    def view(request, pk):
        ticket = access_staff_ticket_by_id(request.user, pk)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                action(actor=request.user, ticket=ticket, request=request, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                _errors(request, error)
        return redirect("tickets:detail", ticket.pk)

    view.__doc__ = action.__doc__
    return view


change_status = _form_action(StatusForm, actions.change_ticket_status)
change_priority = _form_action(PriorityForm, actions.change_ticket_priority)
assign = _form_action(AssignForm, actions.assign_ticket)


@login_required
@require_POST
def follow_up(request, pk):
    """Record a phone follow-up (回访) rating for a resolved ticket."""
    ticket = access_staff_ticket_by_id(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rating from 1 to 5."))
        return redirect("tickets:detail", ticket.pk)
    try:
        satisfaction = actions.request_follow_up(actor=request.user, ticket=ticket, request=request)
        actions.rate_ticket(
            satisfaction=satisfaction,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            via=SatisfactionVia.PHONE,
            actor=request.user,
            request=request,
        )
    except (PermissionDenied, ValidationError) as error:
        _errors(request, error)
    else:
        messages.success(request, _("Follow-up recorded."))
    return redirect("tickets:detail", ticket.pk)


@login_required
@require_POST
def capture(request, pk):
    """Turn a resolved ticket into a case-history or FAQ draft and open it in the editor."""
    ticket = access_staff_ticket_by_id(request.user, pk)
    form = CaptureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category for the draft."))
        return redirect("tickets:detail", ticket.pk)
    draft = (
        knowledge.draft_case_from_ticket
        if form.cleaned_data["kind"] == "case"
        else knowledge.draft_faq_from_ticket
    )
    try:
        page = draft(
            actor=request.user, ticket=ticket, parent=form.cleaned_data["category"], request=request
        )
    except (PermissionDenied, ValidationError) as error:
        _errors(request, error)
        return redirect("tickets:detail", ticket.pk)
    messages.success(request, _("Draft created and submitted for review."))
    return redirect("wagtailadmin_pages:edit", page.pk)


@login_required
@require_POST
def template_from_faq(request, pk):
    """Keep a suggested FAQ's answer as a reply template and return its text for the reply box."""
    from kb.models import FAQPage
    from permissions.access import access_item_by_id

    ticket = access_staff_ticket_by_id(request.user, pk)
    if not actions.can_work_ticket(request.user, ticket):
        raise ItemNotFound()
    faq = access_item_by_id(request.user, FAQPage, request.POST.get("faq"))
    try:
        template = knowledge.template_from_faq(actor=request.user, faq=faq, request=request)
    except (PermissionDenied, ValidationError) as error:
        return JsonResponse(
            {"error": " ".join(getattr(error, "messages", [str(error)]))}, status=400
        )
    return JsonResponse({"id": template.pk, "title": template.title, "body": template.body})


@login_required
@require_GET
def template_text(request, pk):
    """Return a reply template's text (JSON) for the reply box, if the viewer may use it."""
    _staff_only(request.user)
    allowed = {t.pk: t for t in knowledge.templates_for_viewer(request.user)}
    template = allowed.get(pk)
    if template is None:
        raise ItemNotFound()
    return JsonResponse({"id": template.pk, "title": template.title, "body": template.body})


@login_required
def notices(request):
    """The user's ticket notices (assigned, SLA warnings, escalations); POST marks them read."""
    _staff_only(request.user)
    mine = TicketNotice.objects.filter(recipient=request.user).select_related("ticket")
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("tickets:notices")
    from permissions.policy import can_view

    visible = [notice for notice in mine[:100] if can_view(request.user, notice.ticket)]
    return render(request, "tickets/notices.html", {"notices": visible})

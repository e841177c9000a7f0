"""The customer's side of tickets: the help centre's contact form with FAQ deflection, the
customer portal's tickets, the satisfaction rating link and their JSON endpoints.

Every write calls an action (`customers.tickets.actions`); every ticket is loaded through
`access_portal_ticket_by_id`, which gives the same 404 for a missing ticket, a ticket the policy
hides and a ticket of a customer the user is not a portal user of (staff work tickets in the
agent console, not here). Timelines shown here hold public replies and public events only.
"""

from __future__ import annotations

import html
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from customers.models import Contact, Customer
from customers.tickets import actions
from customers.tickets.attachments import store_attachments
from customers.tickets.models import (
    ContactAttempt,
    ContactOutcome,
    Satisfaction,
    SatisfactionVia,
    Ticket,
    TicketChannel,
    TicketEventKind,
    TicketReply,
    TicketStatus,
)
from customers.tickets.models.tickets import ACTIVE_STATUSES
from customers.tickets.portal_forms import (
    QUESTION_MAX,
    ContactForm,
    DeflectForm,
    PortalReplyForm,
    PortalTicketForm,
    RatingForm,
    chosen_customer,
)
from permissions.access import ItemNotFound, access_item_by_id, access_page_by_id
from permissions.models import Confidentiality
from permissions.policy import visible_to
from search import service
from search.records import split_key
from search.service import SearchFilters

logger = logging.getLogger(__name__)

TICKETS_PER_PAGE = 25
API_PAGE_SIZE = 50
SUGGESTION_LIMIT = 5
SUGGEST_MIN_CHARS = 2
PUBLISHED_LIMIT = 20
SESSION_ATTEMPT = "help_contact_attempt"
RATABLE_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
# The reply itself stands for its timeline event; notes are internal anyway.
_EVENTS_SHOWN_AS_REPLIES = (TicketEventKind.REPLY, TicketEventKind.NOTE)


# --- selectors and guards --------------------------------------------------------------------


def portal_customers_for_viewer(viewer):
    """Return the customer accounts `viewer` logs in to the portal for."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return Customer.objects.none()
    return visible_to(viewer, Customer.objects.filter(portal_users=viewer))


def access_portal_ticket_by_id(viewer, pk) -> Ticket:
    """Return ticket `pk` if `viewer` is a portal user of its customer; raise ItemNotFound
    otherwise, alike for missing, hidden and other customers' tickets."""
    ticket = access_item_by_id(viewer, Ticket, pk)
    if not (
        viewer.is_authenticated
        and viewer.is_active
        and ticket.customer.portal_users.filter(pk=viewer.pk).exists()
    ):
        raise ItemNotFound(_("No such item."))
    return ticket


def list_portal_tickets_for_viewer(viewer):
    """Return the tickets of the viewer's own customer accounts."""
    return (
        visible_to(viewer, Ticket.objects.filter(customer__in=portal_customers_for_viewer(viewer)))
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )


def public_timeline(viewer, ticket) -> list[dict]:
    """Return the ticket's public replies and public events in time order (never internal)."""
    replies = visible_to(viewer, TicketReply.objects.filter(ticket=ticket, internal=False))
    events = ticket.events.filter(internal=False).exclude(kind__in=_EVENTS_SHOWN_AS_REPLIES)
    entries = [
        {
            "kind": "reply",
            "at": reply.created_at,
            "reply": reply,
            "author": _reply_author(reply),
            "from_customer": reply.from_customer,
        }
        for reply in replies.select_related("author")
    ]
    entries += [{"kind": "event", "at": event.created_at, "event": event} for event in events]
    return sorted(entries, key=lambda entry: (entry["at"], entry["kind"] == "reply"))


def _reply_author(reply) -> str:
    # Staff are "customer service" to the customer: their names and usernames stay inside.
    if not reply.from_customer:
        return _("Customer service")
    if reply.author is not None:
        return reply.author.get_full_name() or reply.author.get_username()
    return reply.author_label or _("You")


def published_for_company(viewer, customers, *, limit: int = PUBLISHED_LIMIT) -> list:
    """Return the FAQs, articles and case histories published for the viewer's companies only
    (confidentiality "customers", the company among the allowed customers), newest first."""
    from kb.models import ArticlePage, CaseHistoryPage, FAQPage

    ids = list(customers.values_list("pk", flat=True))
    if not ids:
        return []
    pages = []
    for model in (FAQPage, ArticlePage, CaseHistoryPage):
        queryset = model.objects.filter(
            confidentiality=Confidentiality.CUSTOMERS, allowed_customers__in=ids
        ).distinct()
        for page in visible_to(viewer, queryset).order_by("-last_published_at")[:limit]:
            page.portal_type_label = model._meta.verbose_name
            pages.append(page)
    pages.sort(key=lambda page: (page.last_published_at is not None, page.last_published_at))
    return list(reversed(pages))[:limit]


def suggest_faqs(viewer, text: str, *, limit: int = SUGGESTION_LIMIT) -> list[dict]:
    """Return help-centre FAQs matching `text` that `viewer` may see: id, title, url, snippet.

    The help-centre search trims by the viewer's audience inside the engine (the public only for
    visitors; a customer's own content too for its portal users). Keystrokes are not logged.
    """
    text = (text or "").strip()[:QUESTION_MAX]
    if len(text) < SUGGEST_MIN_CHARS:
        return []
    try:
        results = service.search(
            text,
            viewer=viewer,
            scope="help",
            filters=SearchFilters(types=["faq"]),
            facets=(),
            page_size=limit,
        )
    except Exception:
        logger.exception("contact form suggestions failed")
        return []
    suggestions = []
    for hit in results.hits:
        _label, pk = split_key(hit.key)
        try:
            page_id = int(pk)
        except ValueError:
            continue
        suggestions.append(
            {
                "id": page_id,
                "title": hit.title,
                "url": hit.url,
                # Plain text: the page and the script insert it as text, never as HTML.
                "snippet": html.unescape(strip_tags(str(hit.snippet))),
            }
        )
    return suggestions


# --- contact attempts ----------------------------------------------------------------------


def _current_attempt(request) -> ContactAttempt:
    """Return this browser's open contact attempt (kept in its session), or a new one."""
    pk = request.session.get(SESSION_ATTEMPT)
    attempt = None
    if pk:
        attempt = ContactAttempt.objects.filter(
            pk=pk, outcome=ContactOutcome.ABANDONED, ticket__isnull=True
        ).first()
    if attempt is None:
        attempt = ContactAttempt(outcome=ContactOutcome.ABANDONED)
    if request.user.is_authenticated:
        attempt.user = request.user
    return attempt


def _save_attempt(request, attempt, *, text: str, suggested: list[int], outcome: str, **fields):
    attempt = actions.record_contact_attempt(
        attempt=attempt,
        actor=request.user,
        text=text[:QUESTION_MAX],
        suggested=suggested,
        outcome=outcome,
        **fields,
    )
    if outcome == ContactOutcome.ABANDONED:
        request.session[SESSION_ATTEMPT] = attempt.pk
    else:  # finished: the next question is a new attempt
        request.session.pop(SESSION_ATTEMPT, None)
    return attempt


# --- the contact form ----------------------------------------------------------------------


def _contact_form(request, data=None, *, require_contact=True):
    customers = portal_customers_for_viewer(request.user)
    portal = customers.exists()
    initial = {}
    if request.method == "GET":
        initial["question"] = request.GET.get("q", "")[:QUESTION_MAX]
        if request.user.is_authenticated and not portal:
            initial["name"] = request.user.get_full_name()
            initial["email"] = request.user.email
    form = ContactForm(
        data,
        initial=initial,
        customers=customers if portal else None,
        anonymous=not portal,
        require_contact=require_contact,
    )
    return form, customers, portal


def _render_contact(request, form, *, portal: bool, suggestions=None, status=200):
    return render(
        request,
        "tickets/contact/contact.html",
        {
            "form": form,
            "portal": portal,
            "suggestions": suggestions,
            "searched": suggestions is not None,
            "question": form.cleaned_data.get("question", "") if form.is_bound else "",
        },
        status=status,
    )


@never_cache
def contact(request):
    """The help centre's contact form: suggest FAQs first, open a ticket only when still needed.

    Buttons post `action`: "find" shows matching FAQs (without JavaScript; with it they appear
    as the customer types), "answered" records that an FAQ answered the question, "ticket"
    asks for help. Every submission is one ContactAttempt, followed through the session.
    """
    if request.method == "POST":
        action = request.POST.get("action", "find")
        # "This answered my question" buttons sit in the same form, one per suggested FAQ.
        if action == "answered" or request.POST.get("faq"):
            return _deflect(request)
        wants_ticket = action == "ticket"
        form, customers, portal = _contact_form(request, request.POST, require_contact=wants_ticket)
        if form.is_bot:
            # Look like success, store nothing.
            return redirect("help_contact:sent")
        if form.is_valid():
            question = form.cleaned_data["question"]
            suggestions = suggest_faqs(request.user, question)
            ids = [item["id"] for item in suggestions]
            if wants_ticket:
                response = _ask_for_help(request, form, customers, portal, question, ids)
                if response is not None:
                    return response
            else:
                attempt = _current_attempt(request)
                _save_attempt(
                    request,
                    attempt,
                    text=question,
                    suggested=[*attempt.suggested, *ids] if attempt.pk else ids,
                    outcome=ContactOutcome.ABANDONED,
                )
            return _render_contact(request, form, portal=portal, suggestions=suggestions)
        return _render_contact(request, form, portal=portal, status=400)
    form, _customers, portal = _contact_form(request)
    return _render_contact(request, form, portal=portal)


def _deflect(request):
    """Record that a suggested FAQ answered the question."""
    from kb.models import FAQPage

    form = DeflectForm(request.POST)
    if form.is_bot:
        return redirect("help_contact:contact")
    if not form.is_valid():
        messages.error(request, _("Choose the answer that helped you."))
        return redirect("help_contact:contact")
    faq = access_page_by_id(request.user, form.cleaned_data["faq"], types=(FAQPage,))
    question = " ".join(form.cleaned_data["question"].split())
    attempt = _current_attempt(request)
    suggested = list(attempt.suggested) if attempt.pk else []
    if question and not suggested:
        suggested = [item["id"] for item in suggest_faqs(request.user, question)]
    _save_attempt(
        request,
        attempt,
        text=question or attempt.text,
        suggested=[*suggested, faq.pk],
        outcome=ContactOutcome.DEFLECTED,
        faq_page_id=faq.pk,
    )
    messages.success(request, _("We are glad the answer helped. Thank you for letting us know."))
    return redirect("help_contact:contact")


def _subject(question: str) -> str:
    return question if len(question) <= 120 else question[:119] + "…"


def _description(question: str, details: str, *lines: str) -> str:
    parts = [question]
    if details.strip():
        parts.append(details.strip())
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _only(queryset):
    items = list(queryset[:2])
    return items[0] if len(items) == 1 else None


def _contact_of(customer, email: str):
    """Return the customer's one contact with this e-mail address, if exactly one has it."""
    if not email:
        return None
    return _only(Contact.objects.filter(customer=customer, email__iexact=email))


def match_visitor(email: str):
    """Return (customer, contact) for a visitor's e-mail when exactly one customer has it.

    An address that belongs to several customers (a shared mailbox, a distributor) or to none
    matches nothing: the request is kept for staff to sort out.
    """
    email = (email or "").strip()
    if not email:
        return None, None
    customer_ids = set(
        Contact.objects.filter(email__iexact=email).values_list("customer_id", flat=True)[:10]
    )
    customer_ids |= set(Customer.objects.filter(email__iexact=email).values_list("pk", flat=True))
    if len(customer_ids) != 1:
        return None, None
    customer = Customer.objects.get(pk=customer_ids.pop())
    return customer, _contact_of(customer, email)


def _ask_for_help(request, form, customers, portal, question, suggested):
    """Open a ticket for the person who still needs help; return the response, or None to show
    the form again with its errors.

    Portal users open the ticket for their own customer account (`create_ticket` checks that
    they are its portal users) and go to it.

    Visitors who are not portal users (anonymous, or logged in without a customer account) give
    name, e-mail and phone. What they are told never depends on the address, so the form cannot
    be used to learn whether an address belongs to a customer:

    - when exactly one customer has that e-mail (on a contact or on the customer itself), a
      ticket is opened for that customer by the system (`system=True`, channel "portal"), with
      the address as requester and the given name and phone in its description, marked as not
      verified. Staff replies go by e-mail to that address, i.e. to the customer, never to
      whoever typed it; the visitor gets no ticket number, no link and no session access to it;
    - otherwise (no match, or an address several customers share) no ticket is opened: the
      attempt is stored with outcome "ticket" but without a ticket, its text holding the
      question and the contact details, for staff to call back. Outcome "ticket" because the
      visitor asked for a person: the deflection rate must count it as not deflected.

    Both end on the same "we will contact you" page.
    """
    data = form.cleaned_data
    attempt = _current_attempt(request)
    suggested = [*attempt.suggested, *suggested] if attempt.pk else suggested
    category = data["category"]
    if portal:
        customer = chosen_customer(form, customers)
        email = request.user.email or ""
        try:
            ticket = actions.create_ticket(
                actor=request.user,
                customer=customer,
                subject=_subject(question),
                description=_description(question, data.get("details", "")),
                contact=_contact_of(customer, email),
                category=category,
                channel=TicketChannel.PORTAL,
                requester_email=email,
                request=request,
            )
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, _error_text(error))
            return None
        _save_attempt(
            request,
            attempt,
            text=question,
            suggested=suggested,
            outcome=ContactOutcome.TICKET,
            ticket=ticket,
        )
        messages.success(
            request,
            _("Ticket %(number)s has been opened. We will answer you here and by e-mail.")
            % {"number": ticket.number},
        )
        return redirect("portal_tickets:detail", pk=ticket.pk)

    name, email, phone = data["name"].strip(), data["email"].strip(), data["phone"].strip()
    customer, contact_person = match_visitor(email)
    ticket = None
    if customer is not None:
        try:
            ticket = actions.create_ticket(
                actor=None,
                system=True,
                customer=customer,
                subject=_subject(question),
                description=_description(
                    question,
                    data.get("details", ""),
                    _("Sent from the help centre without logging in; the sender is not verified."),
                    _("Name: %(name)s") % {"name": name},
                    _("Phone: %(phone)s") % {"phone": phone},
                ),
                contact=contact_person,
                category=category,
                channel=TicketChannel.PORTAL,
                requester_email=email,
                request=request,
            )
        except (PermissionDenied, ValidationError):
            logger.exception("help-centre request could not become a ticket")
            ticket = None
    text = question
    if ticket is None:
        details = f"\n— {name} <{email}> {phone}"
        text = question[: QUESTION_MAX - len(details)] + details
    _save_attempt(
        request,
        attempt,
        text=text,
        suggested=suggested,
        outcome=ContactOutcome.TICKET,
        ticket=ticket,
    )
    return redirect("help_contact:sent")


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do that.")


@require_GET
def contact_sent(request):
    """Tell the visitor their request was received; the same page whatever became of it."""
    return render(request, "tickets/contact/sent.html")


@require_GET
@never_cache
def contact_suggest(request):
    """Return FAQ suggestions (id, title, url, snippet) for a question, as JSON."""
    query = request.GET.get("q", "").strip()[:QUESTION_MAX]
    suggestions = suggest_faqs(request.user, query)
    return JsonResponse(
        {"query": query, "suggestions": suggestions}, json_dumps_params={"ensure_ascii": False}
    )


# --- the portal ----------------------------------------------------------------------------


def _status_filter(tickets, status: str):
    if status == "active":
        return tickets.filter(status__in=ACTIVE_STATUSES), status
    if status == "done":
        return tickets.filter(status__in=RATABLE_STATUSES), status
    return tickets, ""


@login_required
@require_GET
def ticket_list(request):
    """List the tickets of the user's customer accounts, and what is published for them."""
    customers = portal_customers_for_viewer(request.user)
    tickets, status = _status_filter(
        list_portal_tickets_for_viewer(request.user), request.GET.get("status", "")
    )
    page = Paginator(tickets, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/portal/ticket_list.html",
        {
            "customers": customers,
            "page_obj": page,
            "tickets": page.object_list,
            "status": status,
            "statuses": [("", _("All")), ("active", _("Open")), ("done", _("Resolved"))],
            "published": published_for_company(request.user, customers),
        },
    )


@login_required
def ticket_new(request):
    """Open a ticket for one of the user's customer accounts."""
    customers = portal_customers_for_viewer(request.user)
    if not customers.exists():
        raise ItemNotFound(_("No such item."))
    form = PortalTicketForm(request.POST or None, request.FILES or None, customers=customers)
    if request.method == "POST" and form.is_valid():
        customer = chosen_customer(form, customers)
        email = request.user.email or ""
        try:
            files = store_attachments(
                actor=request.user,
                customer=customer,
                files=request.FILES.getlist("attachments"),
                request=request,
            )
            ticket = actions.create_ticket(
                attachments=files,
                actor=request.user,
                customer=customer,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                contact=_contact_of(customer, email),
                channel=TicketChannel.PORTAL,
                requester_email=email,
                request=request,
            )
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request, _("Ticket %(number)s has been opened.") % {"number": ticket.number}
            )
            return redirect("portal_tickets:detail", pk=ticket.pk)
    return render(
        request,
        "tickets/portal/ticket_new.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _satisfaction(ticket):
    return Satisfaction.objects.filter(ticket=ticket).first()


def _may_rate(ticket, satisfaction) -> bool:
    return satisfaction is not None and ticket.status in RATABLE_STATUSES


@login_required
@require_GET
def ticket_detail(request, pk: int):
    """Show one of the customer's tickets: public replies and events, reply and rating forms."""
    ticket = access_portal_ticket_by_id(request.user, pk)
    satisfaction = _satisfaction(ticket)
    may_rate = _may_rate(ticket, satisfaction)
    rating_form = None
    if may_rate:
        initial = {"rating": satisfaction.rating, "comment": satisfaction.comment}
        rating_form = RatingForm(initial=initial if satisfaction.rating else None)
    return render(
        request,
        "tickets/portal/ticket_detail.html",
        {
            "ticket": ticket,
            "timeline": public_timeline(request.user, ticket),
            "reply_form": PortalReplyForm(),
            "reopens": ticket.status in RATABLE_STATUSES,
            "satisfaction": satisfaction,
            "may_rate": may_rate,
            "rating_form": rating_form,
        },
    )


@login_required
@require_POST
def ticket_reply(request, pk: int):
    """Add the customer's reply; a reply on a resolved or closed ticket reopens it."""
    ticket = access_portal_ticket_by_id(request.user, pk)
    form = PortalReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal_tickets:detail", pk=ticket.pk)
    reopening = ticket.status in RATABLE_STATUSES
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
            body=form.cleaned_data["body"],
            attachments=files,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Your reply has been sent and the ticket reopened.")
            if reopening
            else _("Your reply has been sent."),
        )
    return redirect(reverse("portal_tickets:detail", args=[ticket.pk]) + "#timeline")


@login_required
@require_POST
def ticket_rate(request, pk: int):
    """Rate a resolved ticket from the portal (1–5 and a comment); a new rating replaces it."""
    ticket = access_portal_ticket_by_id(request.user, pk)
    satisfaction = _satisfaction(ticket)
    if not _may_rate(ticket, satisfaction):
        messages.error(request, _("Only resolved tickets can be rated."))
        return redirect("portal_tickets:detail", pk=ticket.pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rating from 1 to 5."))
        return redirect("portal_tickets:detail", pk=ticket.pk)
    try:
        actions.rate_ticket(
            satisfaction=satisfaction,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            via=SatisfactionVia.PORTAL,
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect(reverse("portal_tickets:detail", args=[ticket.pk]) + "#rating")


@never_cache
def rate_by_link(request, token: str):
    """Rate a resolved ticket from the e-mailed link: the token is the credential, no login.

    Shows the ticket's number and subject only; a second rating replaces the first.
    """
    satisfaction = (
        Satisfaction.objects.select_related("ticket").filter(token=token[:64]).first()
        if token
        else None
    )
    if satisfaction is None:
        raise Http404(_("No such item."))
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                actions.rate_ticket(
                    satisfaction=satisfaction,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    via=SatisfactionVia.LINK,
                    actor=request.user if request.user.is_authenticated else None,
                    request=request,
                )
            except ValidationError as error:
                form.add_error("rating", _error_text(error))
            else:
                messages.success(request, _("Thank you for your rating."))
                return _no_referrer(redirect(request.path))
        status = 400
    else:
        initial = None
        if satisfaction.rating:
            initial = {"rating": satisfaction.rating, "comment": satisfaction.comment}
        form = RatingForm(initial=initial)
    response = render(
        request,
        "tickets/portal/rate.html",
        {"ticket": satisfaction.ticket, "satisfaction": satisfaction, "form": form},
        status=status,
    )
    return _no_referrer(response)


def _no_referrer(response):
    # The token is in the URL: no link on the page may hand it on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- JSON ----------------------------------------------------------------------------------


def _ticket_json(ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "category": ticket.category,
        "category_label": ticket.get_category_display(),
        "customer": ticket.customer.name,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat() if ticket.updated_at else None,
        "url": reverse("portal_tickets:detail", args=[ticket.pk]),
        "api_url": reverse("portal_tickets:api_detail", args=[ticket.pk]),
    }


def _timeline_json(entry) -> dict:
    if entry["kind"] == "reply":
        reply = entry["reply"]
        return {
            "type": "reply",
            "at": reply.created_at.isoformat(),
            "author": str(entry["author"]),
            "from_customer": reply.from_customer,
            "body": reply.body,
        }
    event = entry["event"]
    return {
        "type": "event",
        "at": event.created_at.isoformat(),
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "message": event.message,
    }


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _api_login_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _json({"error": _("Log in to see your tickets.")}, status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@never_cache
@_api_login_required
def api_ticket_list(request):
    """Return the tickets of the user's customer accounts as JSON, newest first, paged."""
    tickets, status = _status_filter(
        list_portal_tickets_for_viewer(request.user), request.GET.get("status", "")
    )
    page = Paginator(tickets, API_PAGE_SIZE).get_page(request.GET.get("page"))
    return _json(
        {
            "total": page.paginator.count,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "has_next": page.has_next(),
            "status": status,
            "tickets": [_ticket_json(ticket) for ticket in page.object_list],
        }
    )


@require_GET
@never_cache
@_api_login_required
def api_ticket_detail(request, pk: int):
    """Return one of the user's tickets with its public timeline and rating, as JSON."""
    try:
        ticket = access_portal_ticket_by_id(request.user, pk)
    except ItemNotFound:
        return _json({"error": _("No such item.")}, status=404)
    satisfaction = _satisfaction(ticket)
    data = _ticket_json(ticket)
    data["description"] = ticket.description
    data["timeline"] = [_timeline_json(entry) for entry in public_timeline(request.user, ticket)]
    data["may_rate"] = _may_rate(ticket, satisfaction)
    data["satisfaction"] = (
        {
            "rating": satisfaction.rating,
            "comment": satisfaction.comment,
            "rated_at": satisfaction.rated_at.isoformat() if satisfaction.rated_at else None,
        }
        if satisfaction is not None and satisfaction.rating
        else None
    )
    return _json(data)

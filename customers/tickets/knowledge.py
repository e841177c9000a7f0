"""Answering from knowledge and feeding answers back: suggestions for a ticket, reply templates
from FAQs, and one-click case-history / FAQ drafts from a resolved ticket."""

from __future__ import annotations

import html
import re

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from customers.tickets.actions import TicketError, can_work_ticket
from customers.tickets.models import ReplyTemplate, TicketEventKind, TicketStatus
from customers.tickets.notify import record_event
from permissions.actions import log_audit_event
from permissions.models import Confidentiality

SUGGESTION_TYPES = ["faq", "article", "case"]
_QUERY_CHARS = 200  # a long description adds noise, not precision, to an OR query


def suggestion_query(ticket) -> str:
    """Return the search text of a ticket: its subject, then the start of its description."""
    text = f"{ticket.subject} {ticket.description}"
    text = re.sub(r"[\"'\-]", " ", text)  # no phrase or exclusion syntax from customer text
    return Truncator(" ".join(text.split())).chars(_QUERY_CHARS, truncate="")


def suggestions_for_ticket(viewer, ticket, *, limit: int = 5, query: str = ""):
    """Return FAQs, articles and cases that may answer the ticket, trimmed to what `viewer` sees."""
    from search.service import SearchFilters, search

    return search(
        query or suggestion_query(ticket),
        viewer=viewer,
        filters=SearchFilters(types=SUGGESTION_TYPES),
        facets=(),
        page_size=limit,
    )


def html_to_text(value: str) -> str:
    """Return readable plain text of rich text: paragraphs and line breaks kept."""
    value = re.sub(r"(?i)<br\s*/?>", "\n", value or "")
    value = re.sub(r"(?i)</(p|li|h[1-6]|div)>", "\n", value)
    text = html.unescape(strip_tags(value))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def templates_for_viewer(viewer, *, category: str = ""):
    """Return active reply templates, those of the ticket's category first; a template drawn from
    an FAQ the viewer may not see is left out."""
    from kb.models import FAQPage
    from permissions.policy import visible_pages

    templates = ReplyTemplate.objects.filter(active=True).select_related("faq")
    visible_faqs = set(
        visible_pages(viewer, FAQPage.objects.filter(reply_templates__isnull=False)).values_list(
            "pk", flat=True
        )
    )
    chosen = [t for t in templates if t.faq_id is None or t.faq_id in visible_faqs]
    return sorted(chosen, key=lambda t: (t.category != category, -t.usage_count, t.title))


def save_reply_template(
    *, actor, title: str, body: str, faq=None, keywords: str = "", category: str = "", request=None
) -> ReplyTemplate:
    """Keep an answer as a reply template (常用回复), optionally linked to the FAQ it came from."""
    from permissions.policy import can_view, is_service_staff

    if not is_service_staff(actor):
        raise PermissionDenied(_("You may not add reply templates."))
    if faq is not None and not can_view(actor, faq):
        raise PermissionDenied(_("You may not add reply templates."))
    if not title.strip() or not body.strip():
        raise ValidationError(_("A reply template needs a title and a text."))
    with transaction.atomic(durable=True), reversion.create_revision():
        template = ReplyTemplate.objects.create(
            title=title.strip()[:200],
            body=body.strip(),
            faq=faq,
            keywords=keywords[:500],
            category=category,
            created_by=actor,
        )
        reversion.set_user(actor)
        log_audit_event(actor=actor, action="reply_template.create", obj=template, request=request)
    return template


def template_from_faq(*, actor, faq, request=None) -> ReplyTemplate:
    """Return the reply template drawn from an FAQ, creating it from the FAQ's answer if needed."""
    existing = ReplyTemplate.objects.filter(faq=faq, active=True).first()
    if existing is not None:
        return existing
    return save_reply_template(
        actor=actor,
        title=faq.title,
        body=html_to_text(faq.answer),
        faq=faq,
        keywords=", ".join(faq.tags.names()) if hasattr(faq, "tags") else "",
        request=request,
    )


# --- knowledge capture --------------------------------------------------------------------------


def _paragraphs(text: str) -> str:
    parts = [html.escape(part.strip()) for part in (text or "").split("\n") if part.strip()]
    return "".join(f"<p>{part}</p>" for part in parts)


def _staff_answers(ticket) -> str:
    replies = ticket.replies.filter(internal=False, from_customer=False).order_by("created_at")
    return "\n".join(reply.body for reply in replies)


def _free_slug(parent, base: str) -> str:
    from wagtail.models import Page

    base = slugify(base, allow_unicode=False)[:60].strip("-") or "ticket"
    slug, n = base, 1
    while Page.objects.child_of(parent).filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_capture(actor, ticket, parent):
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied(_("You may not change this ticket."))
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise TicketError(_("Only a resolved ticket can be turned into knowledge."), code="status")
    from kb.models import CategoryPage
    from permissions.policy import can_view

    parent = CategoryPage.objects.filter(pk=getattr(parent, "pk", parent)).first()
    if parent is None or not can_view(actor, parent):
        raise TicketError(_("Choose a category for the draft."), code="category")
    if not parent.permissions_for_user(actor).can_add_subpage():
        raise PermissionDenied(_("You may not add pages to this category."))
    return parent


def _save_draft(*, actor, ticket, parent, page, kind: str, request=None):
    """Add `page` unpublished under `parent`, start the review workflow, link it to the ticket."""
    page.owner = actor
    page.live = False
    page.confidentiality = Confidentiality.INTERNAL
    with transaction.atomic(durable=True):
        parent = type(parent).objects.select_for_update().get(pk=parent.pk)
        page.slug = _free_slug(parent, f"{ticket.number}-{kind}")
        page.owning_departments = list(actor.departments.all())
        parent.add_child(instance=page)
        revision = page.save_revision(user=actor, log_action=True)
        log(instance=page, action="wagtail.create", user=actor, revision=revision)
        workflow = page.get_workflow()
        if workflow is not None:
            workflow.start(page, actor)
        record_event(
            ticket,
            TicketEventKind.KNOWLEDGE,
            _("Draft “%(title)s” created for review.") % {"title": page.title},
            actor=actor,
            page=page.pk,
            draft=kind,
        )
        log_audit_event(
            actor=actor,
            action=f"ticket.draft_{kind}",
            obj=ticket,
            request=request,
            extra={"page": page.pk},
        )
    return page


def draft_case_from_ticket(*, actor, ticket, parent, request=None):
    """Draft a case history (客户案例) from a resolved ticket, linked to it, into review."""
    from kb.models import CaseHistoryPage

    parent = _check_capture(actor, ticket, parent)
    answers = _staff_answers(ticket)
    page = CaseHistoryPage(
        title=ticket.subject,
        summary=Truncator(ticket.description).chars(200),
        customer=ticket.customer,
        product=ticket.product,
        symptom=_paragraphs(ticket.description) or _paragraphs(ticket.subject),
        resolution=_paragraphs(answers) or "<p></p>",
        outcome=_("Resolved (ticket %(number)s)") % {"number": ticket.number},
    )
    page.tickets = [ticket]
    return _save_draft(
        actor=actor, ticket=ticket, parent=parent, page=page, kind="case", request=request
    )


def draft_faq_from_ticket(*, actor, ticket, parent, request=None):
    """Draft an FAQ from a resolved ticket: its subject as the question, the answer given."""
    from kb.models import FAQPage

    parent = _check_capture(actor, ticket, parent)
    answers = _staff_answers(ticket)
    page = FAQPage(
        title=ticket.subject,
        question=ticket.subject[:255],
        alternative_questions=Truncator(ticket.description).chars(250, truncate=""),
        answer=_paragraphs(answers) or "<p></p>",
    )
    if ticket.product_id:
        page.products = [ticket.product]
    return _save_draft(
        actor=actor, ticket=ticket, parent=parent, page=page, kind="faq", request=request
    )

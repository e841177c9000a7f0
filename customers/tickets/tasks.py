"""Background work of tickets. Tasks take primary keys and are safe to repeat."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from customers.tickets.models import Satisfaction, TicketNotice, TicketReply

logger = logging.getLogger(__name__)

# Mail servers fail transiently; the stored reply or notice is never lost, only its e-mail late.
_MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_jitter": True,
    "max_retries": 5,
}


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@shared_task(**_MAIL_RETRY)
def send_ticket_notice_emails_task(notice_ids) -> int:
    """E-mail ticket notices to staff who have an address and may still see the ticket."""
    from permissions.policy import can_view

    sent = 0
    notices = TicketNotice.objects.filter(pk__in=notice_ids).select_related("recipient", "ticket")
    for notice in notices:
        recipient = notice.recipient
        if not recipient.email or not can_view(recipient, notice.ticket):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = f"[{notice.ticket.number}] {notice.message}"[:200]
            body = "\n\n".join(
                [notice.message, _absolute(reverse("tickets:detail", args=[notice.ticket_id]))]
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        sent += 1
    return sent


def _customer_addresses(ticket) -> list[str]:
    addresses = []
    if ticket.requester_email:
        addresses.append(ticket.requester_email)
    elif ticket.contact_id and ticket.contact.email:
        addresses.append(ticket.contact.email)
    return addresses


@shared_task(**_MAIL_RETRY)
def send_reply_email_task(reply_id) -> bool:
    """E-mail a public staff reply to the customer, threaded under the ticket's e-mails."""
    from django.core.mail import EmailMessage

    reply = (
        TicketReply.objects.filter(pk=reply_id, internal=False, from_customer=False)
        .select_related("ticket", "ticket__contact")
        .first()
    )
    if reply is None:
        return False
    ticket = reply.ticket
    addresses = _customer_addresses(ticket)
    if not addresses:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"Re: [{ticket.number}] {ticket.subject}"[:250]
    headers = {"X-Zhiku-Ticket": ticket.number}
    if ticket.email_message_id:
        headers["In-Reply-To"] = ticket.email_message_id
        headers["References"] = ticket.email_message_id
    message = EmailMessage(
        subject, reply.body, settings.DEFAULT_FROM_EMAIL, addresses, headers=headers
    )
    message.send()
    return True


@shared_task(**_MAIL_RETRY)
def send_satisfaction_request_task(satisfaction_id) -> bool:
    """Send the customer the link that rates a resolved ticket (once)."""
    satisfaction = (
        Satisfaction.objects.filter(pk=satisfaction_id, rating__isnull=True)
        .select_related("ticket", "ticket__contact")
        .first()
    )
    if satisfaction is None:
        return False
    ticket = satisfaction.ticket
    addresses = _customer_addresses(ticket)
    if not addresses:
        return False
    link = _absolute(reverse("portal_tickets:rate", args=[satisfaction.token]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(number)s] How did we do?") % {"number": ticket.number}
        body = _(
            "Your request “%(subject)s” has been resolved. Please rate our service from 1 to 5:"
        ) % {"subject": ticket.subject}
    send_mail(subject, f"{body}\n\n{link}", settings.DEFAULT_FROM_EMAIL, addresses)
    return True


@shared_task
def check_ticket_sla_task() -> dict:
    """Warn assignees before SLA targets pass and escalate tickets whose targets have passed."""
    from customers.tickets.escalation import check_sla

    return check_sla()


# An unreachable mail server (customers.tickets.mail.MailboxUnavailable is a ConnectionError) is
# retried soon; the next scheduled poll would fetch the same messages anyway.
@shared_task(autoretry_for=(ConnectionError,), retry_backoff=30, retry_jitter=True, max_retries=3)
def poll_ticket_mailbox_task() -> dict:
    """Fetch new e-mail from the ticket mailbox into tickets and replies (KB_TICKET_IMAP_*)."""
    from customers.tickets.mail import poll_mailbox

    if not settings.KB_TICKET_IMAP_HOST:
        return {"skipped": "KB_TICKET_IMAP_HOST is not set"}
    return poll_mailbox()

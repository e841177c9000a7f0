"""E-mail intake: fetch the ticket mailbox over IMAP into tickets and customer replies.

Each message gets one InboundMessage row keyed by its Message-ID, so a poll that crashes halfway or
runs twice never opens a ticket twice: a message is flagged \\Seen on the server only after its
ticket or reply has been committed, and one whose Message-ID already opened a ticket or reply is
not written again. A message that cannot be processed is marked failed with the reason and tried
again on the next polls, at most MAX_ATTEMPTS times in all; then it is flagged \\Seen and
\\Flagged on the server so a person can look at it in a mail client.

Writes go through `customers.tickets.actions` (`system=True`: no user is logged in).
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.errors
import email.header
import email.policy
import email.utils
import hashlib
import imaplib
import logging
import re
import ssl
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from customers.models import Contact, Customer, CustomerKind, CustomerSource
from customers.tickets.actions import create_ticket, reply_to_ticket
from customers.tickets.models import (
    InboundMessage,
    ReplyTemplate,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketEventKind,
    TicketReply,
    TicketReplyVia,
)
from customers.tickets.notify import record_event
from permissions.actions import log_audit_event

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # tries of one failing message, the first included
MAX_PER_POLL = 200  # a backlog is worked off over several polls
MAX_SUGGESTIONS = 3
IMAP_TIMEOUT = 30  # seconds per socket operation

# Addresses at these domains belong to individuals, never to one customer company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "126.com",
        "139.com",
        "163.com",
        "188.com",
        "189.cn",
        "21cn.com",
        "aliyun.com",
        "foxmail.com",
        "gmail.com",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "sina.cn",
        "sina.com",
        "sohu.com",
        "tom.com",
        "vip.163.com",
        "vip.qq.com",
        "wo.cn",
        "yahoo.com",
        "yeah.net",
    }
)

# Chinese mail is often labelled GB2312 while using GBK characters; GB18030 is a superset of both.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
}

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_TICKET_NUMBER = re.compile(r"\[(T\d{13,})\]")
_ATTEMPT = re.compile(r"^\[(\d+)/\d+\] ")


class MailboxError(Exception):
    """The ticket mailbox cannot be read: login refused, folder missing, bad settings."""


class MailboxUnavailable(MailboxError, ConnectionError):
    """The mail server cannot be reached or dropped the connection; try again later."""


class IntakeError(Exception):
    """One message cannot become a ticket or reply; the message says why, translated."""


# --- Parsing ----------------------------------------------------------------------------------


@dataclass
class ParsedMail:
    message_id: str
    sender_name: str = ""
    sender_address: str = ""
    subject: str = ""
    body: str = ""
    thread_ids: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content)
    automatic: bool = False  # an out-of-office or other machine reply (RFC 3834)
    refused: list[str] = field(default_factory=list)  # attachments that could not be stored

    @property
    def sender_label(self) -> str:
        if self.sender_name and self.sender_name != self.sender_address:
            return f"{self.sender_name} <{self.sender_address}>"[:255]
        return self.sender_address[:255]


def _codec(charset: str | None) -> str | None:
    name = (charset or "").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode text in its declared charset, else UTF-8, else GB18030, else with replacements."""
    declared = _codec(charset)
    for candidate in dict.fromkeys(c for c in (declared, "utf-8", "gb18030") if c):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode(declared or "utf-8", errors="replace")


def decode_header_value(raw: str) -> str:
    """Decode a raw header: RFC 2047 encoded words in any charset, or raw 8-bit GBK/UTF-8."""
    raw = re.sub(r"\r?\n(?=[ \t])", "", raw or "")
    if any("\udc80" <= char <= "\udcff" for char in raw):
        # 8-bit bytes sent unencoded (older Chinese clients), kept by the parser as surrogates.
        return decode_bytes(raw.encode("ascii", "surrogateescape")).strip()
    try:
        chunks = email.header.decode_header(raw)
    except email.errors.HeaderParseError:
        return raw.strip()
    text = "".join(
        chunk if isinstance(chunk, str) else decode_bytes(chunk, charset)
        for chunk, charset in chunks
    )
    return " ".join(text.split())


def _raw_header(msg, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


class _HTMLText(HTMLParser):
    """Collect the visible text of an HTML body, one line per block, without quoted history."""

    BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "pre"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the text of an HTML e-mail body; quoted replies (<blockquote>) are left out."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_HISTORY_MARKERS = (
    re.compile(r"^-{2,}\s*(原始邮件|Original Message)\s*-{2,}$", re.IGNORECASE),
    re.compile(r"^On\b.{0,300}\bwrote:$"),
    re.compile(r"^.{0,300}写道\s*[:：]$"),
)
_HEADER_BLOCK_START = re.compile(r"^(From|发件人)\s*[:：]", re.IGNORECASE)
_HEADER_BLOCK_NEXT = re.compile(r"^(Sent|Date|To|发送时间|时间|日期|收件人)\s*[:：]", re.IGNORECASE)


def _starts_history(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    following = [rest.strip() for rest in lines[index + 1 : index + 5] if rest.strip()]
    if any(marker.match(line) for marker in _HISTORY_MARKERS):
        return True
    # "On Mon, 8 Dec 2026, 张三 <a@b.cn>\nwrote:" when a client wraps the line.
    if line.startswith("On ") and following and following[0].endswith("wrote:"):
        return True
    # Outlook: a rule of underscores or a bare header block ("From: … Sent: …").
    if re.fullmatch(r"_{10,}", line) and following and _HEADER_BLOCK_START.match(following[0]):
        return True
    return bool(
        _HEADER_BLOCK_START.match(line)
        and any(_HEADER_BLOCK_NEXT.match(rest) for rest in following[:3])
    )


def strip_quoted(text: str) -> str:
    """Drop the quoted history of a reply: below "On … wrote:"/"-----原始邮件-----", and ">" lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = []
    for index, line in enumerate(lines):
        if _starts_history(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return result or text.strip()  # a message that is all quote (a forward) keeps its text


def _part_text(part) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    text = decode_bytes(payload, part.get_content_charset())
    if part.get_content_subtype() == "html":
        return html_to_text(text)
    return text


def _body(msg) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        part = next(
            (p for p in msg.walk() if p.get_content_maintype() == "text" and not p.is_attachment()),
            None,
        )
    return strip_quoted(_part_text(part)) if part is not None else ""


def _attachments(msg) -> list[tuple[str, bytes]]:
    if not msg.is_multipart():
        return []
    files = []
    for part in msg.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        try:
            content = part.get_payload(decode=True) or b""
        except (LookupError, ValueError):  # a broken transfer encoding: keep the name at least
            content = b""
        files.append((decode_header_value(str(name))[:200], content))
    return files


def _store_attachments(parsed: ParsedMail, ticket, reply) -> list[str]:
    """Store the e-mail's files as documents of the ticket's customer, on the reply or the
    ticket; return the names of files that could not be stored (empty, too big, refused type)."""
    from django.core.files.base import ContentFile

    from customers.tickets.attachments import store_attachments
    from documents.actions import UploadRejected

    target = reply if reply is not None else ticket
    if not parsed.attachments or target.attachments.exists():
        return []  # nothing to store, or a repeated poll after the files were stored
    stored, refused = [], []
    for name, content in parsed.attachments:
        try:
            stored += store_attachments(
                actor=None,
                customer=ticket.customer,
                files=[ContentFile(content, name=name)],
                system=True,
            )
        except UploadRejected as error:
            refused.append(f"{name} ({' '.join(error.messages)})")
    if stored:
        target.attachments.add(*stored)
    return refused


def parse_message(raw: bytes) -> ParsedMail:
    """Read the parts of a raw RFC 5322 message that intake uses; missing parts are empty."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    message_ids = _MESSAGE_ID.findall(_raw_header(msg, "Message-ID"))
    # Without a Message-ID the content stands in for one, so repeated polls still see one message.
    message_id = (
        message_ids[0][:255]
        if message_ids
        else f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"
    )
    name, address = email.utils.parseaddr(_raw_header(msg, "From"))
    thread_ids = _MESSAGE_ID.findall(_raw_header(msg, "In-Reply-To"))
    thread_ids += reversed(_MESSAGE_ID.findall(_raw_header(msg, "References")))
    auto_submitted = _raw_header(msg, "Auto-Submitted").strip().lower()
    precedence = _raw_header(msg, "Precedence").strip().lower()
    return ParsedMail(
        message_id=message_id,
        sender_name=decode_header_value(name)[:200],
        sender_address=address.strip().lower() if "@" in address else "",
        subject=decode_header_value(_raw_header(msg, "Subject")),
        body=_body(msg),
        thread_ids=list(dict.fromkeys(thread_ids)),
        attachments=_attachments(msg),
        automatic=bool(auto_submitted and auto_submitted != "no")
        or precedence in ("auto_reply", "junk")
        or bool(_raw_header(msg, "X-Autoreply") or _raw_header(msg, "X-Autorespond")),
    )


# --- Customers, threads and suggestions -------------------------------------------------------


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def find_customer_for_address(address: str) -> tuple[Customer | None, Contact | None]:
    """Return the customer (and contact) an e-mail address belongs to, or (None, None).

    A contact with that address, else a customer with it, else the one customer whose contacts or
    own address share the domain (company domains only; two customers on a domain match neither).
    """
    if not address:
        return None, None
    contact = (
        Contact.objects.filter(email__iexact=address).select_related("customer").order_by("pk")
    ).first()
    if contact is not None:
        return contact.customer, contact
    customer = Customer.objects.filter(email__iexact=address).order_by("pk").first()
    if customer is not None:
        return customer, None
    domain = _domain(address)
    if not domain or domain in FREE_MAIL_DOMAINS:
        return None, None
    suffix = "@" + domain
    customer_ids = set(
        Contact.objects.filter(email__iendswith=suffix).values_list("customer_id", flat=True)
    ) | set(Customer.objects.filter(email__iendswith=suffix).values_list("pk", flat=True))
    if len(customer_ids) == 1:
        return Customer.objects.get(pk=customer_ids.pop()), None
    return None, None


def email_customer_code(address: str) -> str:
    """Return the customer number given to a person first known by this e-mail address."""
    return "E" + hashlib.sha1(address.lower().encode()).hexdigest()[:10].upper()


def create_customer_from_email(*, address: str, name: str = "") -> Customer:
    """Create a person customer for an unknown sender (no user acts: audited as the system).

    `customers.actions.create_customer` needs a staff actor, and e-mail intake has none.
    """
    code = email_customer_code(address)
    try:
        validate_email(address)
    except ValidationError:
        address_field = ""
    else:
        address_field = address
    try:
        with transaction.atomic(durable=True), reversion.create_revision():
            existing = Customer.objects.filter(code=code).first()
            if existing is not None:
                return existing
            customer = Customer.objects.create(
                kind=CustomerKind.PERSON,
                name=(name or address)[:200],
                code=code,
                source=CustomerSource.OTHER,
                email=address_field,
            )
            reversion.set_comment(_("Customer created from an e-mail"))
            log_audit_event(
                actor=None,
                action="customer.create_from_email",
                obj=customer,
                extra={"email": address},
            )
    except IntegrityError:  # another poll created it a moment ago
        return Customer.objects.get(code=code)
    return customer


def _sender_belongs_to(ticket: Ticket, parsed: ParsedMail) -> bool:
    address = parsed.sender_address
    if address and address == (ticket.requester_email or "").lower():
        return True
    customer, _contact = find_customer_for_address(address)
    return customer is not None and customer.pk == ticket.customer_id


def find_ticket_for(parsed: ParsedMail) -> Ticket | None:
    """Return the ticket a message answers: by In-Reply-To/References, or by "[T…]" in the subject.

    A ticket number is easy to guess, so it threads only mail from that ticket's customer.
    """
    if parsed.thread_ids:
        ticket = Ticket.objects.filter(email_message_id__in=parsed.thread_ids).first()
        if ticket is not None:
            return ticket
        reply = (
            TicketReply.objects.filter(email_message_id__in=parsed.thread_ids)
            .select_related("ticket")
            .first()
        )
        if reply is not None:
            return reply.ticket
    for number in _TICKET_NUMBER.findall(parsed.subject):
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None and _sender_belongs_to(ticket, parsed):
            return ticket
    return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def suggest_templates(text: str, limit: int = MAX_SUGGESTIONS) -> list[ReplyTemplate]:
    """Return active reply templates whose keywords occur in `text`, most keywords first."""
    haystack = _fold(text)
    scored = []
    for template in ReplyTemplate.objects.filter(active=True).exclude(keywords=""):
        hits = [word for word in template.keyword_list() if _fold(word) in haystack]
        if hits:
            score = (len(hits), sum(len(word) for word in hits), template.usage_count, -template.pk)
            scored.append((score, template))
    scored.sort(key=lambda item: item[0], reverse=True)
    return [template for _score, template in scored[:limit]]


# --- One message ------------------------------------------------------------------------------


def _own_addresses() -> set[str]:
    addresses = {email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if "@" in settings.KB_TICKET_IMAP_USER:
        addresses.add(settings.KB_TICKET_IMAP_USER.lower())
    return addresses - {""}


def _ticket_subject(parsed: ParsedMail) -> str:
    if parsed.subject.strip():
        return parsed.subject.strip()
    first_line = next((line.strip() for line in parsed.body.splitlines() if line.strip()), "")
    return first_line[:100] or _("(no subject)")


def _write(parsed: ParsedMail) -> tuple[str, Ticket]:
    """Turn a message into a ticket or a customer reply; return ("created"|"threaded"|"skipped")."""
    if not parsed.sender_address:
        raise IntakeError(_("The e-mail has no sender address."))
    # Committed by an earlier poll that stopped before marking the message processed.
    ticket = Ticket.objects.filter(email_message_id=parsed.message_id).first()
    if ticket is not None:
        parsed.refused = _store_attachments(parsed, ticket, None)
        return "skipped", ticket
    reply = (
        TicketReply.objects.filter(email_message_id=parsed.message_id)
        .select_related("ticket")
        .first()
    )
    if reply is not None:
        parsed.refused = _store_attachments(parsed, reply.ticket, reply)
        return "skipped", reply.ticket

    ticket = find_ticket_for(parsed)
    if ticket is not None:
        reply = reply_to_ticket(
            actor=None,
            ticket=ticket,
            body=parsed.body or parsed.subject or _("(empty e-mail)"),
            via=TicketReplyVia.EMAIL,
            author_label=parsed.sender_label,
            email_message_id=parsed.message_id,
            system=True,
        )
        parsed.refused = _store_attachments(parsed, ticket, reply)
        return "threaded", ticket

    customer, contact = find_customer_for_address(parsed.sender_address)
    if customer is None:
        customer = create_customer_from_email(
            address=parsed.sender_address, name=parsed.sender_name
        )
    ticket = create_ticket(
        actor=None,
        customer=customer,
        contact=contact,
        subject=_ticket_subject(parsed),
        description=parsed.body,
        category=TicketCategory.QUESTION,
        channel=TicketChannel.EMAIL,
        requester_email=parsed.sender_address[:254],
        email_message_id=parsed.message_id,
        system=True,
    )
    parsed.refused = _store_attachments(parsed, ticket, None)
    return "created", ticket


def _finish(record: InboundMessage, parsed: ParsedMail, ticket: Ticket, outcome: str) -> None:
    """Mark the message processed and leave the agent its suggested replies and attachment names."""
    suggestions = (
        suggest_templates(f"{parsed.subject}\n{parsed.body}") if outcome != "skipped" else []
    )
    with transaction.atomic():
        if suggestions:
            record_event(
                ticket,
                TicketEventKind.NOTE,
                _("Suggested replies: %(titles)s")
                % {"titles": "; ".join(template.title for template in suggestions)},
                suggested_templates=[template.pk for template in suggestions],
                inbound_message=record.pk,
            )
        if parsed.refused:
            record_event(
                ticket,
                TicketEventKind.NOTE,
                _("The e-mail had attachments that were not stored: %(names)s")
                % {"names": "; ".join(parsed.refused)},
                attachments=parsed.refused,
                inbound_message=record.pk,
            )
        record.state = InboundMessage.State.PROCESSED
        record.ticket = ticket
        record.error = ""
        record.suggested_templates = [template.pk for template in suggestions]
        record.save(update_fields=["state", "ticket", "error", "suggested_templates"])


def attempts(record: InboundMessage) -> int:
    """Return how often processing of this message has failed so far."""
    if record.state != InboundMessage.State.FAILED:
        return 0
    match = _ATTEMPT.match(record.error)
    return int(match[1]) if match else 1


def _fail(record: InboundMessage, err: Exception) -> int:
    if isinstance(err, IntakeError):
        reason = str(err)
    elif isinstance(err, ValidationError):
        reason = " ".join(err.messages)
    else:
        reason = f"{type(err).__name__}: {err}"
    count = attempts(record) + 1
    # The count lives in the error text: InboundMessage has no attempts field.
    record.error = f"[{count}/{MAX_ATTEMPTS}] {reason}"
    record.state = InboundMessage.State.FAILED
    record.save(update_fields=["state", "error"])
    return count


# --- The mailbox ------------------------------------------------------------------------------


class _Mailbox:
    """A logged-in IMAP session on the ticket folder; server errors become MailboxError."""

    def __init__(self):
        host, port = settings.KB_TICKET_IMAP_HOST, settings.KB_TICKET_IMAP_PORT
        if not host:
            raise MailboxError("KB_TICKET_IMAP_HOST is not set")
        self.folder = settings.KB_TICKET_IMAP_FOLDER or "INBOX"
        try:
            if settings.KB_TICKET_IMAP_SSL:
                self.conn = imaplib.IMAP4_SSL(
                    host, port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT
                )
            else:
                self.conn = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT)
        except (OSError, imaplib.IMAP4.abort) as err:
            raise MailboxUnavailable(f"cannot connect to {host}:{port}: {err}") from err
        self._call(self._login)
        typ, data = self._call(self.conn.select, _quote(self.folder))
        if typ != "OK":
            self.close()
            raise MailboxError(f"cannot open folder {self.folder!r}: {data!r}")

    def _login(self):
        user, password = settings.KB_TICKET_IMAP_USER, settings.KB_TICKET_IMAP_PASSWORD
        if user.isascii() and password.isascii():
            return self.conn.login(user, password)
        # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616).
        secret = b"\0" + user.encode() + b"\0" + password.encode()
        return self.conn.authenticate("PLAIN", lambda _challenge: secret)

    def _call(self, method, *args):
        try:
            return method(*args)
        except (OSError, imaplib.IMAP4.abort) as err:
            raise MailboxUnavailable(str(err)) from err
        except imaplib.IMAP4.error as err:
            raise MailboxError(str(err)) from err

    def unseen(self) -> list[bytes]:
        typ, data = self._call(self.conn.uid, "SEARCH", "UNSEEN")
        if typ != "OK":
            raise MailboxError(f"UID SEARCH failed: {data!r}")
        return (data[0] or b"").split()

    def fetch(self, uid: bytes) -> bytes | None:
        """Return the raw message without setting \\Seen, or None when it is gone."""
        typ, data = self._call(self.conn.uid, "FETCH", uid, "(BODY.PEEK[])")
        if typ != "OK":
            raise MailboxError(f"UID FETCH failed: {data!r}")
        for item in data or ():
            if isinstance(item, tuple) and len(item) > 1:
                return item[1]
        return None

    def flag(self, uid: bytes, *flags: str) -> None:
        self._call(self.conn.uid, "STORE", uid, "+FLAGS.SILENT", f"({' '.join(flags)})")

    def close(self) -> None:
        # The server may have gone already; nothing is left to save.
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _process_uid(mailbox: _Mailbox, uid: bytes, counts: dict) -> None:
    raw = mailbox.fetch(uid)
    if raw is None:
        return
    counts["fetched"] += 1
    try:
        parsed = parse_message(raw)
    except Exception as err:  # the parser itself gave up: keep a row to count the attempts
        logger.warning("cannot parse e-mail uid %s: %s", uid, err)
        parsed = ParsedMail(message_id=f"<{hashlib.sha256(raw).hexdigest()[:40]}@unparsed.invalid>")
        parse_error = err
    else:
        parse_error = None
    record, _created = InboundMessage.objects.get_or_create(
        message_id=parsed.message_id,
        defaults={
            "mailbox": mailbox.folder[:255],
            "uid": uid.decode()[:50],
            "sender": parsed.sender_label,
            "subject": parsed.subject[:500],
        },
    )
    if record.state == InboundMessage.State.PROCESSED or attempts(record) >= MAX_ATTEMPTS:
        counts["skipped"] += 1
        mailbox.flag(uid, "\\Seen")
        return
    if parsed.automatic or parsed.sender_address in _own_addresses():
        # Out-of-office answers and our own mail would reopen tickets and loop.
        record.state = InboundMessage.State.PROCESSED
        record.error = _("Ignored: an automatic reply or our own e-mail.")
        record.save(update_fields=["state", "error"])
        counts["skipped"] += 1
        mailbox.flag(uid, "\\Seen")
        return
    try:
        if parse_error is not None:
            raise parse_error
        outcome, ticket = _write(parsed)
        _finish(record, parsed, ticket, outcome)
    except Exception as err:
        logger.warning("e-mail %s could not be processed: %s", parsed.message_id, err)
        counts["failed"] += 1
        if _fail(record, err) >= MAX_ATTEMPTS:
            mailbox.flag(uid, "\\Seen", "\\Flagged")
        return
    counts[outcome] += 1
    mailbox.flag(uid, "\\Seen")


def poll_mailbox() -> dict:
    """Fetch unread mail of the ticket mailbox into tickets and replies; return the counts.

    Raise MailboxUnavailable (a ConnectionError) when the server cannot be reached, so the task
    can retry, and MailboxError when it refuses the login or the folder.
    """
    counts = {"fetched": 0, "created": 0, "threaded": 0, "failed": 0, "skipped": 0}
    mailbox = _Mailbox()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for uid in mailbox.unseen()[:MAX_PER_POLL]:
                _process_uid(mailbox, uid, counts)
    finally:
        mailbox.close()
    logger.info("ticket mailbox polled: %s", counts)
    return counts

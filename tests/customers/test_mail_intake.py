"""E-mail intake against a real dovecot on loopback: Chinese mail in, tickets and replies out."""

from __future__ import annotations

import base64
import imaplib
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer, CustomerKind, CustomerSource
from customers.tickets import mail
from customers.tickets.actions import create_ticket
from customers.tickets.models import (
    InboundMessage,
    ReplyTemplate,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketReply,
    TicketReplyVia,
    TicketStatus,
)
from customers.tickets.tasks import poll_ticket_mailbox_task
from permissions.models import AuditEvent
from tests.customers.mailserver import DOVECOT, free_port, start_dovecot
from tests.factories import ContactFactory, CustomerFactory

# 堃 is in GBK but not in GB2312: mail labelled gb2312 often carries such characters.
SUBJECT = "水泵启动后异响，王堃请协助排查"
BODY = "你好：\n\n恒达泵业的 HD-50 水泵启动后有异响，密封圈附近漏水。\n请尽快安排工程师。\n\n王堃"
QUOTE = "\n\n-----原始邮件-----\n发件人: 客服 <service@zhiku.test>\n主题: 旧的问题\n\n以前的内容"


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(_python(charset))).decode()}?="


def _python(charset: str) -> str:
    return "gbk" if charset.lower() in ("gb2312", "gbk") else charset


def message(
    *,
    message_id: str | None,
    sender: str = "wangkun@hengda-pump.cn",
    name: str = "王堃",
    subject: str = SUBJECT,
    body: str = BODY,
    charset: str = "gb2312",
    subtype: str = "plain",
    headers: dict | None = None,
) -> bytes:
    """Build a raw message: RFC 2047 subject and sender name, base64 body in `charset`."""
    lines = [
        f"From: {encoded_word(name, 'utf-8')} <{sender}>" if name else f"From: {sender}",
        "To: tickets@zhiku.test",
        f"Subject: {encoded_word(subject, charset)}",
        "Date: Mon, 08 Dec 2026 09:30:00 +0800",
        "MIME-Version: 1.0",
        f'Content-Type: text/{subtype}; charset="{charset}"',
        "Content-Transfer-Encoding: base64",
    ]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    payload = base64.encodebytes(body.encode(_python(charset))).decode().replace("\n", "\r\n")
    return ("\r\n".join(lines) + "\r\n\r\n" + payload).encode("ascii")


@pytest.fixture
def mailserver(tmp_path, settings):
    """A dovecot on 127.0.0.1 with an empty INBOX; KB_TICKET_IMAP_* point at it."""
    if not DOVECOT.exists():
        pytest.skip(
            "dovecot is not installed (Debian package dovecot-imapd: make system-test-deps)"
        )
    server = start_dovecot(tmp_path)
    settings.KB_TICKET_IMAP_HOST = server.host
    settings.KB_TICKET_IMAP_PORT = server.port
    settings.KB_TICKET_IMAP_SSL = False
    settings.KB_TICKET_IMAP_USER = server.user
    settings.KB_TICKET_IMAP_PASSWORD = server.password
    settings.KB_TICKET_IMAP_FOLDER = "INBOX"
    yield server
    server.stop()


@pytest.fixture
def contact(db):
    customer = CustomerFactory(name="恒达泵业", email="info@hengda-pump.cn")
    return ContactFactory(customer=customer, name="王堃", email="WangKun@hengda-pump.cn")


def counts(**expected) -> dict:
    return {"fetched": 0, "created": 0, "threaded": 0, "failed": 0, "skipped": 0, **expected}


def set_unseen(server, uid: int = 1) -> None:
    conn = server.connect()
    try:
        conn.select("INBOX")
        conn.uid("STORE", str(uid), "-FLAGS.SILENT", r"(\Seen)")
    finally:
        conn.logout()


# --- Through the mailbox ----------------------------------------------------------------------


@pytest.mark.django_db
def test_chinese_mail_from_a_contact_opens_one_ticket(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>", body=BODY + QUOTE))

    assert mail.poll_mailbox() == counts(fetched=1, created=1)

    ticket = Ticket.objects.get()
    assert ticket.customer == contact.customer
    assert ticket.contact == contact
    assert ticket.subject == SUBJECT
    assert ticket.description == BODY
    assert "原始邮件" not in ticket.description
    assert ticket.requester_email == "wangkun@hengda-pump.cn"
    assert ticket.channel == TicketChannel.EMAIL
    assert ticket.category == "question"
    assert ticket.email_message_id == "<first-1@hengda-pump.cn>"
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.PROCESSED
    assert inbound.ticket == ticket
    assert inbound.subject == SUBJECT
    assert "王堃" in inbound.sender
    assert r"\Seen" in mailserver.flags()[0]


@pytest.mark.django_db
def test_polling_again_or_after_a_crash_creates_nothing_more(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))
    mail.poll_mailbox()

    assert mail.poll_mailbox() == counts()
    # A crash after the ticket was committed, before the message was marked anywhere.
    InboundMessage.objects.update(state=InboundMessage.State.RECEIVED, ticket=None)
    set_unseen(mailserver)
    assert mail.poll_mailbox() == counts(fetched=1, skipped=1)
    assert InboundMessage.objects.get().state == InboundMessage.State.PROCESSED
    # A crash after the message was marked processed, before \Seen reached the server.
    set_unseen(mailserver)
    assert mail.poll_mailbox() == counts(fetched=1, skipped=1)

    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert r"\Seen" in mailserver.flags()[0]


@pytest.mark.django_db
def test_reply_by_in_reply_to_threads_onto_the_ticket_and_reopens_it(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))
    mail.poll_mailbox()
    ticket = Ticket.objects.get()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now()
    )

    reply_body = "更换密封圈后又漏水了。\n\n在 2026年12月8日 10:00，客服 写道：\n> 请更换密封圈"
    mailserver.append(
        message(
            message_id="<second-2@hengda-pump.cn>",
            subject="回复：" + SUBJECT,
            body=reply_body,
            charset="utf-8",
            headers={
                "In-Reply-To": "<first-1@hengda-pump.cn>",
                "References": "<first-1@hengda-pump.cn>",
            },
        )
    )

    assert mail.poll_mailbox() == counts(fetched=1, threaded=1)
    assert Ticket.objects.count() == 1
    reply = TicketReply.objects.get()
    assert reply.ticket == ticket
    assert reply.body == "更换密封圈后又漏水了。"
    assert reply.from_customer and not reply.internal
    assert reply.via == TicketReplyVia.EMAIL
    assert "wangkun@hengda-pump.cn" in reply.author_label
    assert reply.email_message_id == "<second-2@hengda-pump.cn>"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.reopened_count == 1


@pytest.mark.django_db
def test_reply_to_an_earlier_reply_threads_too(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))
    mailserver.append(
        message(
            message_id="<second-2@hengda-pump.cn>",
            body="第二封",
            headers={"In-Reply-To": "<first-1@hengda-pump.cn>"},
        )
    )
    mailserver.append(
        message(
            message_id="<third-3@hengda-pump.cn>",
            body="第三封",
            headers={"References": "<unknown@elsewhere> <second-2@hengda-pump.cn>"},
        )
    )

    assert mail.poll_mailbox() == counts(fetched=3, created=1, threaded=2)
    ticket = Ticket.objects.get()
    assert list(ticket.replies.values_list("body", flat=True)) == ["第二封", "第三封"]


@pytest.mark.django_db
def test_ticket_number_in_the_subject_threads_only_mail_of_that_customer(mailserver, contact):
    ticket = create_ticket(actor=None, customer=contact.customer, subject="电话报修", system=True)
    subject = f"Re: [{ticket.number}] 补充照片说明"
    mailserver.append(
        message(message_id="<by-number@hengda-pump.cn>", subject=subject, body="补充说明")
    )
    mailserver.append(
        message(
            message_id="<stranger@example.org>",
            sender="someone@example.org",
            name="",
            subject=subject,
            body="我也想看",
        )
    )

    assert mail.poll_mailbox() == counts(fetched=2, created=1, threaded=1)
    assert list(ticket.replies.values_list("body", flat=True)) == ["补充说明"]
    other = Ticket.objects.exclude(pk=ticket.pk).get()
    assert other.customer != contact.customer
    assert other.requester_email == "someone@example.org"


@pytest.mark.django_db
def test_unknown_sender_becomes_a_person_customer(mailserver, contact):
    ContactFactory(email="another.person@qq.com")  # a free-mail domain matches nobody
    mailserver.append(
        message(message_id="<a@qq.com>", sender="lilei@qq.com", name="李雷", body="咨询价格")
    )
    mailserver.append(
        message(message_id="<b@qq.com>", sender="lilei@qq.com", name="李雷", body="再问一次")
    )

    assert mail.poll_mailbox() == counts(fetched=2, created=2)

    customer = Customer.objects.get(email="lilei@qq.com")
    assert customer.kind == CustomerKind.PERSON
    assert customer.name == "李雷"
    assert customer.code == mail.email_customer_code("lilei@qq.com")
    assert customer.code.startswith("E")
    assert customer.source == CustomerSource.OTHER
    assert set(Ticket.objects.values_list("customer", flat=True)) == {customer.pk}
    assert Ticket.objects.filter(contact__isnull=False).count() == 0
    assert (
        AuditEvent.objects.filter(
            action="customer.create_from_email", object_id=str(customer.pk)
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_sender_at_a_customer_domain_goes_to_that_customer(mailserver, contact):
    mailserver.append(message(message_id="<x@hengda-pump.cn>", sender="zhao@HENGDA-pump.cn"))

    mail.poll_mailbox()

    ticket = Ticket.objects.get()
    assert ticket.customer == contact.customer
    assert ticket.contact is None
    assert not Customer.objects.filter(kind=CustomerKind.PERSON).exists()


@pytest.mark.django_db
def test_matching_reply_templates_are_suggested(mailserver, contact):
    best = ReplyTemplate.objects.create(title="漏水处理", body="…", keywords="漏水，密封圈")
    second = ReplyTemplate.objects.create(title="异响排查", body="…", keywords="异响, o-ring")
    ReplyTemplate.objects.create(title="停用的", body="…", keywords="漏水", active=False)
    ReplyTemplate.objects.create(title="发票", body="…", keywords="发票、开票")
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))

    mail.poll_mailbox()

    inbound = InboundMessage.objects.get()
    assert inbound.suggested_templates == [best.pk, second.pk]
    note = TicketEvent.objects.get(ticket=inbound.ticket, kind=TicketEventKind.NOTE)
    assert note.internal
    assert "漏水处理" in note.message and "异响排查" in note.message
    assert note.data["suggested_templates"] == [best.pk, second.pk]


@pytest.mark.django_db
def test_keywords_match_case_insensitively(db):
    template = ReplyTemplate.objects.create(title="O 形圈", body="…", keywords="O-Ring")
    assert mail.suggest_templates("the o-ring is leaking") == [template]
    assert mail.suggest_templates("ＯＲＩＮＧ") == []


@pytest.mark.django_db
def test_a_broken_message_fails_without_stopping_the_others(mailserver, contact):
    mailserver.append(b"\xff\xfe\x81\x82 garbage, no headers at all\r\n\r\n\xc3\x28\r\n")
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))

    assert mail.poll_mailbox() == counts(fetched=2, created=1, failed=1)
    broken = InboundMessage.objects.get(state=InboundMessage.State.FAILED)
    assert broken.error.startswith("[1/3] ")
    assert broken.ticket is None
    assert Ticket.objects.count() == 1

    # Tried again on the next polls, three times in all, then left flagged for a person.
    assert mail.poll_mailbox() == counts(fetched=1, failed=1)
    assert r"\Seen" not in mailserver.flags()[0]
    assert mail.poll_mailbox() == counts(fetched=1, failed=1)
    broken.refresh_from_db()
    assert broken.error.startswith("[3/3] ")
    assert r"\Seen" in mailserver.flags()[0] and r"\Flagged" in mailserver.flags()[0]
    assert mail.poll_mailbox() == counts()
    set_unseen(mailserver)  # someone marks it unread again: still not retried
    assert mail.poll_mailbox() == counts(fetched=1, skipped=1)
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_automatic_replies_are_not_threaded(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))
    mailserver.append(
        message(
            message_id="<ooo@hengda-pump.cn>",
            subject="自动回复：休假中",
            body="我正在休假。",
            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": "<first-1@hengda-pump.cn>"},
        )
    )

    assert mail.poll_mailbox() == counts(fetched=2, created=1, skipped=1)
    assert not TicketReply.objects.exists()


@pytest.mark.django_db
def test_management_command_prints_the_counts(mailserver, contact):
    mailserver.append(message(message_id="<first-1@hengda-pump.cn>"))
    out = io.StringIO()

    call_command("poll_ticket_mailbox", stdout=out)

    assert Ticket.objects.count() == 1
    # fetched, created, threaded, failed, skipped (the words are translated)
    assert re.findall(r"\d+", out.getvalue()) == ["1", "1", "0", "0", "0"]


def test_unreachable_server_raises_a_connection_error(settings):
    settings.KB_TICKET_IMAP_HOST = "127.0.0.1"
    settings.KB_TICKET_IMAP_PORT = free_port()
    settings.KB_TICKET_IMAP_SSL = False

    with pytest.raises(mail.MailboxUnavailable) as caught:
        mail.poll_mailbox()
    assert isinstance(caught.value, ConnectionError)


@pytest.mark.django_db
def test_refused_login_is_not_a_connection_error(mailserver, settings):
    settings.KB_TICKET_IMAP_PASSWORD = "wrong"

    with pytest.raises(mail.MailboxError) as caught:
        mail.poll_mailbox()
    assert not isinstance(caught.value, ConnectionError)
    assert isinstance(caught.value.__cause__, imaplib.IMAP4.error)


def test_task_is_skipped_without_a_mailbox(settings):
    settings.KB_TICKET_IMAP_HOST = ""

    result = poll_ticket_mailbox_task.apply().get()  # run here whatever the eager setting

    assert set(result) == {"skipped"}


# --- Parsing, without a server ----------------------------------------------------------------


def test_html_only_mail_is_turned_into_text_without_the_quote():
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>您好，</p><p>设备&nbsp;报警代码 E07。<br>请回电。</p>"
        '<blockquote class="gmail_quote">以前的邮件</blockquote></body></html>'
    )
    parsed = mail.parse_message(
        message(message_id="<h@x.cn>", body=html, charset="utf-8", subtype="html")
    )
    assert parsed.body == "您好，\n\n设备 报警代码 E07。\n请回电。"


def test_raw_8bit_gbk_subject_and_missing_message_id():
    raw = (
        b"From: zhang@hengda-pump.cn\r\nSubject: "
        + "报修：压力表读数异常".encode("gbk")
        + b"\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "压力表一直显示 0.\r\nOn Mon, 8 Dec 2026 at 09:00, Service <s@z.cn> wrote:\r\n> old".encode(
            "gbk"
        )
    )
    parsed = mail.parse_message(raw)
    assert parsed.subject == "报修：压力表读数异常"
    assert parsed.body == "压力表一直显示 0."
    assert parsed.message_id.endswith("@no-message-id.invalid>")
    assert mail.parse_message(raw).message_id == parsed.message_id


@pytest.mark.parametrize(
    "text, expected",
    [
        ("谢谢\n\n------------------ 原始邮件 ------------------\n发件人: a", "谢谢"),
        ("Thanks\n-----Original Message-----\nFrom: x", "Thanks"),
        ("好的\n\n发件人: 客服 <s@z.cn>\n发送时间: 2026年12月8日\n收件人: a\n旧内容", "好的"),
        ("ok\n> quoted\nmore", "ok\nmore"),
        ("> only a quote", "> only a quote"),
    ],
)
def test_quoted_history_is_dropped(text, expected):
    assert mail.strip_quoted(text) == expected


def _with_attachments(*files: tuple[str, str, bytes]) -> bytes:
    """A multipart e-mail from the contact with the given (name, content type, bytes) files."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "王堃 <wangkun@hengda-pump.cn>"
    msg["To"] = "tickets@zhiku.test"
    msg["Subject"] = "泵体漏水，附现场照片和记录"
    msg["Message-ID"] = "<files-1@hengda-pump.cn>"
    msg.set_content("请看附件。", charset="utf-8")
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@pytest.mark.django_db
def test_attachments_are_stored_as_documents_of_the_customer(mailserver, contact):
    from documents.models import KnowledgeDocument
    from permissions.models import Confidentiality

    mailserver.append(
        _with_attachments(
            ("现场记录.txt", "text/plain", "压力 0.6 MPa，漏水点在法兰。".encode()),
            ("setup.exe", "application/octet-stream", b"MZ\x90\x00 not allowed"),
        )
    )
    assert mail.poll_mailbox() == counts(fetched=1, created=1)
    ticket = Ticket.objects.get()
    document = ticket.attachments.get()
    assert document.title == "现场记录"
    assert document.confidentiality == Confidentiality.CUSTOMERS
    assert list(document.allowed_customers.all()) == [contact.customer]
    assert KnowledgeDocument.objects.count() == 1  # the .exe was refused, and said so
    note = ticket.events.get(message__contains="setup.exe")
    assert note.internal
    # A repeated poll stores nothing twice.
    set_unseen(mailserver)
    mail.poll_mailbox()
    assert KnowledgeDocument.objects.count() == 1

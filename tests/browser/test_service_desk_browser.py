"""The service desk in a real headless Chromium: an agent puts a reply template into the reply
box and sends it; a visitor on the contact form sees an FAQ appear as they type."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import CHROMIUM, log_in, new_page
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]


def _public_faq_record():
    from search.analysis import get_analyzer
    from search.backends import get_backend
    from search.documents import build_document
    from search.records import Record

    record = Record(
        key="kb.faqpage:424242",
        type="faq",
        title="滤芯多久更换一次",
        url="/help/filter-change/",
        body="一般每六个月更换一次滤芯，水质差时缩短到三个月。",
        read=["all", "public"],
        restrict=["all", "open"],
    )
    get_backend().index([build_document(record, get_analyzer())])


def test_agent_inserts_a_reply_template_and_sends_it(live_server, wagtail_site, browser):
    from customers.tickets.actions import create_ticket
    from customers.tickets.models import ReplyTemplate
    from permissions.roles import Role

    agent = UserFactory(username="agent-browser", roles=[Role.SERVICE_AGENT])
    ticket = create_ticket(actor=agent, customer=CustomerFactory(), subject="净水器漏水")
    template = ReplyTemplate.objects.create(
        title="漏水处理步骤", body="请先关闭进水阀，再更换密封圈。"
    )
    page = new_page(browser)
    path = f"/tickets/{ticket.pk}/"
    log_in(page, live_server.url, agent.username, next_path=path)
    page.click(f"a.js-insert-template[data-template='{template.pk}']")
    box = page.locator("#reply-form textarea[name=body]")
    page.wait_for_function(
        "document.querySelector('#reply-form textarea[name=body]').value.length > 0"
    )
    assert box.input_value() == template.body
    assert page.locator("#reply-form input[name=template]").input_value() == str(template.pk)
    page.click("#reply-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{path}")
    ticket.refresh_from_db()
    template.refresh_from_db()
    assert ticket.replies.get().body == template.body
    assert template.usage_count == 1 and ticket.first_responded_at is not None


def test_contact_form_suggests_an_faq_while_typing(live_server, wagtail_site, browser):
    _public_faq_record()
    page = new_page(browser)
    page.goto(f"{live_server.url}/help/contact/")
    page.locator("textarea[name=question], input[name=question]").first.type("滤芯多久换")
    page.wait_for_selector("text=滤芯多久更换一次", timeout=10_000)

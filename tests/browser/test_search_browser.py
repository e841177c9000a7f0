"""Search in a real headless Chromium: autocomplete picked with the keyboard, then a facet."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import CHROMIUM, log_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]


def _index_corpus():
    from search.analysis import get_analyzer
    from search.backends import get_backend
    from search.documents import build_document
    from search.records import Record

    public = {"read": ["all", "public"], "restrict": ["all", "open"]}
    records = [
        Record(
            key="kb.faqpage:1",
            type="faq",
            title="发动机异响怎么办",
            url="/help/engine-noise/",
            body="发动机出现异响时，先检查机油液位。",
            **public,
        ),
        Record(
            key="kb.articlepage:2",
            type="article",
            title="发动机保养手册",
            url="/help/engine-care/",
            body="定期保养发动机，检查异响来源。",
            **public,
        ),
        Record(
            key="kb.articlepage:3",
            type="article",
            title="发动机内部检修规程",
            url="/kb/internal/",
            body="内部资料：发动机检修。",
            read=["all", "staff"],
            restrict=["all", "open"],
        ),
    ]
    analyzer = get_analyzer()
    get_backend().index([build_document(record, analyzer) for record in records])


def test_autocomplete_keyboard_pick_then_facet(live_server, wagtail_site, browser_page):
    from permissions.roles import Role

    UserFactory(username="agent-b", roles=[Role.SERVICE_AGENT])
    _index_corpus()
    page = browser_page
    log_in(page, live_server.url, "agent-b", next_path="/search/")

    # "/" focuses the box from anywhere on the page.
    page.locator("h1").click()
    page.keyboard.press("/")
    box = page.locator("#search-q")
    assert page.evaluate("document.activeElement.id") == "search-q"

    box.press_sequentially("发动", delay=30)
    listbox = page.locator("#search-q-suggestions")
    listbox.locator("[role=option]").first.wait_for()
    titles = listbox.locator(".search-suggestion-title").all_inner_texts()
    assert "发动机内部检修规程" in titles  # the agent may see internal items
    assert box.get_attribute("aria-expanded") == "true"

    # Esc closes the list; ↓ opens it again; ↓ ↓ ↑ lands on the first; Enter searches it.
    box.press("Escape")
    assert listbox.is_hidden()
    box.press("ArrowDown")
    listbox.locator("[role=option]").first.wait_for()
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    chosen = listbox.locator("[aria-selected=true] .search-suggestion-title").inner_text()
    assert chosen == titles[0]
    with page.expect_navigation():
        box.press("Enter")
    assert box.input_value() == chosen
    assert page.locator(".result-list .result").count() >= 1

    # A facet link narrows the results to FAQs, and the chip removes the filter again.
    page.fill("#search-q", "发动机")
    with page.expect_navigation():
        page.press("#search-q", "Enter")
    total_before = page.locator(".result-list .result").count()
    assert total_before == 3
    with page.expect_navigation():
        page.click("[data-facet=type] a.facet-link[href*='type=faq']")
    assert page.locator(".result-list .result").count() == 1
    assert page.locator(".result-kind-faq").count() == 1
    with page.expect_navigation():
        page.click(".filter-chip")
    assert page.locator(".result-list .result").count() == total_before

"""The site shell in a real headless Chromium: log in, see the shell, switch language and back."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import CHROMIUM
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]


def test_login_shell_and_language_switch(live_server, wagtail_site, browser_page):
    from permissions.roles import Role

    UserFactory(username="lilei", first_name="雷", last_name="李", roles=[Role.SERVICE_AGENT])
    page = browser_page

    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".hero-title").inner_text() == "知库"

    page.click(".nav-tools a[href^='/accounts/login/']")
    page.fill("input[name=username]", "lilei")
    page.fill("input[name=password]", "pw-zhiku-2026")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    nav = page.locator("#site-nav")
    links = nav.locator(".nav-list")
    assert nav.locator(".user-name").inner_text() == "李雷"
    assert links.locator("a[href='/tickets/']").is_visible()  # a service agent
    assert links.locator("a[href='/admin/']").is_visible()
    assert links.locator("a[href='/portal/']").is_visible()

    page.goto(f"{live_server.url}/search/?q=test")
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/search/?q=test"  # the switch keeps the current page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Search the knowledge base"
    assert page.locator(".lang-switch button[value=en]").get_attribute("aria-pressed") == "true"

    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert (
        page.locator(".lang-switch button[value=zh-hans]").get_attribute("aria-pressed") == "true"
    )

    page.click(".nav-tools form button[type=submit]:not(.lang-option)")  # log out (a POST)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".user-name").count() == 0
    assert page.locator("a[href='/tickets/']").count() == 0


def test_phone_width_collapses_the_navigation(live_server, wagtail_site, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/")
    toggle = page.locator(".nav-toggle")
    search_link = page.locator("#site-nav a[href='/search/']")
    assert toggle.is_visible()
    assert not search_link.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert search_link.is_visible()
    # Nothing may be wider than the phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

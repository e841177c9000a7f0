"""The site shell in a real headless Chromium: log in, see the shell, switch language and back."""

from __future__ import annotations

import os

import pytest

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures and
    of the test are still synchronous and safe here. Scoped to each test so it cannot leak."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def wagtail_site(transactional_db):
    """Recreate what migrations made and the live server's flush removed: root, home, site."""
    from wagtail.models import Locale, Page, Site

    from kb.models import KnowledgeHomePage
    from permissions.roles import sync_role_groups

    sync_role_groups()
    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = KnowledgeHomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=KnowledgeHomePage(
                title="知库", slug="home", intro="企业知识库与帮助中心", locale=locale
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "知库"},
    )
    return home


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # An English browser: Zhiku is Chinese first whatever Accept-Language says.
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            yield context.new_page()
        finally:
            browser.close()


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

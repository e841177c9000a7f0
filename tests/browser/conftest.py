"""Shared fixtures of the real-browser tests: Chromium through Playwright against the live server."""

from __future__ import annotations

import pytest

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
# The password tests.factories.UserFactory gives every user.
PASSWORD = "pw-zhiku-2026"


def new_page(browser):
    """Open a page in a new context of an English browser (Zhiku is Chinese first whatever
    Accept-Language says)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    return context.new_page()


def log_in(page, base_url: str, username: str, next_path: str = "/admin/") -> None:
    """Sign in through the login form as `username`, and wait until `next_path` has loaded."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")


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
    from django.apps import apps

    from kb.workflow.setup import configure_review_workflow

    configure_review_workflow(apps)  # page permissions and the review workflow (kb/0007)
    return home


@pytest.fixture
def browser():
    """A headless Chromium for one test; open a context per user with new_context()."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_page(browser):
    return new_page(browser)

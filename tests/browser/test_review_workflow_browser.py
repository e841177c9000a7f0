"""The review workflow in a real headless Chromium: an R&D engineer writes a public FAQ in the
Wagtail admin and submits it; the R&D reviewer is notified and asks for changes; the author
resubmits; the reviewer approves; the knowledge manager approves, which publishes; an anonymous
visitor and a customer read it on the help centre."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import CHROMIUM, log_in, new_page
from tests.factories import DepartmentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"needs Debian's Chromium at {CHROMIUM}"
    ),
]

TITLE = "制动异响的处理"
QUESTION = "踩刹车时有异响怎么办？"
ANSWER = "先检查刹车片磨损情况。"
QUESTION_V2 = "踩刹车时有异响（所有车型）怎么办？"
COMMENT = "请写明适用的车型"


def _log_in(browser, base_url: str, username: str, next_path: str = "/admin/"):
    page = new_page(browser)
    log_in(page, base_url, username, next_path)
    return page


def _open_action_menu(page):
    """Open the footer's "more actions" dropdown of the page editor."""
    page.locator("button.w-dropdown__toggle.button").first.click()


def _workflow_action(page, name: str, comment: str | None = None):
    """Click a workflow action of the editor's menu (and fill its comment modal), then wait."""
    _open_action_menu(page)
    button = page.locator(f'button[data-workflow-action-name="{name}"]').first
    if comment is None:
        with page.expect_navigation():
            button.click()
        return
    button.click()
    page.locator(".modal-content #id_comment").fill(comment)
    with page.expect_navigation():
        page.locator(".modal-content form button").click()


def test_review_workflow_walkthrough(live_server, wagtail_site, browser):
    from wagtail.models import PageLogEntry

    from kb.models import FAQPage
    from kb.models.notifications import Notification, NotificationKind
    from permissions.roles import Role
    from tests.permissions.conftest import make_category

    rnd = DepartmentFactory(name="研发中心", code="rnd")
    author = UserFactory(username="engineer", roles=[Role.RND_ENGINEER], departments=[rnd])
    reviewer = UserFactory(username="reviewer", roles=[Role.REVIEWER], departments=[rnd])
    UserFactory(username="km", roles=[Role.KNOWLEDGE_MANAGER])
    UserFactory(username="customer", roles=[Role.CUSTOMER])
    category = make_category()
    base = live_server.url

    # The author writes the FAQ through the editor and submits it for review.
    page = _log_in(browser, base, "engineer")
    page.goto(f"{base}/admin/pages/add/kb/faqpage/{category.pk}/")
    page.fill("#id_title", TITLE)
    page.fill("#id_question", QUESTION)
    editor = page.locator('.Draftail-Editor [contenteditable="true"]').first
    editor.click()
    editor.fill(ANSWER)
    # Draftail copies its content into the hidden input the form posts; wait until it has.
    page.wait_for_function(
        "text => document.querySelector('#id_answer').value.includes(text)", arg=ANSWER
    )
    page.locator("[role=tab]", has_text="设置").click()  # the admin speaks Chinese
    page.select_option("#id_confidentiality", "public")
    page.locator("#id_change_note").fill("新建常见问题")
    _open_action_menu(page)
    with page.expect_navigation():
        page.locator('button[name="action-submit"]').click()
    faq = FAQPage.objects.get(title=TITLE)
    assert faq.owner == author and not faq.live
    assert faq.current_workflow_task.name == "部门审核"
    assert ANSWER in faq.answer
    note = PageLogEntry.objects.get(page=faq, action="kb.change_note")
    assert note.data["note"] == "新建常见问题" and note.user == author

    # The reviewer finds it among their notifications and asks for changes.
    review = _log_in(browser, base, "reviewer", "/admin/notifications/")
    review.locator(".kb-notification a", has_text=TITLE).click()
    review.wait_for_url(f"{base}/admin/pages/{faq.pk}/edit/")
    _workflow_action(review, "reject", COMMENT)
    faq.refresh_from_db()
    assert faq.current_workflow_state.status == "needs_changes"
    told = Notification.objects.get(recipient=author, kind=NotificationKind.CHANGES_REQUESTED)
    assert told.comment == COMMENT

    # The author reads the comment, edits and resubmits.
    page.goto(f"{base}/admin/notifications/")
    assert COMMENT in page.locator(".kb-notification").first.inner_text()
    page.goto(f"{base}/admin/pages/{faq.pk}/edit/")
    page.fill("#id_question", QUESTION_V2)
    _open_action_menu(page)
    with page.expect_navigation():
        page.locator('button[name="action-submit"]').click()
    faq.refresh_from_db()
    assert faq.current_workflow_state.status == "in_progress"
    assert faq.current_workflow_task.name == "部门审核"

    # The reviewer approves; the knowledge manager approves, which publishes.
    review.goto(f"{base}/admin/pages/{faq.pk}/edit/")
    _workflow_action(review, "approve")
    faq.refresh_from_db()
    assert faq.current_workflow_task.name == "知识管理员发布"
    manager = _log_in(browser, base, "km", "/admin/notifications/")
    manager.locator(".kb-notification a", has_text=TITLE).click()
    manager.wait_for_url(f"{base}/admin/pages/{faq.pk}/edit/")
    _workflow_action(manager, "approve")
    faq.refresh_from_db()
    assert faq.live and faq.question == QUESTION_V2
    assert reviewer.kb_notifications.filter(kind=NotificationKind.SUBMITTED).count() == 2

    # Anyone reads it on the help centre.
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{base}{faq.url}")
    assert QUESTION_V2 in visitor.content()
    assert ANSWER in visitor.content()
    customer = _log_in(browser, base, "customer", faq.url)
    assert QUESTION_V2 in customer.content()

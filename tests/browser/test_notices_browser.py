"""Browser (issue 12): the unread badge appears after a return, the message links to the task, and clears."""
import pytest

from tests.browser.conftest import login, returned_registration
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_unread_badge_after_a_return_leads_to_the_correction(live_app, page):
    returned_registration(live_app, "jigou3", "shenhe3", 91, "城区审核员", "营业执照复印件不清晰")
    base = live_app.config["LIVE_URL"]
    login(page, base, "jigou3", PASSWORD)
    badge = page.locator("header .notices .badge")
    assert badge.inner_text() == "1"
    page.click("header .notices")
    page.wait_for_selector("h1:has-text('消息')")
    assert "退回补正" in page.inner_text("table.grid")
    page.click("button:has-text('去办理')")
    page.wait_for_selector("form.task-form")
    assert "退回补正" in page.inner_text("h1")
    assert page.locator("header .notices .badge").count() == 0

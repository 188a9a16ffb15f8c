"""Browser: pages still work under the Content-Security-Policy (issue 10) — no inline script is refused."""
import pytest

from models import db
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.process_edits import with_recheck
from workflows.people import create_user

pytestmark = pytest.mark.browser


def test_process_diff_draws_both_diagrams_under_csp(live_app, page):
    """The version diff once started bpmn-js from an inline script; now static JS draws both, marks added steps."""
    with live_app.app_context():
        create_user("csp-owner", PASSWORD, role="process_owner", display_name="流程管理员")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    token = page.request.post(f"{base}/api/tokens", data={"username": "csp-owner", "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    draft = page.request.post(f"{base}/api/processes/registration/drafts", data={"bpmn": with_recheck()},
                              headers=auth).json()
    res = page.request.post(f"{base}/api/processes/registration/drafts/{draft['id']}/publish",
                            data={"reason": "增加复核"}, headers=auth)
    assert res.ok, res.text()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)  # the favicon the app does not ship is not ours
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    login(page, base, "csp-owner", PASSWORD)
    response = page.goto(f"{base}/processes/registration/diff?from=1&to=2")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#old-diagram[data-ready='1']")
    page.wait_for_selector("#new-diagram[data-ready='1']")
    assert page.locator("#new-diagram .djs-element.diff-added").count() >= 1
    assert not errors, "\n".join(errors)

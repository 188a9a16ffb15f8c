"""Browser (issue 12): the unread badge appears after a return, the message links to the task, and clears."""
import pytest

from models import db
from tests.browser.conftest import login
from tests.factories import PASSWORD, PDF, REQUIRED_KINDS, application
from workflows.people import create_user

pytestmark = pytest.mark.browser


def test_unread_badge_after_a_return_leads_to_the_correction(live_app, page):
    from workflows.cases import start_case
    from workflows.documents import upload_document
    from workflows.queries import case_open_tasks
    from workflows.tasks import complete_task
    with live_app.app_context():
        agency = create_user("jigou3", PASSWORD, role="agency", display_name="机构经办人")
        reviewer = create_user("shenhe3", PASSWORD, role="county_official", unit_code="140502",
                               display_name="城区审核员")
        db.session.commit()
        case = start_case(agency, "registration")
        db.session.flush()
        data = application("140502", 91)
        for kind in REQUIRED_KINDS:
            data[kind] = upload_document(agency, case, filename=f"{kind}.pdf", content=PDF, kind=kind).id
        complete_task(agency, case_open_tasks(case.id)[0][0].id, data)
        review = case_open_tasks(case.id)[0][0]
        complete_task(reviewer, review.id, {"decision": "return", "opinion": "营业执照复印件不清晰"})
        db.session.commit()
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

"""Browser: the printed 约谈通知书 shows the interview time the official typed (issue 9; Asia/Shanghai)."""
import pytest

from tests.browser.conftest import login, logout
from tests.browser.test_sanctions_browser import _agency
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_printed_notice_time_matches_the_entry(live_app, page):
    """Typed 09:30 in the notice form → 9时30分 on the print page (not 17:30), same words as the .docx."""
    agency_id = _agency(live_app)
    base = live_app.config["LIVE_URL"]
    login(page, base, "kezhang", PASSWORD)
    page.goto(f"{base}/cases")
    page.click("button:has-text('警示约谈')")
    page.wait_for_selector("#f_agency_id")
    page.select_option("#f_agency_id", str(agency_id))
    page.check("input[name=grounds][value='JC-17-1']")
    page.fill("#f_evidence", "监督检查发现报告存在重大疏漏。")
    page.fill("#f_interview_time", "2030-12-20T09:30")
    page.fill("#f_interview_place", "市应急管理局三楼会议室")
    page.fill("#f_contact_name", "赵科长")
    page.fill("#f_contact_phone", "0356-2020000")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=案件已发起")
    logout(page)
    login(page, base, "juzhang", PASSWORD)
    page.goto(f"{base}/inbox")
    page.click("text=审批约谈通知书")
    page.check("input[name=decision][value=approve]")
    page.click("form.task-form button[type=submit]")
    page.click("text=打印版")
    page.wait_for_selector("h1:has-text('警示约谈通知书')")
    text = page.inner_text("body")
    assert "约谈时间：2030年12月20日9时30分" in text and "17时30分" not in text and "17:30" not in text
    assert "[JC]" not in text and "JC-17-1" not in text and "《晋城市安全生产技术服务机构管理办法(试行)》第十七条" in text
    page.emulate_media(media="print")
    assert not page.is_visible("text=下载 Word 版")


def test_diagram_lanes_are_shown_by_role_title(live_app, page):
    """A read-only diagram (version diff) names its lanes 县级监管人员, not the role key county_official."""
    from models import db
    from tests.process_edits import with_recheck
    from workflows.people import create_user
    with live_app.app_context():
        create_user("liucheng", PASSWORD, role="process_owner", display_name="孙工")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    token = page.request.post(f"{base}/api/tokens", data={"username": "liucheng", "password": PASSWORD}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    draft = page.request.post(f"{base}/api/processes/registration/drafts", data={"bpmn": with_recheck()},
                              headers=auth).json()
    page.request.post(f"{base}/api/processes/registration/drafts/{draft['id']}/publish", data={"reason": "增加复核"},
                      headers=auth)
    login(page, base, "liucheng", PASSWORD)
    page.goto(f"{base}/processes/registration/diff?from=1&to=2")
    page.wait_for_selector("#new-diagram[data-ready='1']")
    drawn = page.inner_text("#new-diagram")
    assert "县级监管人员" in drawn and "county_official" not in drawn

"""Browser: the public complaint page (投诉举报; [JC] 第二十条) and its lookup by 受理编号, before and after the reply."""
import re

import pytest

from models import Complaint, OpenTask, db
from tests.factories import PDF

pytestmark = pytest.mark.browser
AGENCY = "晋城浏览器投诉测试有限公司"


def _agency(app) -> int:
    from tests.sanctions_factories import insert_agency
    with app.app_context():
        agency = insert_agency(AGENCY, "91140500MA0000007F", "140502")
        db.session.commit()
        return agency.id


def _close(app, agency_id: int) -> None:
    """The bureau triages, investigates and replies (the officials' steps are tested over HTTP)."""
    from workflows.people import create_user
    from workflows.tasks import complete_task
    with app.app_context():
        city = create_user("city_b", "pw-browser-1", role="city_official")
        county = create_user("county_b", "pw-browser-1", role="county_official", unit_code="140502")
        db.session.commit()
        for user, bpmn_id, data in (
                (city, "triage", {"triage_decision": "investigate", "agency_id": agency_id}),
                (county, "investigate", {"findings": "核查属实", "proposed_outcome": "unfounded"}),
                (city, "decide", {"outcome_code": "unfounded", "agency_notice": "反映报告与实际不符",
                                  "reply": "经核查，反映问题不属实，感谢监督。"})):
            task = db.session.query(OpenTask).filter_by(bpmn_id=bpmn_id).one()
            complete_task(user, task.id, data)
            db.session.commit()


def test_public_complaint_page_files_anonymously_and_the_code_shows_the_reply(live_app, page, tmp_path):
    """Anyone files from the header link (anonymous, with a PDF), gets a 受理编号, and later sees the reply."""
    agency_id = _agency(live_app)
    base = live_app.config["LIVE_URL"]
    evidence = tmp_path / "证据.pdf"
    evidence.write_bytes(PDF)
    page.goto(f"{base}/public/directory")
    page.click("header >> text=投诉举报")
    page.wait_for_selector("h1:has-text('投诉举报')")
    assert "举报奖励" in page.inner_text("main") and "》第二十条" in page.inner_text("main")
    page.click("button:has-text('提交投诉举报')")  # empty text: the browser's own required check keeps us here
    assert page.url.endswith("/public/complaints/new")
    page.select_option("#agency_id", label=AGENCY)
    page.fill("#text", "该机构出具的安全评价报告与企业实际不符")
    page.set_input_files("#file", str(evidence))
    page.click("button:has-text('提交投诉举报')")
    page.wait_for_selector("text=受理编号")
    code = re.search(r"受理编号 ([0-9A-F]+)", page.inner_text("body")).group(1)
    page.fill("#code", code)
    page.click("button:has-text('查询')")
    page.wait_for_selector("text=已受理，等待分办")
    with live_app.app_context():
        complaint = db.session.query(Complaint).one()
        assert complaint.name is None and complaint.contact is None and complaint.document_id
    _close(live_app, agency_id)
    page.goto(f"{base}/public/complaints/lookup?code={code}")
    body = page.inner_text("main")
    assert "已办结" in body and "经调查，反映问题不属实" in body and "经核查，反映问题不属实，感谢监督。" in body
    page.goto(f"{base}/public/complaints/lookup?code=0000000000")
    assert "未找到该受理编号" in page.inner_text("main")

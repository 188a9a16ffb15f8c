"""Browser: an official drafts an interview notice and a leader approves it; the public blacklist page."""
import pytest

from models import db
from tests.browser.conftest import login, logout
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _agency(app):
    from tests.sanctions_factories import insert_agency
    with app.app_context():
        agency = insert_agency("晋城市浏览器约谈测试有限公司", "91140500MA0000002R", "140502")
        from workflows.people import create_user
        create_user("kezhang", PASSWORD, role="city_official", display_name="赵科长")
        create_user("juzhang", PASSWORD, role="leader", display_name="钱局长")
        db.session.commit()
        return agency.id


def test_official_drafts_and_leader_approves_interview_notice(live_app, page):
    """The notice form in Chromium (checkboxes, datetime), then the leader's approval produces the .docx."""
    agency_id = _agency(live_app)
    base = live_app.config["LIVE_URL"]
    login(page, base, "kezhang", PASSWORD)
    page.goto(f"{base}/cases")
    page.click("button:has-text('警示约谈')")
    page.wait_for_selector("h2:has-text('约谈通知书')")  # the start page: nothing exists until accepted
    page.select_option("#f_agency_id", str(agency_id))
    page.check("input[name=grounds][value='JC-17-1']")
    page.fill("#f_evidence", "监督检查发现报告存在重大疏漏")
    page.fill("#f_interview_time", "2030-12-01T09:30")
    page.fill("#f_interview_place", "市应急管理局三楼会议室")
    page.fill("#f_contact_name", "赵科长")
    page.fill("#f_contact_phone", "0356-2020000")
    assert page.input_value("#f_attendees_required") == "主要负责人"
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=案件已发起")
    logout(page)
    login(page, base, "juzhang", PASSWORD)
    page.goto(f"{base}/inbox")
    page.click("text=审批约谈通知书")
    assert "市应急管理局三楼会议室" in page.inner_text("main")
    preview = page.inner_text("section.submission")  # the notice as it will be issued, above the form
    assert "约谈通知书（预览）" in preview and "晋城市浏览器约谈测试有限公司" in preview
    page.check("input[name=decision][value=approve]")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=约谈通知书-晋城市浏览器约谈测试有限公司.docx")
    page.click("text=打印版")
    page.wait_for_selector("h1:has-text('警示约谈通知书')")


def test_public_blacklist_page_without_login(live_app, page):
    """The public blacklist is reachable from the public header and readable on a phone-sized screen."""
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/public/blacklist")
    assert "目前名单中没有机构" in page.inner_text("table")
    agency_id = _agency(live_app)
    with live_app.app_context():  # a listing as the blacklist process leaves it (the process is tested over HTTP)
        from datetime import date

        from models import Case, Listing, ProcessVersion
        from workflows.clock import now
        version = db.session.query(ProcessVersion).filter_by(process_key="blacklist").first()
        case = Case(process_key="blacklist", process_version_id=version.id, title="列入", status="running",
                    started_at=now(), updated_at=now(), version=1, workflow_json="{}", agency_id=agency_id)
        db.session.add(case)
        db.session.flush()
        db.session.add(Listing(case_id=case.id, agency_id=agency_id, grounds=["JC-18-3"], basis="[JC] 第十八条",
                               penalty_decision_no="晋市应急罚〔2026〕1号", penalty_decided_on=date(2026, 10, 1),
                               decision_no="晋市应急失信〔2026〕9号", listed_on=date(2026, 11, 1),
                               ends_on=date(2029, 10, 31), status="active", created_at=now()))
        db.session.commit()
    page.goto(f"{base}/public/directory")
    assert "晋城市浏览器约谈测试有限公司" not in page.inner_text("main")
    page.click("header >> text=失信名单")
    page.wait_for_selector("h1:has-text('安全生产严重失信主体名单')")
    table = page.inner_text("table")
    assert "晋城市浏览器约谈测试有限公司" in table and "晋市应急失信〔2026〕9号" in table and "出具虚假报告" in table

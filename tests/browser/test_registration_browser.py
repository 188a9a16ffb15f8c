"""Browser: an agency submits its registration, a county official approves, the public directory lists it."""
import pytest

from models import db
from tests.browser.conftest import login, logout, returned_registration
from tests.factories import PASSWORD, PDF, credit_code
from workflows.people import create_user

pytestmark = pytest.mark.browser


def test_agency_submits_county_approves_directory_lists(live_app, page, tmp_path):
    """The whole registration path in Chromium, with CSRF and Chinese validation messages."""
    with live_app.app_context():
        create_user("jigou", PASSWORD, role="agency", display_name="机构经办人")
        create_user("shenhe", PASSWORD, role="county_official", unit_code="140502", display_name="城区审核员")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(PDF)

    login(page, base, "jigou", PASSWORD)
    page.goto(f"{base}/cases")
    page.click("text=初次登记建档")
    page.wait_for_selector("h1:has-text('填报情况表')")
    page.fill("#f_name", "晋城市浏览器测试安全咨询有限公司")
    page.fill("#f_credit_code", "91140500MA0000001X")  # wrong check digit first
    page.fill("#f_legal_representative", "王建国")
    page.fill("#f_contact_person", "李娜")
    page.fill("#f_contact_phone", "13800138000")
    page.fill("#f_email", "browser@example.cn")
    page.fill("#f_address", "晋城市城区凤台东街1号")
    page.select_option("#f_county", "140502")
    page.fill("#f_staff_count", "12")
    page.check("input[name=service_categories][value='安全咨询托管']")
    page.fill("#f_business_scope", "安全生产咨询")
    for kind in ("business_license", "premises_proof", "staff_roster", "staff_certificates",
                 "social_insurance_proof", "commitment"):
        page.set_input_files(f"#file_{kind}", str(pdf))
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "校验位不正确" in page.inner_text(".error-summary")
    assert page.input_value("#f_name") == "晋城市浏览器测试安全咨询有限公司"  # nothing lost
    page.fill("#f_credit_code", credit_code(77))
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=已办理")
    logout(page)

    login(page, base, "shenhe", PASSWORD)
    page.click("text=县级审核登记材料")
    page.click("button:has-text('认领')")
    page.check("input[name=decision][value=approve]")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=已登记建档")

    page.goto(f"{base}/public/directory")
    assert "晋城市浏览器测试安全咨询有限公司" in page.inner_text("table")
    page.screenshot(path=str(tmp_path / "directory.png"))


def test_county_re_review_after_a_correction_opens_empty_beside_the_first_decision(live_app, page):
    """Issue 9: the second review opens with no decision selected and an empty opinion; the first review is
    shown read-only above the form; the agency's correction opened with its own application."""
    returned_registration(live_app, "jigou2", "shenhe2", 88, "城区审核员甲", "营业执照复印件不清晰，请补正后重新提交")
    base = live_app.config["LIVE_URL"]
    login(page, base, "jigou2", PASSWORD)
    page.click("text=退回补正")
    page.wait_for_selector("form.task-form")
    assert page.input_value("#f_name") == "晋城市安泰安全技术服务有限公司88"  # its own words carried over
    assert "请补正后重新提交" not in page.inner_text("form.task-form")
    page.click("form.task-form button.primary")
    page.wait_for_selector("text=已办理")
    logout(page)
    login(page, base, "shenhe2", PASSWORD)
    page.goto(f"{base}/inbox")
    page.click("text=县级审核登记材料")
    page.wait_for_selector("form.task-form")
    form = page.inner_text("form.task-form")
    assert "请补正后重新提交" not in form
    assert page.locator("form.task-form input[name=decision]:checked").count() == 0
    assert page.input_value("#f_opinion") == ""
    earlier = page.inner_text("section.card:has-text('此前的')")
    assert "城区审核员甲" in earlier and "请补正后重新提交" in earlier

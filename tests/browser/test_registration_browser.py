"""Browser: an agency submits its registration, a county official approves, the public directory lists it."""
import pytest

from models import db
from tests.browser.conftest import login, logout
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

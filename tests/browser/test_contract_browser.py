"""Browser: an agency files a service contract with its scan ([WJ] 第十五条) and sees it on its contracts page."""
import pytest

from models import db
from tests.browser.conftest import login
from tests.factories import PASSWORD, PDF, credit_code
from tests.sanctions_factories import insert_agency
from workflows.people import create_user

pytestmark = pytest.mark.browser


def test_agency_files_a_contract(live_app, page, tmp_path):
    """From the 合同报备 page: start a filing, a wrong date order is refused in Chinese, then the filing is listed."""
    with live_app.app_context():
        agency = insert_agency("晋城市浏览器合同测试有限公司", credit_code(88), "140502")
        create_user("hetong", PASSWORD, role="agency", agency_id=agency.id, display_name="合同经办人")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    pdf = tmp_path / "合同.pdf"
    pdf.write_bytes(PDF)

    login(page, base, "hetong", PASSWORD)
    page.click("header >> text=合同报备")
    page.wait_for_selector("h1:has-text('服务合同报备')")
    page.click("button:has-text('报备新合同')")
    page.wait_for_selector("#f_client_name")
    page.fill("#f_client_name", "晋城某煤业有限公司")
    page.fill("#f_town", "北石店镇")
    page.fill("#f_content", "安全现状评价")
    page.select_option("#f_service_type", "安全评估评价")
    page.fill("#f_signed_on", "2026-11-20")
    page.fill("#f_starts_on", "2026-11-25")
    page.fill("#f_ends_on", "2026-11-21")  # before the start: refused
    page.fill("#f_price_wan", "4.8")
    page.fill("#f_client_contact", "赵强")
    page.fill("#f_client_phone", "13700137000")
    page.set_input_files("#file_service_contract", str(pdf))
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "合同截止日期不能早于服务开始日期" in page.inner_text("body")
    page.fill("#f_ends_on", "2026-12-31")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=已办理")
    page.goto(f"{base}/contracts")
    table = page.inner_text("#contracts")
    assert "晋城某煤业有限公司" in table and "待县级确认" in table
    page.screenshot(path=str(tmp_path / "contracts.png"))

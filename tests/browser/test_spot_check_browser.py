"""Browser: a county official runs a half-year spot-check round ([JC] 第十六条、第十九条) — start with a seed, inspect
the drawn project's four focus points with 评鉴依据, conclude, and send the report to the city."""
import pytest

from models import db
from tests.browser.conftest import login
from tests.factories import PASSWORD, credit_code
from tests.sanctions_factories import api_maker, insert_agency
from tests.test_contract_filing import contract, file_contract
from workflows.people import create_user

pytestmark = pytest.mark.browser


def test_county_official_runs_a_spot_check_round(live_app, page, tmp_path):
    """抽查检查 page: missing inspectors refused in Chinese; the round shows its seed and the drawn project; the
    inspector records the focus points; after the conclusion the report goes to the 市局."""
    with live_app.app_context():
        agency = insert_agency("晋城市浏览器抽查测试有限公司", credit_code(77), "140502")
        create_user("choucha", PASSWORD, role="county_official", unit_code="140502", display_name="县局检查员")
        db.session.commit()
        _, api_as = api_maker(live_app)
        filer = api_as("agency", agency_id=agency.id)
        file_contract(filer, contract("2026-11-20", client_name="晋城某煤业有限公司", ends_on="2026-12-31"))
    base = live_app.config["LIVE_URL"]

    login(page, base, "choucha", PASSWORD)
    page.click("header >> text=抽查检查")
    page.wait_for_selector("h1:has-text('服务项目随机抽查')")
    page.fill("#period", "2026H2")
    page.fill("#seed", "12345")
    page.click("#start-round button")
    page.wait_for_selector(".error")
    assert "请填写检查人员" in page.inner_text("body")
    page.fill("#inspectors", "张伟、李强")
    page.click("#start-round button")
    page.wait_for_selector("#samples")
    assert page.inner_text("#seed") == "12345"
    assert "晋城某煤业有限公司" in page.inner_text("#samples")

    page.goto(f"{base}/inbox")
    page.click("text=检查抽中项目")
    page.wait_for_selector("#f_fp1_result")
    for n in (1, 3, 4):
        page.select_option(f"#f_fp{n}_result", "compliant")
    page.select_option("#f_fp2_result", "minor")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "存在问题的，必须填写评鉴依据" in page.inner_text("body")
    page.fill("#f_fp2_finding", "报告未列明整改期限")
    page.fill("#f_fp2_basis", "[JC] 第十九条(二)")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=已办理")

    page.goto(f"{base}/inbox")
    page.click("text=作出抽查处理意见")
    page.wait_for_selector("#f_decision")
    assert "报告未列明整改期限" in page.inner_text("body")
    page.select_option("#f_decision", "no_problem")
    page.click("form.task-form button[type=submit]")
    page.wait_for_selector("text=已办理")

    page.click("header >> text=抽查检查")
    page.click("text=查看")
    page.wait_for_selector("#report-form")
    page.fill("#note", "本轮抽查1家机构，发现一般问题1项")
    page.click("#report-form button")
    page.wait_for_selector("#round-status:has-text('已报送市局')")
    page.screenshot(path=str(tmp_path / "spot_check_round.png"))

"""Browser (issue 12 "Accounts and organisation"): an administrator creates a county official, who logs in with
the one-time password, must change it, and claims a registration review; no shell needed to run a bureau."""
import pytest

from models import OpenTask, User, db
from tests.browser.conftest import login, logout
from tests.factories import PASSWORD, Api
from tests.test_registration import submit
from workflows.people import create_user

pytestmark = pytest.mark.browser


def _submitted_case(app) -> None:
    """An agency's registration in 城区 waiting for the county review (through the JSON API)."""
    with app.app_context():
        user = create_user("jigou", PASSWORD, role="agency", display_name="机构经办人")
        db.session.commit()
        client = app.test_client()
        token = client.post("/api/tokens", json={"username": "jigou", "password": PASSWORD}).get_json()["token"]
        submit(Api(client, token, user))
        db.session.remove()


def test_admin_creates_a_county_official_who_changes_the_password_and_claims_a_task(live_app, page):
    """用户管理 → 一次性密码 → 首次登录修改密码 → 认领县级审核任务; then 退出所有设备 ends the session."""
    with live_app.app_context():
        create_user("guanliyuan", PASSWORD, role="admin", display_name="系统管理员甲")
        db.session.commit()
    _submitted_case(live_app)
    base = live_app.config["LIVE_URL"]

    login(page, base, "guanliyuan", PASSWORD)
    page.click("header >> text=用户管理")
    page.fill("#username", "chengqu01")
    page.fill("#display_name", "城区审核员")
    page.select_option("#role", "county_official")
    page.click("form button.primary")  # no unit yet: refused with a message, form kept
    page.wait_for_selector(".error-summary")
    assert "县级监管人员必须指定所属县" in page.inner_text(".error-summary")
    assert page.input_value("#username") == "chengqu01"
    page.select_option("#unit", "140502")
    page.click("form button.primary")
    one_time = page.inner_text("#one-time-password").strip()
    assert len(one_time) == 12
    logout(page)

    login(page, base, "chengqu01", one_time)
    assert page.url.endswith("/account/password")
    page.goto(f"{base}/inbox")
    assert page.url.endswith("/account/password")  # nothing else opens before the change
    page.fill("#current", one_time)
    page.fill("#new", "Chengqu2026")
    page.fill("#confirm", "Chengqu2026")
    page.click("form button.primary")
    page.wait_for_selector("text=密码已修改")
    page.goto(f"{base}/inbox?scope=unclaimed")
    page.click("text=县级审核登记材料")
    page.click("button:has-text('认领')")
    page.wait_for_selector("form.task-form")
    with live_app.app_context():
        task = db.session.query(OpenTask).filter_by(bpmn_id="county_review").one()
        assert db.session.get(User, task.assignee_id).username == "chengqu01"
        db.session.remove()

    page.click("header button:has-text('退出所有设备')")
    page.wait_for_selector("text=已在所有设备上退出登录")
    page.goto(f"{base}/inbox")
    assert "/login" in page.url

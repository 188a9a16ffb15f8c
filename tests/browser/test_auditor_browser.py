"""Browser: an auditor finds a case, sees its diagram drawn with the path marked, and reads its timeline."""
import pytest

from models import db
from tests.audit_cases import OPINION, returned_case
from tests.browser.conftest import login
from tests.factories import PASSWORD, Api
from tools import verify_case_file
from workflows.people import create_user

pytestmark = pytest.mark.browser


def _case(live_app) -> int:
    """A registration returned for correction, made through the API of the live app."""
    client = live_app.test_client()

    def api(role, unit=None) -> Api:
        user = create_user(f"{role}-b", PASSWORD, role=role, unit_code=unit, display_name=f"{role}-浏览器")
        db.session.commit()
        token = client.post("/api/tokens", json={"username": user.username, "password": PASSWORD}).get_json()
        return Api(client, token["token"], user)
    with live_app.app_context():
        case_id = returned_case(api("agency"), api("county_official", "140502"))
        create_user("shenji", PASSWORD, role="auditor", display_name="审计员甲")
        db.session.commit()
    return case_id


def test_auditor_sees_the_marked_diagram_and_the_timeline(live_app, page, tmp_path):
    """bpmn-js draws the case's own diagram; done steps and the taken path are marked; the timeline lists events."""
    case_id = _case(live_app)
    base = live_app.config["LIVE_URL"]
    login(page, base, "shenji", PASSWORD)
    page.click("header >> text=审计")
    page.fill("#q_text", "营业执照复印件")
    page.click("form[role=search] button[type=submit]")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    page.click(f"#audit-results a[href='/audit/cases/{case_id}']")
    page.wait_for_selector("#case-diagram-canvas[data-rendered=true]")
    canvas = page.locator("#case-diagram-canvas")
    assert canvas.locator("svg").count() >= 1
    for task in ("submit_application", "county_review", "correct_application", "create_directory_entry"):
        assert canvas.locator(f"g.djs-element[data-element-id='{task}'] rect").count() >= 1, task
    done = canvas.locator("g.djs-element.anfu-done")
    done_ids = {done.nth(i).get_attribute("data-element-id") for i in range(done.count())}
    assert {"submit_application", "county_review", "decision_gateway"} <= done_ids
    assert "create_directory_entry" not in done_ids
    assert canvas.locator("g.djs-element.anfu-current[data-element-id='correct_application']").count() == 1
    taken = canvas.locator("g.djs-connection.anfu-taken")
    assert {taken.nth(i).get_attribute("data-element-id") for i in range(taken.count())} >= {"flow_return"}
    fill = page.eval_on_selector("g.djs-element.anfu-done[data-element-id='county_review'] .djs-visual > rect",
                                 "el => getComputedStyle(el).fill")
    assert fill == "rgb(232, 245, 233)"  # the green of completed steps
    assert "县级审核登记材料" in canvas.inner_text()  # task names rendered as labels
    timeline = page.locator("#story-timeline")
    assert timeline.locator("li").count() >= 8
    text = timeline.inner_text()
    assert "county_official-浏览器 · 县级监管人员 · 城区" in text and OPINION in text and "决定：退回补正" in text
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=导出案卷")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"case-{case_id}.zip" and verify_case_file.verify(str(saved)) == []

"""Browser: a process owner adds a review step in the bpmn-js modeler, sees a validation error, fixes it, publishes."""
import pytest

from models import ProcessVersion, db
from tests.browser.conftest import login
from tests.factories import PASSWORD
from workflows.engine import specs_for
from workflows.people import create_user

pytestmark = pytest.mark.browser


def vendor_noise(text: str) -> bool:
    """Console messages that are not ours: dmn-js' bundled Inferno banner, the favicon the app does not ship."""
    return "development build of Inferno" in text or text.startswith("Failed to load resource")


def test_owner_adds_review_step_sees_error_fixes_it_and_publishes(live_app, page, tmp_path):
    with live_app.app_context():
        create_user("liucheng", PASSWORD, role="process_owner", display_name="流程管理员")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not vendor_noise(msg.text)
            else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url
            else None)
    login(page, base, "liucheng", PASSWORD)
    page.click("header >> text=流程")
    page.click("text=初次登记建档")
    page.click("#versions tr[data-version='1'] >> text=在编辑器中打开")
    page.wait_for_selector("body[data-editor-ready='1']")
    assert page.locator("#canvas [data-element-id='county_review']").count() == 1  # auto-laid-out diagram
    page.screenshot(path=str(tmp_path / "layout.png"))

    page.click("#canvas .djs-shape[data-element-id='county_review']")
    page.wait_for_selector("#properties select[name=formKey]")
    assert page.input_value("#properties select[name=formKey]") == "registration_review"
    page.click("#insert-user-task")
    page.wait_for_selector("#properties input[name=name]")
    page.fill("#properties input[name=name]", "法制审核")
    page.press("#properties input[name=name]", "Tab")
    new_id = page.get_attribute("#canvas .djs-shape.selected", "data-element-id")
    assert new_id and new_id.startswith("Activity_")

    page.click("#save")
    page.wait_for_selector("#editor-status.error")
    problems = page.inner_text("#problems")
    assert "法制审核" in problems and "没有设置表单" in problems
    assert page.locator(f"#canvas .djs-element.anfu-problem[data-element-id='{new_id}']").count() == 1
    assert page.is_disabled("#publish button")

    page.click(f"#problems li[data-element-id='{new_id}']")
    page.select_option("#properties select[name=formKey]", "registration_review")
    page.click("#save")
    page.wait_for_selector("#editor-status.ok")
    assert page.locator("#canvas .anfu-problem").count() == 0 and "未发现问题" in page.inner_text("#problem-count")
    page.fill("#reason", "依据局务会决定增加法制审核环节")
    page.click("#publish button")
    page.wait_for_selector("text=已发布为第 2 版")
    page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)
    assert not errors, "\n".join(errors)

    with live_app.app_context():
        v2 = db.session.query(ProcessVersion).filter_by(process_key="registration", version=2).one()
        spec, _ = specs_for(v2)
        task = spec.task_specs[new_id]
        assert task.bpmn_name == "法制审核" and task.lane == "county_official"
        assert task.extensions["properties"]["formKey"] == "registration_review"
        assert "county_review" in [t.name for t in task.inputs]
        assert v2.reason == "依据局务会决定增加法制审核环节"


def test_owner_fixes_a_decision_table_cell_in_dmn_js(live_app, page):
    """A draft whose grade table has a hostile output cell: marked in the table, fixed in dmn-js, saved clean."""
    from tests.process_edits import REGISTRATION
    from tests.test_bpmn_validation import fixture
    from workflows.process_drafts import save_draft
    with live_app.app_context():
        owner = create_user("liucheng", PASSWORD, role="process_owner", display_name="流程管理员")
        draft = save_draft(owner, "registration", REGISTRATION, {"grade": fixture("hostile_output.dmn").decode()})
        db.session.commit()
        draft_id = draft.id
    base = live_app.config["LIVE_URL"]
    login(page, base, "liucheng", PASSWORD)
    page.goto(f"{base}/processes/registration/drafts/{draft_id}")
    page.wait_for_selector("body[data-editor-ready='1']")
    page.wait_for_selector("#dmn-canvas td.anfu-problem[data-element-id='out_a']")
    assert "__import__" in page.inner_text("#problems")
    page.click("#dmn-canvas td[data-element-id='out_a'] [contenteditable]")
    page.keyboard.press("Control+A")
    page.keyboard.type('"A"')
    page.click("#dmn-canvas td[data-element-id='out_b']")
    page.click("#save")
    page.wait_for_selector("#editor-status.ok")
    with live_app.app_context():
        from models import ProcessDraft
        stored = db.session.get(ProcessDraft, draft_id)
        assert stored.problems == [] and "__import__" not in stored.dmn_files["grade"]
        assert '"A"' in stored.dmn_files["grade"] or "&quot;A&quot;" in stored.dmn_files["grade"]

"""A case's story: its own version's diagram with the path marked, and every event told (issue 5)."""
import json
import re
from datetime import UTC, datetime

from freezegun import freeze_time

from models import db
from tests.audit_cases import OPINION, approved_case, returned_case
from tests.test_registration import COUNTY
from workflows import audit
from workflows.timers import tick


def _served_diagram(auditor, case_id: int) -> dict:
    """The diagram data embedded in the story page (what the viewer draws and marks)."""
    res = auditor.client.get(f"/audit/cases/{case_id}", headers=auditor._h())
    assert res.status_code == 200
    raw = re.search(r'<script type="application/json" id="case-diagram">(.*?)</script>', res.get_data(as_text=True),
                    re.DOTALL).group(1)
    return json.loads(raw)


def test_returned_case_marks_done_steps_current_task_and_path(api_as):
    """Returned for correction: the review and return path are done, the correction task is current."""
    agency, official = api_as("agency"), api_as("county_official", unit=COUNTY)
    case_id = returned_case(agency, official)
    auditor = api_as("auditor")
    diagram = _served_diagram(auditor, case_id)
    marks = diagram["marks"]
    assert diagram["process"] == "registration" and diagram["version"] == 1 and "BPMNShape" in diagram["xml"]
    assert {"start", "submit_application", "route_case", "county_review", "decision_gateway",
            "set_correction_deadline"} <= set(marks["completed"])
    assert "correct_application" in marks["current"] and "correction_overdue" in marks["current"]
    assert {"flow_start", "flow_submitted", "flow_to_review", "flow_to_decision", "flow_return",
            "flow_to_correct"} == set(marks["flows"])
    assert "create_directory_entry" not in marks["completed"] and marks["interrupted"] == []
    assert auditor.get(f"/api/cases/{case_id}/diagram").get_json()["marks"] == marks


def test_withdrawn_case_shows_the_interrupted_task_and_the_timer_path(api_as):
    """The correction period ran out: the boundary timer path is taken, the correction task interrupted."""
    with freeze_time("2026-09-25 10:00:00+08:00"):
        agency, official = api_as("agency"), api_as("county_official", unit=COUNTY)
        case_id = returned_case(agency, official)
    assert tick(datetime(2026, 10, 20, tzinfo=UTC)) == 1
    auditor = api_as("auditor")
    marks = _served_diagram(auditor, case_id)["marks"]
    assert marks["interrupted"] == ["correct_application"] and marks["current"] == []
    assert {"correction_overdue", "mark_withdrawn", "end_withdrawn"} <= set(marks["completed"])
    assert {"flow_overdue", "flow_end_withdrawn", "flow_to_correct"} <= set(marks["flows"])
    page = auditor.client.get(f"/audit/cases/{case_id}", headers=auditor._h()).get_data(as_text=True)
    assert "期限届满" in page and "补正期满" in page


def test_approved_case_after_correction_tells_who_what_when_and_why(api_as):
    """The timeline names actor, role and unit, the decision, the opinion, old → new values and hashes."""
    case_id, _agency, official = approved_case(api_as)
    auditor = api_as("auditor")
    res = auditor.client.get(f"/audit/cases/{case_id}", headers=auditor._h())
    html = res.get_data(as_text=True)
    marks = _served_diagram(auditor, case_id)["marks"]
    assert {"flow_approve", "flow_corrected", "flow_registered", "flow_end_approved"} <= set(marks["flows"])
    assert "flow_reject" not in marks["flows"] and marks["current"] == []
    assert f"{official.user.display_name} · 县级监管人员 · 城区" in html
    assert "决定：<strong>退回补正</strong>" in html and "决定：<strong>同意" in html
    assert f"<div class=\"remark\">审核说明：{OPINION}</div>" in html
    assert "单位名称：晋城市安泰安全技术服务有限公司1 → 晋城市安泰安全技术服务有限公司（补正）" in html
    docs = auditor.get(f"/api/cases/{case_id}/history").get_json()["events"]
    sha = next(e["detail"]["sha256"] for e in docs if e["action"] == "document_uploaded")
    assert sha in html  # the full SHA-256 of each document
    for label in ("发起案件", "上传材料", "认领", "办理", "登记建档"):
        assert f'<span class="action">{label}</span>' in html
    assert "bpmn-navigated-viewer.production.min.js" in html and 'id="case-diagram-canvas"' in html
    assert f"/api/cases/{case_id}/export" in html


def test_actions_new_to_the_label_table_are_still_shown_with_their_detail(api_as):
    """A migration (written by the editor) or any future action appears with a label and its raw detail."""
    agency, official = api_as("agency"), api_as("county_official", unit=COUNTY)
    case_id = returned_case(agency, official)
    audit.record("case_migrated", actor_name="流程管理员甲", case_id=case_id,
                 detail={"from_version": 1, "to_version": 2, "reason": "增加复核环节"})
    audit.record("something_new", actor_name="系统", case_id=case_id, detail={"note": "新的事件类型"})
    db.session.commit()
    html = api_as("auditor").client.get(f"/audit/cases/{case_id}",
                                        headers=api_as("auditor")._h()).get_data(as_text=True)
    assert '<span class="action">迁移流程版本</span>' in html and "增加复核环节" in html
    assert '<span class="action">something_new</span>' in html and "新的事件类型" in html

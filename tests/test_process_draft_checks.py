"""Saving a draft lists every problem on its element: the broken/hostile corpus, sandbox escapes, DMN tables.

Issue 5 "Validation before anything runs"; the corpus is tests/fixtures/bpmn (also checked directly in
test_bpmn_validation); here it goes through POST /api/processes/<key>/drafts as the modeler sends it.
"""
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from models import ProcessVersion, db
from tests.process_edits import REGISTRATION, replaced, with_recheck
from tests.test_bpmn_validation import CORPUS, fixture
from tests.test_sandbox import ESCAPES, EXPRESSION_ESCAPES

DRAFTS = "/api/processes/registration/drafts"


def problems(owner, xml: str, dmn: dict | None = None) -> list[dict]:
    res = owner.post(DRAFTS, json={"bpmn": xml, "dmn": dmn or {}})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["publishable"] is (not body["problems"])
    return body["problems"]


def empty_dir(tmp_path: Path) -> Path:
    """A working directory in which a file appearing means some code ran."""
    work = tmp_path / "cwd"
    work.mkdir()
    return work


def reported(found: list[dict], element_id: str | None, *words: str) -> bool:
    return any(p["element_id"] == element_id and all(w in p["message"] for w in words) for p in found)


@pytest.mark.parametrize(("name", "element_id", "words"), CORPUS)
def test_each_broken_diagram_of_the_corpus_is_reported_on_its_element(api_as, name, element_id, words):
    """Schema, start/end, connections, gateways, lanes, forms, services, messages, timers, scripts, ids."""
    owner = api_as("process_owner")
    xml = fixture(name).decode().replace('"inspection"', '"registration"')  # the corpus' process, as ours
    found = problems(owner, xml, {"grade": fixture("grade.dmn").decode()})
    expected = "registration" if element_id == "inspection" else element_id
    assert reported(found, expected, *words), found


@pytest.mark.parametrize(("lane_name", "element_id", "words"), [
    ("专家组", "Lane_county", ["专家组", "不是平台角色"]),
    ("", "Lane_county", ["没有名称"]),
])
def test_lane_that_is_not_a_role_is_reported_on_the_lane(api_as, lane_name, element_id, words):
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, 'name="county_official"', f'name="{lane_name}"')
    assert reported(problems(owner, xml), element_id, *words)


def test_user_task_outside_a_lane_and_unknown_form_on_the_registration_diagram(api_as):
    owner = api_as("process_owner")
    found = problems(owner, with_recheck(lane=False, form="no_such_form"))
    assert reported(found, "recheck_review", "不在任何泳道")
    assert reported(found, "recheck_review", "no_such_form", "未在平台注册")


def test_unknown_service_message_and_bad_timer_on_the_registration_diagram(api_as):
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, 'id="register_agency"', 'id="register_agency_v2"')
    xml = replaced(xml, 'correction_deadline["due_at"]', "P10D")
    found = problems(owner, xml)
    assert reported(found, "create_directory_entry", "register_agency_v2", "未在平台注册")
    assert reported(found, "correction_overdue", "P10D", "加引号")


def test_gateway_flow_without_condition_or_default(api_as):
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, ' default="flow_return"', "")
    assert reported(problems(owner, xml), "flow_return", "decision_gateway", "既没有条件")


def test_missing_end_and_disconnected_element(api_as):
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, '<bpmn:endEvent id="end_rejected" name="不予登记">',
                   '<bpmn:intermediateThrowEvent id="end_rejected" name="不予登记">')
    xml = replaced(xml, "</bpmn:endEvent>\n    <bpmn:serviceTask id=\"set_correction_deadline\"",
                   "</bpmn:intermediateThrowEvent>\n    <bpmn:serviceTask id=\"set_correction_deadline\"")
    found = problems(owner, xml)
    assert reported(found, "end_rejected", "没有连出")


@pytest.mark.parametrize("code", list(ESCAPES.values()), ids=list(ESCAPES))
def test_sandbox_escape_in_a_script_is_reported_never_run_and_blocks_publishing(api_as, code, tmp_path,
                                                                                monkeypatch):
    """Known Python sandbox escapes in a script task: reported on the task, nothing executes, no publish."""
    monkeypatch.chdir(empty_dir(tmp_path))
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, '<bpmn:script>outcome = "approved"</bpmn:script>',
                   f"<bpmn:script>{escape(code)}</bpmn:script>")
    res = owner.post(DRAFTS, json={"bpmn": xml})
    found = res.get_json()["problems"]
    assert any(p["element_id"] == "mark_approved" and "不允许执行" in p["message"] for p in found), found
    assert owner.post(f"{DRAFTS}/{res.get_json()['id']}/publish", json={"reason": "测试发布"}).status_code == 422
    assert not list(Path.cwd().iterdir()) and not Path("CANARY").exists()
    assert db.session.query(ProcessVersion).filter_by(process_key="registration").count() == 1


@pytest.mark.parametrize("code", list(EXPRESSION_ESCAPES.values()), ids=list(EXPRESSION_ESCAPES))
def test_sandbox_escape_in_a_condition_is_reported_on_the_flow(api_as, code, tmp_path, monkeypatch):
    monkeypatch.chdir(empty_dir(tmp_path))
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, 'decision == "approve"', escape(code))
    found = problems(owner, xml)
    assert any(p["element_id"] == "flow_approve" and "不允许执行" in p["message"] for p in found), found
    assert not list(Path.cwd().iterdir())


@pytest.mark.parametrize(("dmn", "element_id", "words"), [
    ("hostile_output.dmn", "out_a", ["第 1 条规则的输出", "__import__"]),
    ("hostile_input.dmn", "entry_c", ["第 3 条规则的输入条件", "__class__"]),
])
def test_hostile_decision_table_entry_is_reported_on_the_entry(api_as, dmn, element_id, words):
    """DMN tables saved with the draft are checked like scripts."""
    owner = api_as("process_owner")
    assert reported(problems(owner, REGISTRATION, {"grade": fixture(dmn).decode()}), element_id, *words)


def test_valid_decision_table_is_saved_with_the_draft(api_as):
    owner = api_as("process_owner")
    res = owner.post(DRAFTS, json={"bpmn": REGISTRATION, "dmn": {"grade": fixture("grade.dmn").decode()}})
    assert res.get_json()["problems"] == []
    draft = owner.get(f"{DRAFTS}/{res.get_json()['id']}").get_json()
    assert "grade" in draft["dmn"] and "BPMNShape" in draft["xml"]


@pytest.mark.parametrize(("code", "words"), [
    ("while True:\n    pass", "while 循环的条件恒为真"),
    ("while 1:\n    for row in range(3):\n        break", "while 循环的条件恒为真"),
    ('outcome = f"{1:>1000000000}"', "格式宽度过大"),
    ("outcome = datetime.now()", "不存在的名称“datetime”"),
    ("import_time = json.dumps({})", "不存在的名称“json”"),
])
def test_runaway_loop_and_missing_module_in_a_script_are_reported_on_the_task(api_as, code, words):
    """Issues 10/13: an endless loop, a huge format width or a module the engine lacks block publishing."""
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, '<bpmn:script>outcome = "approved"</bpmn:script>',
                   f"<bpmn:script>{escape(code)}</bpmn:script>")
    found = problems(owner, xml)
    assert reported(found, "mark_approved", words), found


def test_module_name_assigned_by_the_script_itself_is_not_reported(api_as):
    """A script may call its own variable `json` or `datetime`; only names read but never set are reported."""
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, '<bpmn:script>outcome = "approved"</bpmn:script>',
                   '<bpmn:script>json = "approved"\noutcome = json</bpmn:script>')
    assert problems(owner, xml) == []


def test_gateway_whose_conditions_are_all_false_literals_is_reported(api_as):
    """Issue 13: no default flow and every condition a false literal → the case could never leave the gateway."""
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, 'name="审核意见" default="flow_return"', 'name="审核意见"')
    xml = replaced(xml, 'targetRef="set_correction_deadline" />', 'targetRef="set_correction_deadline">'
                   "<bpmn:conditionExpression>0</bpmn:conditionExpression></bpmn:sequenceFlow>")
    for cond in ('decision == "approve"', 'decision == "reject"'):
        xml = replaced(xml, cond, "False")
    found = problems(owner, xml)
    assert reported(found, "decision_gateway", "所有出口的条件恒为假"), found

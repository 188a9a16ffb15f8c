"""Issue 10 "A published diagram must not take the platform down" and issue 13 "Start-time failures answer 500".

A runaway script (endless loop, `'a'*10**10`, deep recursion, a huge comprehension) fails its step with a
Chinese 422 within the time limit, nothing half-saved, the failure recorded, and the next write on another
case succeeds; a failure while a case starts (no gateway condition true, a name the engine lacks) answers 422,
never 500, on both the web form and the API, and is recorded in the audit trail.
"""
import json
import time

import pytest

from models import AuditEvent, Case, OpenTask, db
from tests.factories import PASSWORD
from tests.process_edits import REGISTRATION, replaced
from tests.test_process_editor import publish, save
from workflows import script_checks, script_limits

RUNAWAY = {
    "endless_loop": ("n = 1\nwhile n > 0:\n    n = n + 1", "脚本运行超过时限（1秒）"),
    "huge_string": ("text = 'a' * 10**10", "脚本生成的数据过大"),
    "deep_recursion": ("def depth(n):\n    return depth(n + 1)\nresult = depth(0)", "脚本递归层数过深"),
    "huge_comprehension": ("rows = [i for i in range(10**9)]", "脚本生成的数据过大"),
}


def _script_task(script: str) -> str:
    body = script.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'    <bpmn:scriptTask id="start_script" name="预处理">\n      <bpmn:incoming>flow_start</bpmn:incoming>\n'
            f'      <bpmn:outgoing>flow_scripted</bpmn:outgoing>\n      <bpmn:script>{body}</bpmn:script>\n'
            '    </bpmn:scriptTask>\n')


def with_start_script(script: str) -> str:
    """The registration diagram with a script task between the start event and the agency's first form."""
    xml = replaced(REGISTRATION, '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="submit_application" />',
                   '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="start_script" />\n'
                   '    <bpmn:sequenceFlow id="flow_scripted" sourceRef="start_script" targetRef="submit_application" />')
    xml = replaced(xml, "<bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted",
                   "<bpmn:incoming>flow_scripted</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted")
    xml = replaced(xml, '    <bpmn:userTask id="submit_application"', _script_task(script)
                   + '    <bpmn:userTask id="submit_application"')
    return replaced(xml, "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
                    "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>start_script</bpmn:flowNodeRef>")


def with_start_gateway(first: str, second: str) -> str:
    """The registration diagram with an exclusive gateway (no default) right after the start event."""
    xml = replaced(REGISTRATION, '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="submit_application" />',
                   '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="start_gateway" />\n'
                   '    <bpmn:sequenceFlow id="flow_gw_a" sourceRef="start_gateway" targetRef="submit_application">'
                   f'<bpmn:conditionExpression>{first}</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
                   '    <bpmn:sequenceFlow id="flow_gw_b" sourceRef="start_gateway" targetRef="submit_application">'
                   f'<bpmn:conditionExpression>{second}</bpmn:conditionExpression></bpmn:sequenceFlow>')
    xml = replaced(xml, "<bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted",
                   "<bpmn:incoming>flow_gw_a</bpmn:incoming>\n      <bpmn:incoming>flow_gw_b</bpmn:incoming>\n"
                   "      <bpmn:outgoing>flow_submitted")
    xml = replaced(xml, '    <bpmn:userTask id="submit_application"',
                   '    <bpmn:exclusiveGateway id="start_gateway" name="是否受理">\n'
                   '      <bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:outgoing>flow_gw_a</bpmn:outgoing>\n'
                   '      <bpmn:outgoing>flow_gw_b</bpmn:outgoing>\n    </bpmn:exclusiveGateway>\n'
                   '    <bpmn:userTask id="submit_application"')
    return replaced(xml, "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
                    "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>start_gateway</bpmn:flowNodeRef>")


def _publish(owner, xml: str):
    draft = save(owner, xml)
    assert draft["problems"] == [], draft["problems"]
    res = publish(owner, draft["id"], reason="增加受理前预处理（测试）")
    assert res.status_code == 201, res.get_json()


def _start_failures() -> list[dict]:
    return [json.loads(e.detail) for e in db.session.query(AuditEvent).filter_by(action="engine_error")
            if e.case_id is None]


def _other_case_still_writable(agency, case_id: int) -> None:
    """The write lock is free: a material is uploaded to a case started before the publish."""
    from flask import current_app
    kind = current_app.config["CITY_POLICY"].registration_materials[0]["kind"]
    res = agency.upload(case_id, kind)
    assert res.status_code == 201, res.get_json()


@pytest.fixture
def fast_limit(monkeypatch):
    monkeypatch.setattr(script_limits, "TIME_LIMIT", 1.0)


@pytest.mark.parametrize("name", list(RUNAWAY))
def test_runaway_start_script_fails_with_422_and_the_next_write_succeeds(api_as, fast_limit, name):
    """Issue 10: each runaway script stops within its limit; 422 in Chinese, no case row, audit entry, writes go on."""
    script, words = RUNAWAY[name]
    owner, agency, other = api_as("process_owner"), api_as("agency"), api_as("agency")
    before = other.post("/api/cases", json={"process": "registration"}).get_json()["id"]
    _publish(owner, with_start_script(script))
    cases_before = db.session.query(Case).count()

    started = time.monotonic()
    res = agency.post("/api/cases", json={"process": "registration"})
    assert time.monotonic() - started < 30
    assert res.status_code == 422, res.get_data(as_text=True)
    body = res.get_json()
    assert body["error"] == "engine_error" and words in body["message"] and "start_script" in body["message"]
    assert "本步骤未生效" in body["message"]
    db.session.expire_all()
    assert db.session.query(Case).count() == cases_before  # nothing half-saved
    assert any(words in f["message"] for f in _start_failures())
    _other_case_still_writable(other, before)


def test_obvious_endless_loop_is_refused_by_the_draft_check(api_as):
    """Issue 10: `while True: pass` is refused when the draft is saved, so it can never be published."""
    owner = api_as("process_owner")
    draft = save(owner, with_start_script("while True:\n    pass"))
    messages = [p["message"] for p in draft["problems"]]
    assert not draft["publishable"]
    assert any("start_script" in m and "while 循环的条件恒为真" in m for m in messages), messages


def test_gateway_with_no_true_condition_at_start_is_422_on_api_and_web(api_as, client):
    """Issue 13: no outgoing condition true (and no default) while starting → 422 with the reason, never 500."""
    owner, agency = api_as("process_owner"), api_as("agency")
    _publish(owner, with_start_gateway("case_id &lt; 0", "case_id == 0"))
    res = agency.post("/api/cases", json={"process": "registration"})
    assert res.status_code == 422, res.get_data(as_text=True)
    assert "出口条件都不成立" in res.get_json()["message"] and "start_gateway" in res.get_json()["message"]

    client.post("/login", data={"username": agency.user.username, "password": PASSWORD})
    page = client.post("/cases/new", data={"process": "registration"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "出口条件都不成立" in html and 'role="alert"' in html and "发起" in html
    form = client.get("/cases/new?process=registration")  # the start page starts the case to show its form
    assert form.status_code == 422 and "出口条件都不成立" in form.get_data(as_text=True)
    assert db.session.query(Case).count() == 0
    assert len(_start_failures()) == 3


def test_name_the_engine_lacks_at_start_is_422_on_api_and_web(api_as, client, monkeypatch):
    """Issue 13: a `datetime` script in a version published before the draft check knew it → 422, not 500."""
    owner, agency = api_as("process_owner"), api_as("agency")
    monkeypatch.setattr(script_checks, "check_script_names", lambda process: iter(()), raising=False)  # older
    _publish(owner, with_start_script("received = datetime.now()"))
    monkeypatch.undo()
    res = agency.post("/api/cases", json={"process": "registration"})
    assert res.status_code == 422, res.get_data(as_text=True)
    assert "未定义的名称“datetime”" in res.get_json()["message"]

    client.post("/login", data={"username": agency.user.username, "password": PASSWORD})
    page = client.post("/cases/new", data={"process": "registration"})
    assert page.status_code == 422 and "未定义的名称“datetime”" in page.get_data(as_text=True)
    assert db.session.query(Case).count() == 0


def test_runaway_script_after_the_first_form_is_recorded_on_the_case(api_as, fast_limit):
    """Issue 10: a runaway later in the case fails that step only; the case keeps its task and notes the error."""
    owner, agency = api_as("process_owner"), api_as("agency")
    xml = replaced(REGISTRATION, '<bpmn:sequenceFlow id="flow_submitted" sourceRef="submit_application" '
                   'targetRef="route_case" />', '<bpmn:sequenceFlow id="flow_submitted" sourceRef="submit_application" '
                   'targetRef="start_script" />\n    <bpmn:sequenceFlow id="flow_scripted" sourceRef="start_script" '
                   'targetRef="route_case" />')
    xml = replaced(xml, "<bpmn:incoming>flow_submitted</bpmn:incoming>", "<bpmn:incoming>flow_scripted</bpmn:incoming>")
    script = _script_task("n = 1\nwhile n:\n    n = n + 1").replace("flow_start", "flow_submitted")
    xml = replaced(xml, '    <bpmn:serviceTask id="route_case"', script + '    <bpmn:serviceTask id="route_case"')
    _publish(owner, replaced(xml, "<bpmn:flowNodeRef>submit_application</bpmn:flowNodeRef>",
                             "<bpmn:flowNodeRef>submit_application</bpmn:flowNodeRef>\n"
                             "        <bpmn:flowNodeRef>start_script</bpmn:flowNodeRef>"))
    from tests.test_registration import submit
    with pytest.raises(AssertionError):
        submit(agency)
    case = db.session.query(Case).one()
    db.session.refresh(case)
    assert "脚本运行超过时限（1秒）" in (case.last_error or "") and case.status == "running"
    [task] = db.session.query(OpenTask).filter_by(case_id=case.id).all()
    assert task.bpmn_id == "submit_application"  # the step was rolled back
    events = db.session.query(AuditEvent).filter_by(action="engine_error", case_id=case.id).all()
    assert events and "本步骤未生效" in json.loads(events[0].detail)["message"]


def test_loop_through_the_diagram_itself_is_stopped_by_the_step_limit(api_as, monkeypatch):
    """Issue 10: a script task and a gateway that always lead back are stopped by the step's shared deadline."""
    monkeypatch.setattr(script_limits, "STEP_TIME_LIMIT", 1.0)
    owner, agency, other = api_as("process_owner"), api_as("agency"), api_as("agency")
    before = other.post("/api/cases", json={"process": "registration"}).get_json()["id"]
    xml = replaced(with_start_script("n = 1"), '<bpmn:sequenceFlow id="flow_scripted" sourceRef="start_script" '
                   'targetRef="submit_application" />',
                   '<bpmn:sequenceFlow id="flow_scripted" sourceRef="start_script" targetRef="loop_gateway" />\n'
                   '    <bpmn:sequenceFlow id="flow_again" sourceRef="loop_gateway" targetRef="start_script">'
                   "<bpmn:conditionExpression>n &gt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
                   '    <bpmn:sequenceFlow id="flow_on" sourceRef="loop_gateway" targetRef="submit_application" />')
    xml = replaced(xml, "<bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:outgoing>flow_scripted",
                   "<bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:incoming>flow_again</bpmn:incoming>\n"
                   "      <bpmn:outgoing>flow_scripted")
    xml = replaced(xml, "<bpmn:incoming>flow_scripted</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted",
                   "<bpmn:incoming>flow_on</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted")
    xml = replaced(xml, '    <bpmn:userTask id="submit_application"',
                   '    <bpmn:exclusiveGateway id="loop_gateway" name="是否重算" default="flow_on">\n'
                   '      <bpmn:incoming>flow_scripted</bpmn:incoming>\n      <bpmn:outgoing>flow_again</bpmn:outgoing>\n'
                   '      <bpmn:outgoing>flow_on</bpmn:outgoing>\n    </bpmn:exclusiveGateway>\n'
                   '    <bpmn:userTask id="submit_application"')
    _publish(owner, replaced(xml, "<bpmn:flowNodeRef>start_script</bpmn:flowNodeRef>",
                             "<bpmn:flowNodeRef>start_script</bpmn:flowNodeRef>\n"
                             "        <bpmn:flowNodeRef>loop_gateway</bpmn:flowNodeRef>"))
    res = agency.post("/api/cases", json={"process": "registration"})
    assert res.status_code == 422, res.get_data(as_text=True)
    assert "累计运行超过时限（1秒）" in res.get_json()["message"]
    _other_case_still_writable(other, before)

"""Issue 13 "No published diagram can strand a case": every construct the validator accepts runs, every refusal
is Chinese and names its element, and no save, view or start answers 5xx.

Each fixture in tests/fixtures/corpus/*.xml is a small piece of diagram inserted between the start event and
the agency's first form of the shipped registration diagram (text after `<!-- process -->` goes into the
process, text before it beside the process), then saved → published → started through the HTTP API.
"""
import re
from pathlib import Path

import pytest
from lxml import etree

from models import CaseTimer, OpenTask, db
from tests.process_edits import REGISTRATION, replaced
from tests.test_process_editor import publish, save

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
DRAFTS = "/api/processes/registration/drafts"
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')
FLOW_NODES = {"task", "manualTask", "userTask", "intermediateThrowEvent", "intermediateCatchEvent", "endEvent",
              "parallelGateway", "boundaryEvent", "receiveTask", "exclusiveGateway"}

# fixture -> what the started case shows: the BPMN id of its open task, or "waiting" (a timer or a message)
ACCEPTED = {
    "plain_task": "submit_application",  # a plain bpmn:task is a pass-through step, never an inbox row
    "manual_task_with_form": "corpus_first",
    "none_throw": "submit_application",
    "timer_catch": "timer",
    "message_catch": "waiting",
    "message_throw": "submit_application",
    "signal_throw": "submit_application",
    "escalation_throw": "submit_application",
    "conditional_catch": "submit_application",
    "implicit_end": "submit_application",  # a task with no outgoing flow ends its path (BPMN implicit end)
    "boundary_timer_implicit_end": "submit_application",
    "terminate_end": "submit_application",
}
# fixture -> (element named, words of the refusal)
REFUSED = {
    "manual_task_without_form": ("corpus_first", ["人工任务", "现场核对", "表单"]),
    "message_catch_without_ref": ("corpus_first", ["等待通知", "消息"]),
    "receive_task_without_ref": ("corpus_first", ["接收回执", "消息"]),
    "boundary_message_without_ref": ("corpus_boundary", ["收到撤回通知", "消息"]),
    "signal_catch": ("corpus_first", ["等待信号", "信号"]),
    "implicit_split": ("corpus_first", ["登记收件", "并行网关"]),
    "compensation_boundary": ("corpus_boundary", ["撤销核对", "补偿事件"]),
    "link_pair": ("corpus_first", ["转到受理", "链接事件"]),  # Spiff 3.2 parses a link as a plain event
}


def corpus_diagram(name: str) -> str:
    """The registration diagram with the fixture inserted between its start and the agency's first form."""
    text = (CORPUS / f"{name}.xml").read_text()
    beside, _, inside = text.rpartition("<!-- process -->")
    nodes = etree.fromstring(f"<r {NS}>{inside}</r>")
    ids = [el.get("id") for el in nodes if etree.QName(el).localname in FLOW_NODES]
    last = next(el.get("id") for el in nodes if any(c.text == "flow_corpus_out" for c in el))
    xml = replaced(REGISTRATION, 'sourceRef="start" targetRef="submit_application" />',
                   'sourceRef="start" targetRef="corpus_first" />\n    <bpmn:sequenceFlow id="flow_corpus_out" '
                   f'sourceRef="{last}" targetRef="submit_application" />')
    xml = replaced(xml, "<bpmn:incoming>flow_start</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted",
                   "<bpmn:incoming>flow_corpus_out</bpmn:incoming>\n      <bpmn:outgoing>flow_submitted")
    xml = replaced(xml, '    <bpmn:userTask id="submit_application"', inside.strip("\n") + "\n"
                   '    <bpmn:userTask id="submit_application"')
    xml = replaced(xml, '  <bpmn:process id="registration"', beside + '  <bpmn:process id="registration"')
    refs = "".join(f"\n        <bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    return replaced(xml, "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>" + refs)


def chinese_and_actionable(message: str) -> bool:
    """Chinese, no Python objects, no English sentence, no namespace URI."""
    return (bool(re.search(r"[\u4e00-\u9fff]{4}", message)) and "<Element" not in message
            and " at 0x" not in message and "http://" not in message
            and not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", message))


def test_every_fixture_is_classified():
    assert {p.stem for p in CORPUS.glob("*.xml")} == set(ACCEPTED) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_construct_saves_publishes_and_starts_a_case_that_is_not_stuck(api_as, name):
    """Rule: every construct the validator accepts runs; no inbox row without a role, no 5xx."""
    owner, agency = api_as("process_owner"), api_as("agency")
    draft = save(owner, corpus_diagram(name))
    assert draft["problems"] == [], draft["problems"]
    view = owner.get(f"{DRAFTS}/{draft['id']}")
    assert view.status_code == 200
    res = publish(owner, draft["id"], reason="流程库样例（测试）")
    assert res.status_code == 201, res.get_json()
    res = agency.post("/api/cases", json={"process": "registration"})
    assert res.status_code == 201, res.get_data(as_text=True)
    case_id = res.get_json()["id"]
    rows = db.session.query(OpenTask).filter_by(case_id=case_id).all()
    assert all(r.role and r.form_key for r in rows), [(r.bpmn_id, r.role, r.form_key) for r in rows]
    expected = ACCEPTED[name]
    if expected == "timer":
        assert not rows and db.session.query(CaseTimer).filter_by(case_id=case_id).count() == 1
    elif expected == "waiting":
        assert not rows
    else:
        assert [r.bpmn_id for r in rows] == [expected]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_construct_is_named_in_chinese_at_save(api_as, name):
    """Rule: a construct that would strand a case is refused at save with the element named, and never published."""
    owner = api_as("process_owner")
    element_id, words = REFUSED[name]
    draft = save(owner, corpus_diagram(name))
    found = [p for p in draft["problems"] if p["element_id"] == element_id]
    assert any(all(w in p["message"] for w in words) for p in found), draft["problems"]
    assert all(chinese_and_actionable(p["message"]) for p in draft["problems"]), draft["problems"]
    assert publish(owner, draft["id"], reason="流程库样例（测试）").status_code == 422

"""Issue 13 "Messages a process owner can act on": odd files (no process, DMN 1.2 with DMNDI, FEEL ranges, other
encodings) are saved and viewed without a 5xx, and every refusal is Chinese and names its element or file.
"""
import pytest

from tests.process_edits import REGISTRATION, replaced
from tests.test_diagram_corpus import CORPUS, DRAFTS, chinese_and_actionable
from workflows import diagram_messages


def _save(owner, xml: str, dmn: dict | None = None):
    return owner.post(DRAFTS, json={"bpmn": xml, "dmn": dmn or {}})


@pytest.mark.parametrize("name", ["empty_definitions", "diagram_without_process", "unknown_child"])
def test_file_without_a_process_is_saved_with_a_chinese_problem_and_can_be_opened(api_as, name):
    """bpmn-js fixtures' shapes (no <process>/<collaboration>, an unknown child): save and view never 5xx."""
    owner = api_as("process_owner")
    res = _save(owner, (CORPUS / f"{name}.bpmn").read_text())
    assert res.status_code in (201, 422), res.get_data(as_text=True)
    body = res.get_json()
    if res.status_code == 422:
        assert chinese_and_actionable(body["message"]), body
        return
    assert body["problems"] and all(chinese_and_actionable(p["message"]) for p in body["problems"]), body
    view = owner.get(f"{DRAFTS}/{body['id']}")
    assert view.status_code == 200, view.get_data(as_text=True)


def test_dmn_1_2_with_dmndi_is_accepted(api_as):
    """DMN 1.1–1.3 are supported: a DMN 1.2 table with its DMNDI diagram saves without problems (was a 500)."""
    owner = api_as("process_owner")
    res = _save(owner, REGISTRATION, {"score": (CORPUS / "dmn12_with_dmndi.dmn").read_text()})
    assert res.status_code == 201, res.get_data(as_text=True)
    assert res.get_json()["problems"] == []


def test_feel_range_is_named_with_its_rule_and_a_fix(api_as):
    """A FEEL range such as [80..100] is not Python: the refusal names the rule and how to write it."""
    owner = api_as("process_owner")
    res = _save(owner, REGISTRATION, {"score": (CORPUS / "feel_range.dmn").read_text()})
    assert res.status_code == 201, res.get_data(as_text=True)
    found = res.get_json()["problems"]
    assert any(p["element_id"] == "Entry_high" and "区间" in p["message"] and "80 <= " in p["message"]
               for p in found), found
    assert all(chinese_and_actionable(p["message"]) for p in found), found


def test_broken_dmn_is_blamed_on_the_dmn_file_not_the_diagram(api_as):
    """A decision table the engine cannot read is reported on its file, in Chinese."""
    owner = api_as("process_owner")
    dmn = (CORPUS / "dmn12_with_dmndi.dmn").read_text().replace('<decisionTable id="DecisionTable_score">', "")
    dmn = dmn.replace("</decisionTable>", "")
    res = _save(owner, REGISTRATION, {"score": dmn})
    assert res.status_code in (201, 422), res.get_data(as_text=True)
    body = res.get_json()
    messages = [p["message"] for p in body.get("problems", [])] or [body["message"]]
    assert any("决策表文件“score”" in m for m in messages), messages
    assert all(chinese_and_actionable(m) for m in messages), messages


@pytest.mark.parametrize(("encoding", "name"), [("ISO-8859-1", "Prüfung 1"), ("GBK", "县级审核登记材料（复核）")])
def test_declared_encoding_does_not_garble_names(api_as, encoding, name):
    """The API's text is already decoded: a file declaring ISO-8859-1 or GBK keeps its names and is stored as UTF-8."""
    owner = api_as("process_owner")
    xml = replaced(REGISTRATION, 'encoding="UTF-8"', f'encoding="{encoding}"')
    xml = replaced(xml, 'name="县级审核登记材料"', f'name="{name}"')
    res = _save(owner, xml)
    assert res.status_code == 201, res.get_data(as_text=True)
    assert res.get_json()["problems"] == [], res.get_json()["problems"]
    view = owner.get(f"{DRAFTS}/{res.get_json()['id']}").get_json()
    assert f'name="{name}"' in view["xml"]
    assert encoding not in view["xml"]


def test_layout_error_alone_is_not_refused_and_the_layout_is_redrawn(api_as):
    """A drawing (DI) error does not change how a case runs: saved without problems, published, started."""
    owner, agency = api_as("process_owner"), api_as("agency")
    broken = ('  <bpmndi:BPMNDiagram id="Diagram_broken"><bpmndi:BPMNPlane id="Plane_broken" '
              'bpmnElement="Collab_registration"><bpmndi:BPMNShape id="Shape_start" bpmnElement="start" />'
              '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>')
    res = _save(owner, replaced(REGISTRATION, "</bpmn:definitions>", broken))
    assert res.status_code == 201 and res.get_json()["problems"] == [], res.get_json()
    draft_id = res.get_json()["id"]
    view = owner.get(f"{DRAFTS}/{draft_id}").get_json()
    assert "Shape_start" not in view["xml"] and "BPMNShape" in view["xml"]  # drawn again automatically
    published = owner.post(f"{DRAFTS}/{draft_id}/publish", json={"reason": "修正流程图布局（测试）"})
    assert published.status_code == 201, published.get_json()
    assert agency.post("/api/cases", json={"process": "registration"}).status_code == 201


@pytest.mark.parametrize(("raw", "words"), [
    (("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}someElement': This element is not expected. Expected is "
     "one of ( {http://www.omg.org/spec/BPMN/20100524/MODEL}process, {http://www.omg.org/spec/BPMN/20100524/MODEL}"
     "collaboration )."), ["bpmn:someElement", "不应出现", "bpmn:process"]),
    (("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}task', attribute 'foo': The attribute 'foo' is not "
     "allowed."), ["bpmn:task", "foo", "删除"]),
])
def test_schema_errors_read_in_chinese_without_namespace_uris(raw, words):
    """The XSD's English (with {namespace} names) becomes Chinese with prefixed names."""
    text = diagram_messages.xsd_message(raw)
    assert all(w in text for w in words) and chinese_and_actionable(text), text


@pytest.mark.parametrize(("raw", "words"), [
    (("Cannot resolve dataInputAssociation <Element {http://www.omg.org/spec/BPMN/20100524/MODEL}sourceRef at "
     "0x7f3a2c>"), ["数据对象"]),
    ("Multiple outgoing flows are not supported for tasks of type", ["并行网关"]),
    ("Something new in SpiffWorkflow 9", ["无法被流程引擎解析"]),
])
def test_engine_errors_read_in_chinese_with_what_to_do(raw, words):
    """Spiff's parser texts go through one table; unknown ones still get a Chinese sentence, never a repr."""
    text = diagram_messages.engine_message(raw)
    assert all(w in text for w in words) and chinese_and_actionable(text), text

"""The drawable diagram: a layout added to diagrams without BPMNDI, valid for the XSD and the parser."""
from pathlib import Path

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from workflows.diagram_view import BPMN, BPMNDI, DC, displayable_xml
from workflows.validation import parse_spec

SHIPPED = Path(__file__).resolve().parent.parent / "bpmn"
FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "scriptTask", "exclusiveGateway", "manualTask",
              "boundaryEvent", "intermediateCatchEvent", "businessRuleTask", "parallelGateway")


PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="plain" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:manualTask id="a"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:manualTask>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="again" default="f7"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f7</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="a"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="wait"/>
    <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="again"/>
    <bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="again"/>
    <bpmn:sequenceFlow id="f6" sourceRef="again" targetRef="split">
      <bpmn:conditionExpression>False</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f7" sourceRef="again" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def _layout(name: str):
    source = PLAIN if name == "plain.bpmn" else (SHIPPED / name).read_text()
    xml = displayable_xml(source)
    return xml, etree.fromstring(xml.encode())


def _bounds(root) -> dict[str, tuple[float, ...]]:
    return {s.get("bpmnElement"): tuple(float(s.find(f"{{{DC}}}Bounds").get(k))
                                        for k in ("x", "y", "width", "height"))
            for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}


def test_every_node_has_a_shape_and_every_flow_an_edge():
    """Every flow node, lane and the pool are drawn; every sequence flow has at least two waypoints."""
    for path in [*SHIPPED.glob("*.bpmn"), Path("plain.bpmn")]:
        xml, root = _layout(path.name)
        shapes = _bounds(root)
        nodes = [el.get("id") for tag in FLOW_NODES for el in root.iter(f"{{{BPMN}}}{tag}")]
        lanes = [el.get("id") for el in root.iter(f"{{{BPMN}}}lane")]
        pools = [el.get("id") for el in root.iter(f"{{{BPMN}}}participant")]
        assert nodes and set(nodes + lanes + pools) <= shapes.keys(), path.name
        edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
        for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
            assert len(edges[flow.get("id")].findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2
        VALIDATOR.validate(root)  # raises on a schema error
        from handlers import PROCESSES
        dmn = {n: (SHIPPED / f"{n}.dmn").read_bytes() for n in PROCESSES[path.stem].dmn} if path.stem in PROCESSES else {}
        spec, _ = parse_spec(xml.encode(), dmn, path.stem)
        assert spec.name == path.stem


def test_nodes_sit_in_their_lane_band_and_boundary_events_on_their_task():
    """Lanes are horizontal bands holding their nodes; a boundary event sits on its task's lower edge."""
    _, root = _layout("registration.bpmn")
    shapes = _bounds(root)
    for lane in root.iter(f"{{{BPMN}}}lane"):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            x, y, _w, h = shapes[ref.text]
            assert ly <= y and y + h <= ly + lh + 18 and lx <= x <= lx + lw, ref.text
    tx, ty, tw, th = shapes["correct_application"]
    bx, by, _bw, bh = shapes["correction_overdue"]
    assert tx <= bx <= tx + tw and by + bh / 2 == ty + th
    assert shapes["start"][0] < shapes["submit_application"][0] < shapes["county_review"][0]


def test_a_diagram_with_its_own_layout_is_left_alone():
    """A diagram that already carries shapes (e.g. saved from the modeler) is served unchanged."""
    xml, _ = _layout("registration.bpmn")
    assert displayable_xml(xml) == xml

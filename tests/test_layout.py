"""Auto-layout: every diagram without DI (all of bpmn/*.bpmn, now and later) becomes drawable by bpmn-js."""
from pathlib import Path

import pytest
from lxml import etree

from handlers import PROCESSES
from workflows.deploy import check_diagram, shipped_files
from workflows.diagram_checks import BPMN, FLOW_NODES
from workflows.layout import BPMNDI, displayable_xml
from workflows.validation import UnsafeXml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "bpmn").glob("*.bpmn"))
FIXTURES = ROOT / "tests" / "fixtures" / "bpmn"


def drawn(xml: str) -> tuple:
    root = etree.fromstring(xml.encode())
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    return root, shapes, edges


@pytest.mark.parametrize("path", SHIPPED + [FIXTURES / "valid.bpmn", FIXTURES / "nested_lanes.bpmn"],
                         ids=lambda p: p.name)
def test_every_node_flow_and_lane_gets_a_shape(path):
    root, shapes, edges = drawn(displayable_xml(path.read_bytes()))
    for el in root.iter(f"{{{BPMN}}}*"):
        tag = etree.QName(el).localname
        if tag in FLOW_NODES | {"lane"}:
            assert el.get("id") in shapes, (path.name, el.get("id"))
            bounds = shapes[el.get("id")][0]
            assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
        if tag == "sequenceFlow":
            assert el.get("id") in edges, (path.name, el.get("id"))
    planes = [p.get("bpmnElement") for p in root.iter(f"{{{BPMNDI}}}BPMNPlane")]
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    assert planes[0] == (collaboration.get("id") if collaboration is not None else
                         root.find(f"{{{BPMN}}}process").get("id"))


@pytest.mark.parametrize("key", sorted(k for k in PROCESSES if (ROOT / "bpmn" / f"{k}.bpmn").exists()))
def test_laid_out_shipped_diagram_still_passes_every_deploy_check(app, key):
    bpmn, dmn = shipped_files(key)
    assert check_diagram(key, displayable_xml(bpmn).encode(), dmn) == []


def test_lanes_are_bands_and_nodes_sit_inside_their_lane():
    root, shapes, _ = drawn(displayable_xml((ROOT / "bpmn" / "registration.bpmn").read_bytes()))

    def box(el_id):
        b = shapes[el_id][0]
        return [float(b.get(k)) for k in ("x", "y", "width", "height")]
    for lane in root.iter(f"{{{BPMN}}}lane"):
        lx, ly, lw, lh = box(lane.get("id"))
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            if ref.text in shapes and shapes[ref.text].getparent() is shapes[lane.get("id")].getparent():
                x, y, w, h = box(ref.text)
                if etree.QName(root.find(f".//*[@id='{ref.text}']")).localname != "boundaryEvent":
                    assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, ref.text
    assert box("submit_application")[0] < box("route_case")[0] < box("county_review")[0]  # left to right


def test_diagram_with_di_is_returned_as_drawn_and_stored_xml_is_untouched():
    once = displayable_xml((ROOT / "bpmn" / "registration.bpmn").read_bytes())
    assert displayable_xml(once) == once
    assert b"BPMNShape" not in (ROOT / "bpmn" / "registration.bpmn").read_bytes()


def test_subprocess_is_collapsed_with_its_own_plane_and_lone_lanes_get_a_pool():
    xml = (FIXTURES / "valid.bpmn").read_text().replace(
        '<bpmn:laneSet', '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner_start"/>'
        '<bpmn:endEvent id="inner_end"/><bpmn:sequenceFlow id="inner_flow" sourceRef="inner_start" '
        'targetRef="inner_end"/></bpmn:subProcess><bpmn:laneSet', 1)
    root, shapes, edges = drawn(displayable_xml(xml))
    assert shapes["inner"].get("isExpanded") == "false"
    planes = {p.get("bpmnElement") for p in root.iter(f"{{{BPMNDI}}}BPMNPlane")}
    assert "inner" in planes and "inner_flow" in edges
    assert root.find(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant").get("processRef") == "inspection"


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_unsafe_xml_is_never_laid_out(name):
    with pytest.raises(UnsafeXml):
        displayable_xml((FIXTURES / name).read_bytes())

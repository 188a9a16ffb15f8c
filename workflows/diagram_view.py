"""A drawable diagram for the viewer: add a simple left-to-right layout (BPMNDI) when a diagram has none.

The shipped diagrams carry no BPMNDI section and bpmn-js needs one to draw. Nodes are placed in columns by
their breadth-first distance from the start events, lanes become horizontal bands, boundary events sit on the
lower edge of their task, and each sequence flow gets orthogonal waypoints. Only the DI is added; the process
semantics are left untouched.
"""
from collections import defaultdict, deque

from lxml import etree

from .validation import safe_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (110, 70)}
COL_W, ROW_H, LANE_HEADER, POOL_HEADER, MARGIN = 160, 110, 30, 30, 40
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
              "receiveTask", "callActivity", "subProcess"}


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _kind(el) -> str | None:
    tag = etree.QName(el).localname
    if tag in EVENTS:
        return "event"
    if tag in GATEWAYS:
        return "gateway"
    return "activity" if tag in ACTIVITIES else None


def _layers(nodes: dict, flows: list, boundaries: dict) -> dict[str, int]:
    """Column of each node: BFS distance from the start events (boundary events share their host's column)."""
    out = defaultdict(list)
    for _, src, dst in flows:
        out[src].append(dst)
    for b, host in boundaries.items():
        out[host].append(b)
    starts = [n for n, el in nodes.items() if etree.QName(el).localname == "startEvent"]
    layer: dict[str, int] = {}
    queue = deque()
    for s in starts:
        layer[s] = 0
        queue.append(s)
    while queue:
        n = queue.popleft()
        for m in out[n]:
            if m in nodes and m not in layer:
                layer[m] = layer[n] if m in boundaries else layer[n] + 1
                queue.append(m)
    last = max(layer.values(), default=-1) + 1
    for n in nodes:
        layer.setdefault(n, last)
    return layer


def _lane_of(process, nodes: dict) -> tuple[list, dict[str, str]]:
    lanes = process.findall(f"{_q(BPMN, 'laneSet')}/{_q(BPMN, 'lane')}")
    owner = {}
    for lane in lanes:
        for ref in lane.findall(_q(BPMN, "flowNodeRef")):
            owner[(ref.text or "").strip()] = lane.get("id")
    return lanes, {n: owner.get(n, "") for n in nodes}


def _shape(plane, element_id: str, x: float, y: float, w: float, h: float, **attrs) -> None:
    shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"{element_id}_di", bpmnElement=element_id,
                             **attrs)
    etree.SubElement(shape, _q(DC, "Bounds"), x=str(round(x)), y=str(round(y)), width=str(w), height=str(h))


def _edge(plane, flow_id: str, points: list[tuple[float, float]]) -> None:
    edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=f"{flow_id}_di", bpmnElement=flow_id)
    for x, y in points:
        etree.SubElement(edge, _q(DI, "waypoint"), x=str(round(x)), y=str(round(y)))


def _layout_process(process, plane, participant_id: str | None, top: float) -> float:
    """Lay out one process below `top`; returns the bottom y of what was drawn."""
    nodes = {el.get("id"): el for el in process if isinstance(el.tag, str) and _kind(el)}
    boundaries = {n: el.get("attachedToRef") for n, el in nodes.items()
                  if etree.QName(el).localname == "boundaryEvent"}
    flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef"))
             for f in process.findall(_q(BPMN, "sequenceFlow"))]
    layer = _layers(nodes, flows, boundaries)
    lanes, lane_of = _lane_of(process, nodes)
    band_ids = [lane.get("id") for lane in lanes] + ([""] if "" in lane_of.values() or not lanes else [])
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for n in nodes:
        if n not in boundaries:
            cells[(lane_of[n], layer[n])].append(n)
    left = MARGIN + (POOL_HEADER if participant_id else 0) + (LANE_HEADER if lanes else 0)
    width = (max(layer.values(), default=0) + 1) * COL_W + 40
    box: dict[str, tuple[float, float, float, float]] = {}
    y = top
    band_box = {}
    for band in band_ids:
        rows = max([len(v) for (b, _), v in cells.items() if b == band] or [1])
        height = rows * ROW_H + 20
        band_box[band] = (y, height)
        for (b, col), members in cells.items():
            if b != band:
                continue
            for i, n in enumerate(members):
                w, h = SIZES[_kind(nodes[n])]
                cx, cy = left + col * COL_W + COL_W / 2, y + 10 + i * ROW_H + ROW_H / 2
                box[n] = (cx - w / 2, cy - h / 2, w, h)
        y += height
    for b, host in boundaries.items():
        hx, hy, hw, hh = box.get(host, (left, top, 110, 70))
        box[b] = (hx + hw - 36 - 8, hy + hh - 18, 36, 36)
    lane_left = left - (LANE_HEADER if lanes else 0)
    if participant_id:
        _shape(plane, participant_id, MARGIN, top, width + (lane_left - MARGIN), y - top, isHorizontal="true")
    for lane in lanes:
        ly, lh = band_box[lane.get("id")]
        _shape(plane, lane.get("id"), lane_left, ly, width, lh, isHorizontal="true")
    for n, (x, yy, w, h) in box.items():
        _shape(plane, n, x, yy, w, h)
    bottom = y
    for flow_id, src, dst in flows:
        if src in box and dst in box:
            _edge(plane, flow_id, _route(box[src], box[dst], bottom, src in boundaries))
    return bottom


def _route(s, t, bottom: float, from_boundary: bool) -> list[tuple[float, float]]:
    """Orthogonal waypoints; flows going back (or sideways) run under the whole pool."""
    sx, sy, sw, sh = s
    tx, ty, tw, th = t
    if from_boundary:
        start = (sx + sw / 2, sy + sh)
        return [start, (start[0], ty + th / 2), (tx, ty + th / 2)] if tx > start[0] else \
            [start, (start[0], bottom - 6), (tx + tw / 2, bottom - 6), (tx + tw / 2, ty + th)]
    if tx >= sx + sw:
        a, b = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
        if abs(a[1] - b[1]) < 1:
            return [a, b]
        mid = (a[0] + b[0]) / 2
        return [a, (mid, a[1]), (mid, b[1]), b]
    return [(sx + sw / 2, sy + sh), (sx + sw / 2, bottom - 6), (tx + tw / 2, bottom - 6), (tx + tw / 2, ty + th)]


def has_layout(root) -> bool:
    """True when the diagram already carries shapes to draw."""
    return root.find(f".//{_q(BPMNDI, 'BPMNShape')}") is not None


def displayable_xml(bpmn_xml: str) -> str:
    """The diagram with a BPMNDI layout added if it has none (unchanged otherwise)."""
    root = safe_xml(bpmn_xml)
    if has_layout(root):
        return bpmn_xml
    for old in root.findall(_q(BPMNDI, "BPMNDiagram")):
        root.remove(old)
    collaboration = root.find(_q(BPMN, "collaboration"))
    participants = {p.get("processRef"): p.get("id")
                    for p in (collaboration.findall(_q(BPMN, "participant")) if collaboration is not None else [])}
    diagram = etree.SubElement(root, _q(BPMNDI, "BPMNDiagram"), id="BPMNDiagram_auto",
                               nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI})
    processes = root.findall(_q(BPMN, "process"))
    plane_for = collaboration.get("id") if collaboration is not None else (
        processes[0].get("id") if processes else "none")
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id="BPMNPlane_auto", bpmnElement=plane_for)
    top = MARGIN
    for process in processes:
        top = _layout_process(process, plane, participants.get(process.get("id")), top) + MARGIN
    return etree.tostring(root, encoding="unicode")

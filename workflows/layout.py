"""Displayable diagrams: a left-to-right auto-layout (BPMNDI) for diagrams shipped or deployed without one.

The diagrams in `bpmn/` are written by hand and carry no BPMNDiagram section, but bpmn-js can only draw what
has DI. `displayable_xml` adds it when it is missing — nodes in layers by their longest path from the start,
lanes as horizontal bands, subprocesses collapsed with a drill-down plane of their own — and leaves the stored,
deployed XML untouched. Diagrams that already carry DI (saved from the modeler) are returned unchanged.
"""
from lxml import etree

from .diagram_checks import BPMN, FLOW_NODES, SUBPROCESSES, bpmn_tag
from .validation import safe_xml

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (100, 80)}
COLUMN, ROW, LANE_HEADER, MARGIN = 160, 110, 30, 40


def _size(tag: str) -> tuple[int, int]:
    if tag.endswith("Event"):
        return SIZES["event"]
    if tag.endswith("Gateway"):
        return SIZES["gateway"]
    return SIZES["activity"]


def _ranks(nodes: list[str], edges: list[tuple[str, str]], starts: list[str]) -> dict[str, int]:
    """Longest-path layers after dropping the edges that close a loop (found by depth-first search)."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ[s].append(t)
    back, state = set(), {}

    def visit(n: str) -> None:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1:
                back.add((n, m))
            elif m not in state:
                visit(m)
        state[n] = 2

    for n in starts + nodes:
        if n not in state:
            visit(n)
    rank = dict.fromkeys(nodes, 0)
    forward = [(s, t) for s, t in edges if (s, t) not in back]
    for _ in nodes:  # Bellman-style relaxation: at most len(nodes) rounds on a DAG
        changed = False
        for s, t in forward:
            if rank[t] < rank[s] + 1:
                rank[t], changed = rank[s] + 1, True
        if not changed:
            break
    return rank


def _leaf_lanes(lane_set, depth: int = 0) -> list[tuple]:
    """(lane, depth, children) in document order, children before their parent's bounds are known."""
    out = []
    for lane in lane_set.findall(f"{{{BPMN}}}lane"):
        child = lane.find(f"{{{BPMN}}}childLaneSet")
        out.append((lane, depth, _leaf_lanes(child, depth + 1) if child is not None else []))
    return out


class _Plane:
    """Shapes and edges of one BPMNPlane being built."""

    def __init__(self, diagram_id: str, element_id: str):
        self.diagram = etree.Element(f"{{{BPMNDI}}}BPMNDiagram", id=diagram_id)
        self.plane = etree.SubElement(self.diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"{diagram_id}_plane",
                                      bpmnElement=element_id)
        self.bounds: dict[str, tuple[float, float, float, float]] = {}

    def shape(self, el_id: str, x: float, y: float, w: float, h: float, **attrs) -> None:
        shape = etree.SubElement(self.plane, f"{{{BPMNDI}}}BPMNShape", id=f"{el_id}_di", bpmnElement=el_id,
                                 **attrs)
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(round(x)), y=str(round(y)), width=str(round(w)),
                         height=str(round(h)))
        self.bounds[el_id] = (x, y, w, h)

    def edge(self, el_id: str, points: list[tuple[float, float]]) -> None:
        edge = etree.SubElement(self.plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{el_id}_di", bpmnElement=el_id)
        for x, y in points:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=str(round(x)), y=str(round(y)))


def _route(src: tuple, dst: tuple, backwards: bool, from_below: bool) -> list[tuple[float, float]]:
    sx, sy, sw, sh = src
    tx, ty, tw, th = dst
    if from_below:  # boundary event: leave downwards, then across
        start = (sx + sw / 2, sy + sh)
        return [start, (start[0], ty + th / 2), (tx, ty + th / 2)] if tx > start[0] else \
            [start, (start[0], max(sy + sh, ty + th) + 20), (tx + tw / 2, max(sy + sh, ty + th) + 20),
             (tx + tw / 2, ty + th)]
    if backwards:  # loop back: under both shapes
        low = max(sy + sh, ty + th) + 25
        return [(sx + sw / 2, sy + sh), (sx + sw / 2, low), (tx + tw / 2, low), (tx + tw / 2, ty + th)]
    a, b = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
    if abs(a[1] - b[1]) < 1:
        return [a, b]
    mid = (a[0] + b[0]) / 2
    return [a, (mid, a[1]), (mid, b[1]), b]


def _layout_container(container, plane: _Plane, origin: tuple[float, float], bands: list[tuple]) -> tuple:
    """Place the flow nodes of one process or subprocess; returns (right edge, band tops, band rows)."""
    nodes = [c for c in container if bpmn_tag(c) in FLOW_NODES and bpmn_tag(c) != "boundaryEvent"]
    ids = [n.get("id") for n in nodes]
    tags = {n.get("id"): bpmn_tag(n) for n in nodes}
    boundaries = [c for c in container if bpmn_tag(c) == "boundaryEvent"]
    host_of = {b.get("id"): b.get("attachedToRef") for b in boundaries}
    flows = [c for c in container if bpmn_tag(c) == "sequenceFlow"]
    edges = []
    for f in flows:
        s, t = host_of.get(f.get("sourceRef"), f.get("sourceRef")), f.get("targetRef")
        if s in tags and t in tags:
            edges.append((s, t))
    starts = [i for i in ids if tags[i] == "startEvent"]
    rank = _ranks(ids, edges, starts)
    band_of = {}
    for index, (_, members) in enumerate(bands):
        for m in members:
            band_of.setdefault(m, index)
    unbanded = len(bands)
    rows: dict[tuple[int, int], int] = {}
    slot = {}
    for i in ids:
        key = (band_of.get(i, unbanded), rank[i])
        slot[i] = rows.get(key, 0)
        rows[key] = slot[i] + 1
    heights = [max([rows.get((b, r), 0) for r in set(rank.values())] + [1]) for b in range(unbanded + 1)]
    if all(band_of.get(i, unbanded) != unbanded for i in ids) and bands:
        heights.pop()
    tops, y = [], origin[1]
    for h in heights:
        tops.append(y)
        y += h * ROW + 20
    for i in ids:
        w, h = _size(tags[i])
        band = band_of.get(i, unbanded)
        x = origin[0] + rank[i] * COLUMN + (COLUMN - w) / 2
        top = tops[band] + 10 + slot[i] * ROW + (ROW - h) / 2
        collapsed = {"isExpanded": "false"} if tags[i] in SUBPROCESSES else {}
        plane.shape(i, x, top, w, h, **collapsed)
        if tags[i] == "exclusiveGateway":
            plane.plane[-1].set("isMarkerVisible", "true")
    per_host: dict[str, int] = {}
    for b in boundaries:
        host = plane.bounds.get(b.get("attachedToRef"))
        if host is None:
            continue
        n = per_host[b.get("attachedToRef")] = per_host.get(b.get("attachedToRef"), 0) + 1
        plane.shape(b.get("id"), host[0] + host[2] - 18 - n * 40 + 20, host[1] + host[3] - 18, 36, 36)
    for f in flows:
        src, dst = plane.bounds.get(f.get("sourceRef")), plane.bounds.get(f.get("targetRef"))
        if src is None or dst is None:
            continue
        s = host_of.get(f.get("sourceRef"), f.get("sourceRef"))
        backwards = s in rank and f.get("targetRef") in rank and rank[f.get("targetRef")] <= rank[s]
        plane.edge(f.get("id"), _route(src, dst, backwards, f.get("sourceRef") in host_of))
    columns = max(rank.values(), default=0) + 1
    return origin[0] + columns * COLUMN, tops, heights


def _draw_lanes(plane: _Plane, lanes: list[tuple], x: float, width: float, tops: list, heights: list,
                index: list[int]) -> tuple[float, float]:
    """Lane shapes around the bands laid out for their leaf lanes; returns (top, bottom) covered."""
    covered = []
    for lane, depth, children in lanes:
        if children:
            top, bottom = _draw_lanes(plane, children, x + LANE_HEADER, width - LANE_HEADER, tops, heights,
                                      index)
        else:
            band = index[0]
            index[0] += 1
            top, bottom = tops[band], tops[band] + heights[band] * ROW + 20
        plane.shape(lane.get("id"), x, top, width, bottom - top, isHorizontal="true")
        covered.append((top, bottom))
    return min(t for t, _ in covered), max(b for _, b in covered)


def _bands(lanes: list[tuple]) -> list[tuple]:
    """(lane, flow node ids) of the leaf lanes, in drawing order; a node belongs to its last lane."""
    out = []
    for lane, _, children in lanes:
        if children:
            out.extend(_bands(children))
        else:
            out.append((lane, [r.text.strip() for r in lane.findall(f"{{{BPMN}}}flowNodeRef") if r.text]))
    return out


def _layout_process(process, participant_id: str | None, plane: _Plane, py: float, diagrams: list) -> float:
    """Lay out one process (as a pool when it has a participant) from height py; returns its bottom."""
    lane_set = process.find(f"{{{BPMN}}}laneSet")
    lanes = _leaf_lanes(lane_set) if lane_set is not None else []
    depth = max((d for _, d, _ in _flatten(lanes)), default=-1) + 1
    px = 120.0
    pool = LANE_HEADER if participant_id else 0
    start = len(plane.plane)
    right, tops, heights = _layout_container(process, plane, (px + pool + LANE_HEADER * depth + 10, py),
                                             _bands(lanes))
    width = right - px + MARGIN
    bottom = tops[-1] + heights[-1] * ROW + 20
    if participant_id:
        plane.shape(participant_id, px, py, width, bottom - py, isHorizontal="true")
    if lanes:
        _draw_lanes(plane, lanes, px + pool, width - pool, tops, heights, [0])
    # pool and lane shapes go before the nodes so that they are drawn beneath them
    pools = _pool_ids(participant_id, lanes)
    mine = list(plane.plane)[start:]
    plane.plane[start:] = sorted(mine, key=lambda el: 0 if el.get("bpmnElement") in pools else 1)
    for sub in process.iter(*(f"{{{BPMN}}}{t}" for t in SUBPROCESSES)):
        sub_plane = _Plane(f"Diagram_{sub.get('id')}", sub.get("id"))
        _layout_container(sub, sub_plane, (120.0, 60.0), [])
        diagrams.append(sub_plane.diagram)
    return bottom


def _flatten(lanes: list[tuple]) -> list[tuple]:
    out = []
    for item in lanes:
        out.append(item)
        out.extend(_flatten(item[2]))
    return out


def _pool_ids(participant_id: str | None, lanes: list[tuple]) -> set:
    return {participant_id} | {lane.get("id") for lane, _, _ in _flatten(lanes)}


def has_di(root) -> bool:
    """Whether the diagram already carries shapes bpmn-js can draw."""
    return root.find(f".//{{{BPMNDI}}}BPMNShape") is not None


def displayable_xml(bpmn_xml: str | bytes) -> str:
    """The diagram as bpmn-js can draw it: its own DI if it has one, else an automatic layout added."""
    root = safe_xml(bpmn_xml)
    if not has_di(root):
        for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
            root.remove(old)
        processes = root.findall(f"{{{BPMN}}}process")
        collaboration = root.find(f"{{{BPMN}}}collaboration")
        if collaboration is None and not processes:  # a draft saved with problems: nothing to lay out
            return bpmn_xml if isinstance(bpmn_xml, str) else bpmn_xml.decode()
        if collaboration is None and any(p.find(f"{{{BPMN}}}laneSet") is not None for p in processes):
            collaboration = _add_collaboration(root, processes)
        participants = {p.get("processRef"): p.get("id")
                        for p in (collaboration.findall(f"{{{BPMN}}}participant")
                                  if collaboration is not None else [])}
        main_id = collaboration.get("id") if collaboration is not None else processes[0].get("id")
        plane, subs, y = _Plane("Diagram_main", main_id), [], 60.0
        for process in processes:
            y = _layout_process(process, participants.get(process.get("id")), plane, y, subs) + 40
        root.extend([plane.diagram, *subs])
    etree.cleanup_namespaces(root, top_nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI})
    return etree.tostring(root, encoding="unicode")


def _add_collaboration(root, processes: list):
    """Lanes are drawn inside a pool: wrap lone processes in a collaboration (for display only)."""
    collaboration = etree.Element(f"{{{BPMN}}}collaboration", id="Collaboration_display")
    for process in processes:
        etree.SubElement(collaboration, f"{{{BPMN}}}participant", id=f"Participant_{process.get('id')}",
                         name=process.get("name") or process.get("id"), processRef=process.get("id"))
    root.insert(list(root).index(processes[0]), collaboration)
    return collaboration

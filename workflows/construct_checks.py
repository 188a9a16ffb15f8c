"""Constructs the engine accepts but that would strand a case at runtime; each is refused with its element named.

SpiffWorkflow 3.2 parses link and compensation events as plain events (the link never jumps), waits forever on a
message with no reference or a signal nobody sends, and refuses a task with several outgoing flows; the
platform starts cases by request, so the process' own start event must be a plain one.
"""
from .diagram_checks import BPMN, FLOW_NODES, Found, bpmn_tag, label

GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                      "complexGateway"})
UNSUPPORTED = {"linkEventDefinition": "链接事件", "compensateEventDefinition": "补偿事件"}
CATCHES = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})


def _definitions(node) -> list:
    return [c for c in node if (bpmn_tag(c) or "").endswith("EventDefinition")]


def check_implicit_splits(process) -> Found:
    """Several outgoing flows from a task or event mean an implicit parallel split, which the engine lacks."""
    outgoing: dict[str, int] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        outgoing[flow.get("sourceRef")] = outgoing.get(flow.get("sourceRef"), 0) + 1
    for node in process.iter():
        tag = bpmn_tag(node)
        if tag in FLOW_NODES and tag not in GATEWAYS and tag != "startEvent" and outgoing.get(node.get("id"), 0) > 1:
            yield node.get("id"), (f"{label(node)}有 {outgoing[node.get('id')]} 条连出的顺序流，在 BPMN 中表示同时走所有"
                                   "分支（隐式并行拆分），流程引擎不支持。请在它之后插入一个并行网关，由网关连出各分支；"
                                   "若只应走其中一条，请改用排他网关并为各出口设置条件")


def check_events(process) -> Found:
    """Message, signal, link and compensation events, and the kind of the process' own start events."""
    root = process.getroottree().getroot()
    messages = {m.get("id") for m in root.iter(f"{{{BPMN}}}message")}
    thrown = {d.get("signalRef") for d in root.iter(f"{{{BPMN}}}signalEventDefinition")
              if bpmn_tag(d.getparent()) in ("intermediateThrowEvent", "endEvent")}
    for node in process.iter():
        tag = bpmn_tag(node)
        if tag not in FLOW_NODES:
            continue
        defs = _definitions(node)
        for d in defs:
            kind = bpmn_tag(d)
            if kind in UNSUPPORTED:
                yield node.get("id"), (f"{label(node)}是{UNSUPPORTED[kind]}，流程引擎不支持（不会跳转或执行）。"
                                       "请删除该事件，改用顺序流直接连接")
            elif kind == "messageEventDefinition":
                yield from _message_ref(node, d.get("messageRef"), messages)
            elif kind == "signalEventDefinition" and tag in CATCHES and d.get("signalRef") not in thrown:
                yield node.get("id"), (f"{label(node)}等待的信号在本流程中没有任何事件发出，平台也不会从外部发送信号，"
                                       "案件会一直停在这里。请改用消息事件（平台可投递的消息）或定时器事件")
        if tag == "receiveTask":
            yield from _message_ref(node, node.get("messageRef"), messages)
        if tag == "startEvent" and node.getparent() is process and defs:
            yield node.get("id"), (f"{label(node)}带有事件定义；案件由申请人在平台上发起，流程的开始事件必须是空开始事件。"
                                   "请删除开始事件上的消息、定时器、信号或条件定义")


def _message_ref(node, ref: str | None, messages: set) -> Found:
    if not (ref or "").strip():
        yield node.get("id"), (f"{label(node)}没有指定消息（messageRef），会一直等待而无法继续。"
                               "请在属性面板中为它选择一个平台可投递的消息")
    elif ref not in messages:
        yield node.get("id"), (f"{label(node)}引用的消息“{ref}”在流程图中没有定义。"
                               "请在属性面板中为它选择一个平台可投递的消息")

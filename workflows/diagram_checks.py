"""The individual deploy-time checks on a parsed BPMN tree; each yields (element id, Chinese message)."""
import ast
import re
from collections.abc import Iterator

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .diagram_messages import feel_range, syntax_message
from .expression_lint import lint_expression as _raw_lint

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
Found = Iterator[tuple[str | None, str]]

KINDS = {
    "process": "流程", "subProcess": "子流程", "transaction": "事务子流程", "adHocSubProcess": "自由子流程",
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件", "task": "任务",
    "userTask": "用户任务", "manualTask": "人工任务", "scriptTask": "脚本任务", "serviceTask": "服务任务",
    "businessRuleTask": "业务规则任务", "sendTask": "发送任务", "receiveTask": "接收任务",
    "callActivity": "调用活动", "exclusiveGateway": "排他网关", "inclusiveGateway": "包容网关",
    "parallelGateway": "并行网关", "eventBasedGateway": "事件网关", "complexGateway": "复杂网关",
    "sequenceFlow": "顺序流", "lane": "泳道", "message": "消息",
}
FLOW_NODES = frozenset(KINDS) - {"process", "sequenceFlow", "lane", "message"}
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
# BPMN "implicit end": an activity (or boundary event) without an outgoing flow ends its path; Spiff runs that.
IMPLICIT_END = frozenset({"task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask",
                          "sendTask", "receiveTask", "callActivity", "boundaryEvent"}) | SUBPROCESSES
TIMER_KINDS = {"timeDate": "日期", "timeDuration": "时长", "timeCycle": "循环周期"}
_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?",
                       re.IGNORECASE)


def bpmn_tag(el) -> str | None:
    """The local name of a BPMN-namespace element, else None (comments, other namespaces)."""
    if not isinstance(el.tag, str):
        return None
    qname = etree.QName(el)
    return qname.localname if qname.namespace == BPMN else None


def label(el) -> str:
    """An element named for a process owner: kind, name and id, e.g. 用户任务“县级审核”（county_review）."""
    if el is None:
        return "流程图"
    kind = KINDS.get(bpmn_tag(el) or "", etree.QName(el).localname if isinstance(el.tag, str) else "元素")
    name = el.get("name")
    return f"{kind}“{name}”（{el.get('id')}）" if name else f"{kind} {el.get('id')}"


def lint_expression(source: str, mode: str) -> list[str]:
    """The expression linter's findings, its Python syntax errors put in Chinese."""
    out = []
    for message in _raw_lint(source, mode):
        head, sep, tail = message.partition("语法错误：")
        out.append(f"{head}{sep}{syntax_message(tail)}" if sep else message)
    return out


def _has_definition(node, kind: str) -> bool:
    return any(bpmn_tag(c) == kind for c in node)


def _extensions(node, tag: str) -> list:
    return node.findall(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}{tag}")


def _owner(el):
    """The nearest enclosing flow node, sequence flow or message of an element."""
    while el is not None and bpmn_tag(el) not in FLOW_NODES | {"sequenceFlow", "message", "process"}:
        el = el.getparent()
    return el


def check_duplicate_ids(process) -> Found:
    """Spiff indexes every element with an `id` attribute (extensions too): a shared id hides the task."""
    seen: dict[str, list] = {}
    for el in process.iter():
        if isinstance(el.tag, str) and el.get("id"):
            seen.setdefault(el.get("id"), []).append(el)
    for el_id, els in seen.items():
        if len(els) > 1:
            users = "、".join(label(e) for e in els)
            yield el_id, (f"id“{el_id}”被多个元素同时使用（{users}）；"
                          "流程引擎按 id 查找节点，会取到错误的元素，请为任务另取一个 id")


def check_structure(container) -> Found:
    """Start/end events, connections and gateway conditions of a process and each of its subprocesses."""
    nested = [e for e in container.iter() if bpmn_tag(e) in SUBPROCESSES and e is not container]
    for box in [container, *nested]:
        if bpmn_tag(box) == "adHocSubProcess":
            continue
        nodes = [c for c in box if bpmn_tag(c) in FLOW_NODES]
        flows = [c for c in box if bpmn_tag(c) == "sequenceFlow"]
        incoming = {f.get("targetRef") for f in flows}
        outgoing: dict[str, list] = {}
        for f in flows:
            outgoing.setdefault(f.get("sourceRef"), []).append(f)
        if not any(bpmn_tag(n) == "startEvent" for n in nodes):
            yield box.get("id"), f"{label(box)}缺少开始事件"
        if not any(bpmn_tag(n) == "endEvent" for n in nodes):
            yield box.get("id"), f"{label(box)}缺少结束事件"
        for node in nodes:
            yield from _check_connections(node, node.get("id") in incoming, outgoing.get(node.get("id"), []))


def _check_connections(node, has_incoming: bool, outs: list) -> Found:
    tag, node_id = bpmn_tag(node), node.get("id")
    floating = node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true"
    if not has_incoming and not floating and tag not in ("startEvent", "boundaryEvent") and not (
            tag == "intermediateCatchEvent" and _has_definition(node, "linkEventDefinition")):
        yield node_id, f"{label(node)}没有连入的顺序流，永远不会被执行"
    compensation = tag == "boundaryEvent" and _has_definition(node, "compensateEventDefinition")
    if not outs and not floating and not compensation and tag != "endEvent" and tag not in IMPLICIT_END and not (
            tag == "intermediateThrowEvent" and _has_definition(node, "linkEventDefinition")):
        yield node_id, f"{label(node)}没有连出的顺序流（只有结束事件、任务和边界事件可以没有出口）"
    if tag in ("exclusiveGateway", "inclusiveGateway") and len(outs) > 1:
        for flow in outs:
            cond = flow.find(f"{{{BPMN}}}conditionExpression")
            if (cond is None or not (cond.text or "").strip()) and flow.get("id") != node.get("default"):
                yield flow.get("id"), f"{label(node)}的出口{label(flow)}既没有条件，也不是默认出口"


def check_lanes(process, roles: set[str]) -> Found:
    """Human tasks must sit in a lane (directly or via their subprocess); lane names must be roles."""
    # As in Spiff, a node's lane is the last lane listing it: a parent lane of nested lanes needs a role name
    # only when some node is listed in it alone.
    root = process.getroottree().getroot()
    lane_of = {ref.text.strip(): ref.getparent() for ref in root.iter(f"{{{BPMN}}}flowNodeRef") if ref.text}
    in_lane, effective = set(lane_of), set(lane_of.values())
    for lane in process.iter(f"{{{BPMN}}}lane"):
        name = lane.get("name")
        if lane.find(f"{{{BPMN}}}childLaneSet") is not None and lane not in effective:
            continue
        if not name:
            yield lane.get("id"), f"{label(lane)}没有名称；泳道名称必须是平台角色"
        elif name not in roles:
            known = "、".join(sorted(roles))
            yield lane.get("id"), f"{label(lane)}的名称“{name}”不是平台角色（可用：{known}）"
    for task in process.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask"):
        el = task
        while el is not None and el is not process and el.get("id") not in in_lane:
            el = el.getparent()
        if el is None or el is process:
            yield task.get("id"), f"{label(task)}不在任何泳道内，无法确定由哪个角色办理"


def check_tasks(process, forms: set[str], services: set[str], decisions: set[str]) -> Found:
    """Form keys of user and manual tasks, operators of service tasks, scripts and decision references."""
    for task in process.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask"):
        props = {p.get("name"): p.get("value") for p in _extensions(task, f"properties/{{{SPIFF}}}property")}
        key = (props.get("formKey") or "").strip()
        if not key:
            yield task.get("id"), f"{label(task)}没有设置表单（属性 formKey）"
        elif key not in forms:
            yield task.get("id"), f"{label(task)}的表单“{key}”未在平台注册"
    for task in process.iter(f"{{{BPMN}}}serviceTask"):
        ops = _extensions(task, "serviceTaskOperator")
        if not ops:
            yield task.get("id"), f"{label(task)}没有配置服务（spiffworkflow:serviceTaskOperator）"
        for op in ops:
            if op.get("id") not in services:
                yield task.get("id"), f"{label(task)}引用的服务“{op.get('id')}”未在平台注册"
            for param in op.iter(f"{{{SPIFF}}}parameter"):
                yield from _lint(task, param.get("value") or "", "eval", f"参数“{param.get('id')}”")
    for task in process.iter(f"{{{BPMN}}}scriptTask"):
        script = task.find(f"{{{BPMN}}}script")
        if script is None or not (script.text or "").strip():
            yield task.get("id"), f"{label(task)}没有脚本"
        else:
            yield from _lint(task, script.text, "exec", "脚本")
    for task in process.iter(f"{{{BPMN}}}businessRuleTask"):
        refs = [(e.text or "").strip() for e in _extensions(task, "calledDecisionId")]
        if not refs or not refs[0]:
            yield task.get("id"), f"{label(task)}没有指定决策表（spiffworkflow:calledDecisionId）"
        elif refs[0] not in decisions:
            known = "、".join(sorted(decisions)) or "无"
            yield task.get("id"), f"{label(task)}引用的决策表“{refs[0]}”不存在（已上传：{known}）"


def check_messages(root, messages: set[str]) -> Found:
    """Message names must be ones the platform can deliver."""
    for msg in root.iter(f"{{{BPMN}}}message"):
        if msg.get("name") not in messages:
            known = "、".join(sorted(messages)) or "无"
            yield msg.get("id"), f"{label(msg)}不是平台可投递的消息（可用：{known}）"


def _lint(owner, source: str, mode: str, what: str) -> Found:
    """One problem per refused piece of code, quoting it when it is a one-liner."""
    messages = lint_expression(source, mode)
    if messages:
        text = source.strip()
        quoted = f"“{text[:80]}”" if "\n" not in text else ""
        yield owner.get("id"), f"{label(owner)}的{what}{quoted}不允许执行：{'；'.join(messages)}"


def check_expressions(process) -> Found:
    """Conditions, pre/post scripts, payloads, multi-instance and conditional-event expressions."""
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        cond = flow.find(f"{{{BPMN}}}conditionExpression")
        if cond is not None and (cond.text or "").strip():
            yield from _lint(flow, cond.text.strip(), "eval", "条件")
    for tag, mode, what in (("preScript", "exec", "前置脚本"), ("postScript", "exec", "后置脚本"),
                            ("messagePayload", "eval", "消息内容")):
        for el in process.iter(f"{{{SPIFF}}}{tag}"):
            if (el.text or "").strip():
                yield from _lint(_owner(el), el.text, mode, what)
    for tag, what in (("condition", "条件"), ("loopCardinality", "循环次数"),
                      ("completionCondition", "完成条件")):
        for el in process.iter(f"{{{BPMN}}}{tag}"):
            if (el.text or "").strip():
                yield from _lint(_owner(el), el.text.strip(), "eval", what)


def iso_ok(kind: str, text: str) -> bool:
    """Whether text is a valid ISO 8601 value for a timer of the given kind (timeDate/Duration/Cycle)."""
    try:
        timer = TimerEventDefinition
        if kind == "timeDuration":
            return bool(_DURATION.fullmatch(text)) and timer.parse_iso_duration(text) is not None
        if kind == "timeDate":
            return bool(re.match(r"\d{4}-\d{2}-\d{2}", text)) and bool(timer.get_datetime(text))
        cycle = re.match(r"R\d*/", text, re.IGNORECASE)
        return bool(cycle) and bool(timer.parse_iso_recurring_interval(text))
    except Exception:  # noqa: BLE001 - Spiff's ISO parsers raise bare Exception / ValueError / AttributeError
        return False


def check_timers(process) -> Found:
    """Timer expressions must compile restricted; literals must be quoted, valid ISO 8601 strings."""
    for tdef in process.iter(f"{{{BPMN}}}timerEventDefinition"):
        owner = _owner(tdef)
        exprs = [c for c in tdef if bpmn_tag(c) in TIMER_KINDS]
        if not exprs:
            yield owner.get("id"), f"{label(owner)}的定时器没有设置时间"
        for el in exprs:
            kind, text = bpmn_tag(el), (el.text or "").strip()
            what = f"定时器{TIMER_KINDS[kind]}表达式"
            if not text:
                yield owner.get("id"), f"{label(owner)}的{what}为空"
            elif any(iso_ok(k, text) for k in TIMER_KINDS):
                yield owner.get("id"), (f"{label(owner)}的{what} {text} 是 Python 表达式，ISO 值必须加引号，"
                                        f"例如 \"{text}\"")
            elif not (problems := list(_lint(owner, text, "eval", what))):
                body = ast.parse(text, mode="eval").body
                value = body.value if isinstance(body, ast.Constant) else None
                if isinstance(body, ast.Constant) and not (isinstance(value, str) and iso_ok(kind, value)):
                    wanted = TIMER_KINDS[kind]
                    yield owner.get("id"), f"{label(owner)}的{what} {text} 不是有效的 ISO 8601 {wanted}"
            else:
                yield from problems


def _dmn_match_source(input_expr: str, match: str) -> str:
    """The expression Spiff's DMNEngine evaluates for an input entry (mirrors DMNEngine.evaluate)."""
    replaced = re.sub(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""", "dmninputexpr", match)
    if "dmninputexpr" in replaced:
        return replaced
    try:
        ast.parse(match)
    except SyntaxError:
        return input_expr + match
    return f"({input_expr}) == ({match})"


def check_dmn(file_name: str, root) -> Found:
    """Every input expression, input entry and output entry of every decision table must lint clean."""
    for decision in root.iter("{*}decision"):
        title = decision.get("name") or decision.get("id")
        where = f"决策表“{title}”（{decision.get('id')}，文件 {file_name}）"
        for table in decision.iter("{*}decisionTable"):
            inputs = []
            for inp in table.findall("{*}input"):
                expr = (inp.findtext("{*}inputExpression/{*}text") or "").strip()
                inputs.append(expr)
                problems = lint_expression(expr, "eval") if expr else ["没有输入表达式"]
                if problems:
                    column = inp.get("label") or inp.get("id")
                    yield inp.get("id"), f"{where}的输入“{column}”：{'；'.join(problems)}"
            for row, rule in enumerate(table.findall("{*}rule"), 1):
                for col, entry in enumerate(rule.findall("{*}inputEntry")):
                    text = (entry.findtext("{*}text") or "").strip()
                    if text and text != "-" and (python := feel_range(text)):
                        yield (entry.get("id") or rule.get("id"),
                               (f"{where}第 {row} 条规则的输入条件“{text}”是 FEEL 区间写法，平台的决策表使用 Python "
                               f"表达式；请改写为 {python}（? 代表该列的输入值）"))
                    elif text and text != "-":
                        source = _dmn_match_source(inputs[col] if col < len(inputs) else "", text)
                        if problems := lint_expression(source, "eval"):
                            yield (entry.get("id") or rule.get("id"),
                                   f"{where}第 {row} 条规则的输入条件“{text}”：{'；'.join(problems)}")
                for entry in rule.findall("{*}outputEntry"):
                    text = (entry.findtext("{*}text") or "").strip()
                    if text and (problems := lint_expression(text, "eval")):
                        yield (entry.get("id") or rule.get("id"),
                               f"{where}第 {row} 条规则的输出“{text}”：{'；'.join(problems)}")

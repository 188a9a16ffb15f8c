"""Deploy-time checks for failures the engine would otherwise only meet when a case starts or moves on.

A script or condition that reads a module the restricted engine does not offer (`datetime`, `json`, `math` …)
and never assigns it fails with NameError on every case (builtins such as `next` are not checked: task data
often holds variables of those names); an exclusive or inclusive gateway
without a default flow whose conditions are all literals that are false can never be left.
"""
import ast

from .diagram_checks import BPMN, SPIFF, Found, bpmn_tag, label

MODULE_NAMES = frozenset({
    "datetime", "timedelta", "timezone", "json", "math", "re", "random", "os", "sys",
    "decimal", "Decimal", "uuid", "calendar", "collections", "itertools", "functools", "operator",
})


def _offered() -> frozenset[str]:
    from .script_engine import restricted_globals
    scope = restricted_globals()
    return frozenset(scope["__builtins__"]) | frozenset(k for k in scope if not k.startswith("_"))


def unknown_names(source: str, mode: str) -> list[str]:
    """Names the code reads but neither assigns nor finds in the restricted engine, in source order."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return []  # the lint reports it
    offered = _offered()
    missing = MODULE_NAMES - offered
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.name}
    found: list[str] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in missing
                and node.id not in bound and not node.id.startswith("_") and node.id not in found):
            found.append(node.id)
    return found


def _names(owner, source: str, mode: str, what: str) -> Found:
    names = unknown_names(source, mode)
    if names:
        listed = "、".join(f"“{n}”" for n in names)
        yield owner.get("id"), (f"{label(owner)}的{what}使用了流程引擎中不存在的名称{listed}（流程脚本不能导入模块；"
                                "日期请用 ISO 字符串和 iso_date）")


def _owner(el):
    while el is not None and bpmn_tag(el) is None:
        el = el.getparent()
    return el


def check_script_names(process) -> Found:
    """Scripts, pre/post scripts and conditions that read names the engine lacks."""
    for task in process.iter(f"{{{BPMN}}}scriptTask"):
        script = task.find(f"{{{BPMN}}}script")
        if script is not None and (script.text or "").strip():
            yield from _names(task, script.text, "exec", "脚本")
    for tag, what in (("preScript", "前置脚本"), ("postScript", "后置脚本")):
        for el in process.iter(f"{{{SPIFF}}}{tag}"):
            if (el.text or "").strip():
                yield from _names(_owner(el.getparent()), el.text, "exec", what)
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        cond = flow.find(f"{{{BPMN}}}conditionExpression")
        if cond is not None and (cond.text or "").strip():
            yield from _names(flow, cond.text.strip(), "eval", "条件")


def _literal_false(text: str) -> bool:
    try:
        return not ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def check_dead_gateways(process) -> Found:
    """A gateway with no default flow whose every outgoing condition is a false literal cannot be left."""
    flows = list(process.iter(f"{{{BPMN}}}sequenceFlow"))
    for gateway in process.iter(f"{{{BPMN}}}exclusiveGateway", f"{{{BPMN}}}inclusiveGateway"):
        if gateway.get("default"):
            continue
        conds = [f.find(f"{{{BPMN}}}conditionExpression") for f in flows
                 if f.get("sourceRef") == gateway.get("id")]
        if conds and all(c is not None and (c.text or "").strip() and _literal_false(c.text)
                                  for c in conds):
            yield gateway.get("id"), (f"{label(gateway)}没有默认出口，且所有出口的条件恒为假，"
                                      "案件到此必然无法继续；请设置默认出口或修改条件")

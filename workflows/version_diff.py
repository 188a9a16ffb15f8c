"""What changed between two versions of a process: tasks added, removed and changed (SpiffWorkflow's SpecDiff)."""
from SpiffWorkflow.bpmn.util.diff import SpecDiff

from .diagram_checks import KINDS
from .engine import REGISTRY, specs_for

ATTRIBUTES = {
    "bpmn_name": "名称", "lane": "泳道（角色）", "extensions": "扩展属性（表单、服务、期限变量等）",
    "documentation": "说明", "inputs": "前序连线", "outputs": "后续连线", "event_definition": "事件定义（定时器、消息）",
    "script": "脚本", "prescript": "前置脚本", "postscript": "后置脚本", "cond_task_specs": "分支条件",
    "default_task_spec": "默认出口", "operation_name": "服务", "operation_params": "服务参数",
    "result_variable": "结果变量", "typename": "环节类型", "decision_table": "决策表", "condition": "条件",
}


def task_label(spec) -> dict:
    """A task spec as the diff list shows it: its BPMN id (or the task it belongs to), name and kind."""
    bpmn_id = spec.bpmn_id or spec.name.split(".")[0]
    kind = type(spec).__name__
    kind = KINDS.get(kind[0].lower() + kind[1:], kind)
    return {"id": bpmn_id, "name": spec.bpmn_name or bpmn_id, "kind": kind}


def attribute_names(changes: list[str]) -> list[str]:
    """Chinese names of the changed spec attributes."""
    return [ATTRIBUTES.get(c, c) for c in changes]


def _visible(spec) -> bool:
    return spec.bpmn_id is not None


def _diff(old_spec, new_spec, prefix: str = "") -> dict:
    diff = SpecDiff(REGISTRY, old_spec, new_spec)
    added = [dict(task_label(s), where=prefix) for s in diff.added if _visible(s)]
    removed = [dict(task_label(s), where=prefix) for s in diff.removed if s is not None and _visible(s)]
    changed = [dict(task_label(s), where=prefix, changes=attribute_names(c))
               for s, c in diff.changed.items() if _visible(s)]
    renamed = [dict(task_label(old), where=prefix, new_id=new.bpmn_id) for old, new in diff.alignment.items()
               if new is not None and old.bpmn_id and new.bpmn_id and old.bpmn_id != new.bpmn_id]
    return {"added": added, "removed": removed, "changed": changed, "realigned": renamed}


def diff_versions(old, new) -> dict:
    """Tasks added, removed and changed from ProcessVersion `old` to `new` (subprocesses included)."""
    old_spec, old_subs = specs_for(old)
    new_spec, new_subs = specs_for(new)
    result = _diff(old_spec, new_spec)
    for name, spec in old_subs.items():
        if name in new_subs:
            sub = _diff(spec, new_subs[name], prefix=name)
            for key in result:
                result[key].extend(sub[key])
        else:
            result["removed"].append({"id": name, "name": spec.description or name, "kind": "子流程", "where": ""})
    for name in new_subs.keys() - old_subs.keys():
        result["added"].append({"id": name, "name": name, "kind": "子流程", "where": ""})
    for key in ("added", "removed", "changed"):
        result[key].sort(key=lambda d: (d["where"], d["id"]))
    return result

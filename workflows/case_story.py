"""A case's story for auditors: its diagram with the path taken marked, and every event told in words."""
import json

from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from models import ROLES, AuditEvent, Case, Unit, db

from . import labels
from .diagram_view import BPMN, displayable_xml
from .engine import load_workflow
from .validation import safe_xml

REMARK_FIELDS = ("opinion", "comment", "comments", "ground", "grounds", "reason", "remarks")
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def action_label(action: str) -> str:
    """The Chinese word for an audit action (the action key itself when it is new to this table)."""
    return labels.label("action", action)


def _flows(bpmn_xml: str) -> dict[tuple[str, str], str]:
    root = safe_xml(bpmn_xml)
    return {(f.get("sourceRef"), f.get("targetRef")): f.get("id")
            for f in root.iter(f"{{{BPMN}}}sequenceFlow")}


def _reached_tasks(case_id: int) -> set[str]:
    """Ids of user tasks that were really open at some time (an interrupted task was reached; a predicted one not)."""
    return set(db.session.execute(select(AuditEvent.task_id).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "task_created")).scalars())


def _bpmn_parent(task):
    parent = task.parent
    while parent is not None and parent.task_spec.bpmn_id is None:
        parent = parent.parent
    return parent


def diagram_marks(case) -> dict:
    """BPMN ids of completed, current and interrupted steps, and the sequence flows the case has taken."""
    wf = load_workflow(case.workflow_json, case.process_version)
    flows = _flows(case.process_version.bpmn_xml)
    reached = _reached_tasks(case.id)
    completed, current, interrupted, taken = set(), set(), set(), set()
    for t in wf.get_tasks():
        bpmn_id = t.task_spec.bpmn_id
        if bpmn_id is None:
            continue
        if t.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
        elif t.state & CURRENT:
            current.add(bpmn_id)
        elif t.state == TaskState.CANCELLED and str(t.id) in reached:
            interrupted.add(bpmn_id)
        else:
            continue
        parent = _bpmn_parent(t)
        if parent is not None and parent.state == TaskState.COMPLETED:
            flow = flows.get((parent.task_spec.bpmn_id, bpmn_id))
            if flow:
                taken.add(flow)
    return {"completed": sorted(completed), "current": sorted(current), "interrupted": sorted(interrupted),
            "flows": sorted(taken)}


def _lanes_in_words(xml: str) -> str:
    """Lane names are role keys (`county_official`); the viewer shows the role's Chinese title instead."""
    root = safe_xml(xml)
    for lane in root.iter(f"{{{BPMN}}}lane"):
        lane.set("name", ROLES.get(lane.get("name", ""), lane.get("name", "")))
    return etree.tostring(root, encoding="unicode")


def case_diagram(case) -> dict:
    """What the viewer needs: the case's own version's diagram (drawable) and the marks to put on it."""
    version = case.process_version
    return {"process": version.process_key, "version": version.version, "title": version.title,
            "xml": _lanes_in_words(displayable_xml(version.bpmn_xml)), "marks": diagram_marks(case),
            "names": element_names(version.bpmn_xml)}


def field_labels(process_key: str = "") -> dict[str, dict]:
    """Chinese label and choice labels of every form field, by field name (the case's own process first)."""
    from flask import current_app

    from handlers import FORMS
    out: dict[str, dict] = {}
    ordered = sorted(FORMS.values(), key=lambda spec: not spec.key.startswith(process_key or "\0"))
    for spec in ordered:
        for name, field in spec.schema(current_app.config).fields.items():
            meta = field.metadata or {}
            entry = out.setdefault(name, {"label": meta.get("label", name), "choices": {}})
            for v, lbl in meta.get("choices") or []:
                entry["choices"].setdefault(str(v), lbl)
    return out


def _show(value, entry: dict | None) -> str:
    choices = (entry or {}).get("choices", {})
    if isinstance(value, list):
        return "、".join(_show(v, entry) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "（空）"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text in choices:
        return labels.cite(choices[text])
    if len(text) >= 16 and text[4:5] == "-" and text[10:11] in ("T", " ") and text[13:14] == ":":
        from .clock import to_local
        try:
            return to_local(text).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return text
    return labels.cite(text)


def _tell(ev: AuditEvent, labels: dict, units: dict) -> dict:
    detail = json.loads(ev.detail or "{}")
    submitted = detail.get("submitted") if isinstance(detail.get("submitted"), dict) else {}
    changed = detail.get("changed") if isinstance(detail.get("changed"), dict) else {}
    label = (lambda k: labels.get(k, {}).get("label", k))
    return {
        "seq": ev.seq, "at": ev.at, "actor_name": ev.actor_name, "role": ev.role, "unit_code": ev.unit_code,
        "unit_name": units.get(ev.unit_code, ev.unit_code or ""), "action": ev.action,
        "label": action_label(ev.action), "task_id": ev.task_id,
        "title": detail.get("title") or detail.get("task") or "",
        "decision": _show(submitted["decision"], labels.get("decision")) if "decision" in submitted else "",
        "remarks": [(label(k), _show(submitted[k], labels.get(k))) for k in REMARK_FIELDS if submitted.get(k)],
        "submitted": [(label(k), _show(v, labels.get(k))) for k, v in submitted.items()],
        "changed": [(label(k), _show(v[0], labels.get(k)), _show(v[1], labels.get(k)))
                    for k, v in changed.items() if isinstance(v, list) and len(v) == 2],
        "detail": detail, "raw": json.dumps(detail, ensure_ascii=False, indent=1, sort_keys=True),
        "hash": ev.hash, "prev_hash": ev.prev_hash,
    }


def case_story(case_id: int) -> list[dict]:
    """Every event of the case, oldest first, in words: who (name, role, unit), when, what, on what grounds."""
    events = db.session.execute(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.seq)).scalars()
    units = dict(db.session.execute(select(Unit.code, Unit.name)).all())
    case = db.session.get(Case, case_id)
    labels = field_labels(case.process_key if case else "")
    return [_tell(ev, labels, units) for ev in events]


def element_names(bpmn_xml: str) -> dict[str, str]:
    """BPMN id → name of every named element (for the legend beside the diagram)."""
    root = safe_xml(bpmn_xml)
    return {el.get("id"): el.get("name") for el in root.iter() if isinstance(el.tag, str)
            and el.get("id") and el.get("name") and etree.QName(el).namespace == BPMN}

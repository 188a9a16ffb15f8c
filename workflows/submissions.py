"""What each task of a case received: the submissions kept per task in the audit trail.

The case's workflow data is one flat namespace that gateways and later steps read; it does not say who wrote
a value. A form must never open with another person's words (issue 9), so forms are pre-filled and earlier
decisions shown from these per-task records instead: who submitted which form, when, with what.
"""
import json

from sqlalchemy import select

from models import AuditEvent, db


def case_submissions(case_id: int, forms_by_task: dict[str, str] | None = None) -> list[dict]:
    """Every completed task's submission in order: {form, task, title, by, role, at, data}.

    Events recorded before the form key was kept name only the task; `forms_by_task` (bpmn id → form key,
    from the case's diagram) fills it in.
    """
    rows = db.session.execute(
        select(AuditEvent.detail, AuditEvent.actor_name, AuditEvent.role, AuditEvent.at, AuditEvent.actor_id)
        .where(AuditEvent.case_id == case_id, AuditEvent.action == "task_completed")
        .order_by(AuditEvent.seq)).all()
    out = []
    for detail, by, role, at, actor_id in rows:
        d = json.loads(detail)
        form = d.get("form") or (forms_by_task or {}).get(d.get("task", ""), "")
        out.append({"form": form, "task": d.get("task"), "title": d.get("title", ""), "by": by, "role": role,
                    "actor_id": actor_id, "at": at, "data": d.get("submitted") or {}})
    return out


def latest_of(submissions: list[dict], form_keys) -> dict | None:
    """The newest submission of any of the given forms, or None."""
    keys = set(form_keys)
    return next((s for s in reversed(submissions) if s["form"] in keys), None)


def forms_by_task(wf) -> dict[str, str]:
    """bpmn id → form key of every user task in a loaded workflow's diagram."""
    out = {}
    for name, spec in wf.spec.task_specs.items():
        key = (getattr(spec, "extensions", None) or {}).get("properties", {}).get("formKey")
        if key:
            out[name] = key
    for sub in wf.subprocess_specs.values():
        for name, spec in sub.task_specs.items():
            key = (getattr(spec, "extensions", None) or {}).get("properties", {}).get("formKey")
            if key:
                out[name] = key
    return out

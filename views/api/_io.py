"""Small helpers of the API views: parse with a schema (422 on error), current user, task rows as dicts."""
import json

from flask import request
from flask_login import current_user
from marshmallow import Schema, ValidationError

from workflows import clock
from workflows.errors import InvalidInput, NotAuthenticated


def parse(schema: Schema, source: dict | None = None) -> dict:
    """Load the request body (JSON) with a schema; 422 with field errors when it does not fit."""
    body = source if source is not None else request.get_json(silent=True)
    if body is None:
        body = {}
    try:
        return schema.load(body)
    except ValidationError as err:
        raise InvalidInput("请求内容有误", {k: v if isinstance(v, list) else [str(v)]
                                         for k, v in err.messages.items()}) from None


def me():
    """The authenticated user, or 401."""
    if not current_user.is_authenticated:
        raise NotAuthenticated("请先登录或提供有效的访问令牌")
    return current_user._get_current_object()


def task_dict(task, username: str | None = None, name: str | None = None) -> dict:
    """One inbox row in the shape outside tools rely on."""
    return {
        "id": task.id, "case_id": task.case_id, "process": task.process_key, "name": task.bpmn_id,
        "title": task.title, "role": task.role, "unit": task.unit_code, "assignee": username,
        "assignee_id": task.assignee_id, "assignee_name": name, "created_at": task.created_at,
        "claimed_at": task.claimed_at, "due_at": task.due_at, "due_provisional": task.due_provisional,
        "overdue": bool(task.due_at and task.due_at < clock.now()), "form": task.form_key,
    }


def event_dict(ev) -> dict:
    """An audit event for the history endpoint."""
    return {"seq": ev.seq, "at": ev.at, "actor": ev.actor_name, "actor_id": ev.actor_id, "role": ev.role,
            "unit": ev.unit_code, "action": ev.action, "task_id": ev.task_id, "detail": json.loads(ev.detail),
            "hash": ev.hash}

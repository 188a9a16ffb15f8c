"""Inbox and task endpoints: list, read (with the form as JSON Schema), claim, unclaim, reassign, complete."""
from flask import request
from marshmallow import ValidationError

from views.forms import form_json_schema, prefill_for, tables_for
from views.tx import commits
from workflows.errors import InvalidInput
from workflows.queries import inbox
from workflows.tasks import claim_task, complete_task, get_open_task, reassign_task, unclaim_task

from . import api
from ._io import me, parse, task_dict
from .schemas import CASE_OUT, SCOPES, TASK_OUT, CompleteIn, ReassignIn


@api.get("/inbox")
def get_inbox():
    """My tasks: scope=mine|unclaimed|all, process=KEY, overdue=1.
    ---
    get:
      summary: 待办任务
      parameters:
        - {in: query, name: scope, schema: {type: string, enum: [mine, unclaimed, all]}}
        - {in: query, name: process, schema: {type: string}}
        - {in: query, name: overdue, schema: {type: boolean}, description: true 只看逾期}
      responses:
        200: {description: 任务列表, content: {application/json: {schema: InboxOut}}}
    """
    user = me()
    scope = request.args.get("scope", "all")
    try:
        SCOPES(scope)
    except ValidationError:
        raise InvalidInput("scope 应为 mine、unclaimed 或 all", {"scope": ["应为 mine、unclaimed 或 all"]}) from None
    overdue = request.args.get("overdue", "false")
    if overdue not in ("1", "0", "true", "false"):
        raise InvalidInput("overdue 应为 true 或 false", {"overdue": ["应为 true 或 false"]})
    rows = inbox(user, scope=scope, process=request.args.get("process") or None, overdue=overdue in ("1", "true"))
    return {"items": TASK_OUT.dump([task_dict(t, u, n) for t, u, n in rows], many=True)}


@api.get("/tasks/<task_id>")
def get_task(task_id: str):
    """One task with its form as JSON Schema and the prefill data.
    ---
    get:
      summary: 任务详情
      responses:
        200: {description: 任务, content: {application/json: {schema: TaskDetailOut}}}
        404: {description: 不存在, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    task = get_open_task(user, task_id)
    out = TASK_OUT.dump(task_dict(task, task.assignee.username if task.assignee else None,
                                  task.assignee.display_name if task.assignee else None))
    out["form_schema"] = form_json_schema(task.form_key)
    out["prefill"] = prefill_for(task)
    out["tables"] = tables_for(task)
    out["case_version"] = task.case.version
    return out


@api.post("/tasks/<task_id>/claim")
@commits
def post_claim(task_id: str):
    """Claim an unclaimed task of my role and unit.
    ---
    post:
      summary: 认领任务
      responses:
        200: {description: 已认领, content: {application/json: {schema: TaskOut}}}
        409: {description: 已被他人认领, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    task = claim_task(user, task_id)
    return TASK_OUT.dump(task_dict(task, user.username, user.display_name))


@api.post("/tasks/<task_id>/unclaim")
@commits
def post_unclaim(task_id: str):
    """Give a claimed task back.
    ---
    post:
      summary: 退回认领
      responses:
        200: {description: 已退回, content: {application/json: {schema: TaskOut}}}
    """
    task = unclaim_task(me(), task_id)
    return TASK_OUT.dump(task_dict(task))


@api.post("/tasks/<task_id>/reassign")
@commits
def post_reassign(task_id: str):
    """转办 to another user of the task's role (city officials).
    ---
    post:
      summary: 转办
      requestBody: {content: {application/json: {schema: ReassignIn}}}
      responses:
        200: {description: 已转办, content: {application/json: {schema: TaskOut}}}
    """
    body = parse(ReassignIn())
    task = reassign_task(me(), task_id, body["user_id"])
    return TASK_OUT.dump(task_dict(task, task.assignee.username, task.assignee.display_name))


@api.post("/tasks/<task_id>/complete")
@commits
def post_complete(task_id: str):
    """Submit the task's form: body {data: {...}, version?}.
    ---
    post:
      summary: 办理（提交表单）
      requestBody: {content: {application/json: {schema: CompleteIn}}}
      responses:
        200: {description: 案件, content: {application/json: {schema: CaseOut}}}
        409: {description: 他人已先办理, content: {application/json: {schema: ErrorOut}}}
        422: {description: 表单校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(CompleteIn())
    case = complete_task(me(), task_id, body["data"], expected_version=body["version"])
    return CASE_OUT.dump({"id": case.id, "process": case.process_key, "status": case.status,
                          "outcome": case.outcome, "version": case.version, "title": case.title})

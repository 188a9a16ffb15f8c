"""Inbox and task endpoints: list, read (with the form as JSON Schema), claim, unclaim, reassign, complete."""
from flask import request

from views.forms import form_json_schema, prefill_for, tables_for
from views.tx import commits
from workflows.tasks import claim_task, complete_task, get_open_task, reassign_task, unclaim_task
from workflows.worklists import done_page, inbox_page, inbox_query, inbox_tab_counts

from . import api
from ._io import me, parse, task_dict
from .schemas import CASE_OUT, INBOX_OUT, TASK_OUT, CompleteIn, ReassignIn


@api.get("/inbox")
def get_inbox():
    """My tasks, searched, sorted and paged; scope=done lists the tasks I completed (已办).
    ---
    get:
      summary: 待办任务
      parameters:
        - {in: query, name: scope, schema: {type: string, enum: [all, mine, unclaimed, done]}, description: done 为已办}
        - {in: query, name: process, schema: {type: string}}
        - {in: query, name: overdue, schema: {type: string, enum: ['1', '0', 'true', 'false']}, description: 只看逾期}
        - {in: query, name: q, schema: {type: string, maxLength: 100}, description: 机构名称、信用代码、办件编号或任务名称}
        - {in: query, name: sort, schema: {type: string, enum: [due, arrived]}, description: 按期限或按到达时间}
        - {in: query, name: page, schema: {type: integer, minimum: 1, maximum: 100000}}
        - {in: query, name: per_page, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: 任务列表（total 为全部页的条数）, content: {application/json: {schema: InboxOut}}}
    """
    user = me()
    f = inbox_query(request.args, default_per_page=50)
    if f.scope == "done":
        items, total = done_page(user, f.page, f.per_page, f.q)
        out = [{"id": d["task_id"], "case_id": d["case_id"], "process": d["process"], "title": d["title"],
                "form": d["form"], "case_number": d["case_number"], "case_title": d["case_title"],
                "completed_at": d["completed_at"], "submitted": d["submitted"]} for d in items]
    else:
        rows, total = inbox_page(user, f)
        out = [dict(task_dict(t, u, n), case_title=title, case_number=number) for t, u, n, title, number in rows]
    return INBOX_OUT.dump({"items": out, "total": total, "page": f.page, "per_page": f.per_page,
                           "counts": inbox_tab_counts(user)})


@api.get("/tasks/<task_id>")
def get_task(task_id: str):
    """One task with its form as JSON Schema and the prefill data.
    ---
    get:
      summary: 任务详情
      responses:
        200: {description: 任务, content: {application/json: {schema: TaskDetailOut}}}
        404: {description: 不存在, content: {application/json: {schema: ErrorOut}}}
        409: {description: 任务已办理或案件已作废（说明由谁何时处理）, content: {application/json: {schema: ErrorOut}}}
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

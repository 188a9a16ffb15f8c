"""Case endpoints: start a case, read its status and open tasks, read its history."""
from flask import request

from models.case import CASE_STATUSES
from views.forms import case_data
from views.tx import commits
from workflows.cases import start_case, withdraw_case
from workflows.queries import case_history, case_open_tasks, visible_case
from workflows.worklists import case_page, case_query, open_tasks_of

from . import api
from ._io import event_dict, me, parse, task_dict
from .schemas import CASE_LIST_OUT, CASE_OUT, HISTORY_OUT, CaseIn, WithdrawIn


def case_dict(case, *, with_data: bool = False, open_tasks: list[tuple] | None = None) -> dict:
    """A case with its 办件编号 and open tasks (given when a list has fetched them for all its cases)."""
    tasks = case_open_tasks(case.id) if open_tasks is None else open_tasks
    out = {"id": case.id, "number": case.number, "process": case.process_key, "process_version": case.process_version.version,
           "title": case.title, "status": case.status, "outcome": case.outcome, "agency_id": case.agency_id,
           "unit": case.unit_code, "version": case.version, "started_at": case.started_at,
           "updated_at": case.updated_at, "completed_at": case.completed_at, "last_error": case.last_error,
           "open_tasks": [task_dict(t, u, n) for t, u, n in tasks]}
    if with_data:
        out["data"] = {k: v for k, v in case_data(case).items() if not k.startswith("spiff__")}
    return out


@api.post("/cases")
@commits
def post_case():
    """Start a case: {process, data?}; with data, the starter's first task is completed with it.
    ---
    post:
      summary: 发起案件
      requestBody: {content: {application/json: {schema: CaseIn}}}
      responses:
        201: {description: 已发起, content: {application/json: {schema: CaseOut}}}
        403: {description: 角色不能发起, content: {application/json: {schema: ErrorOut}}}
        422: {description: 表单校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(CaseIn())
    case = start_case(me(), body["process"], body["data"], title=body["title"])
    return CASE_OUT.dump(case_dict(case)), 201


@api.get("/cases")
def get_cases():
    """Cases I may see, filtered and paged, newest first; every case carries its 办件编号.
    ---
    get:
      summary: 案件列表
      parameters:
        - {in: query, name: process, schema: {type: string}, description: 流程标识}
        - {in: query, name: status, schema: {type: string, enum: [running, completed, error, cancelled]}}
        - {in: query, name: unit, schema: {type: string}, description: 所属单位代码}
        - {in: query, name: from, schema: {type: string, format: date}, description: 发起日期起（含）}
        - {in: query, name: to, schema: {type: string, format: date}, description: 发起日期止（含）}
        - {in: query, name: q, schema: {type: string, maxLength: 100}, description: 案件名称、办件编号、机构名称或信用代码}
        - {in: query, name: step, schema: {type: string}, description: 当前环节（BPMN 任务标识）}
        - {in: query, name: holder, schema: {type: integer, minimum: 1, maximum: 2147483647}, description: 当前办理人}
        - {in: query, name: page, schema: {type: integer, minimum: 1, maximum: 100000}}
        - {in: query, name: per_page, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: 案件（total 为全部页的条数）, content: {application/json: {schema: CaseListOut}}}
    """
    f = case_query(request.args, CASE_STATUSES)
    rows, total = case_page(me(), f)
    tasks = open_tasks_of([c.id for c, _ in rows])
    items = [case_dict(c, open_tasks=tasks[c.id]) for c, _ in rows]
    return CASE_LIST_OUT.dump({"items": items, "total": total, "page": f.page, "per_page": f.per_page})


@api.post("/cases/<int:case_id>/withdraw")
@commits
def post_withdraw(case_id: int):
    """作废 a running case with a reason: its starter, or an official who may see it.
    ---
    post:
      summary: 作废案件
      requestBody: {content: {application/json: {schema: WithdrawIn}}}
      responses:
        200: {description: 已作废, content: {application/json: {schema: CaseOut}}}
        409: {description: 已办结或已作废, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(WithdrawIn())
    case = withdraw_case(me(), case_id, body["reason"])
    return CASE_OUT.dump(case_dict(case))


@api.get("/cases/<int:case_id>")
def get_case(case_id: int):
    """A case: status, process version, open tasks and current data.
    ---
    get:
      summary: 案件详情
      responses:
        200: {description: 案件, content: {application/json: {schema: CaseOut}}}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    case = visible_case(me(), case_id)
    return CASE_OUT.dump(case_dict(case, with_data=True))


@api.get("/cases/<int:case_id>/history")
def get_history(case_id: int):
    """Every audit event of a case.
    ---
    get:
      summary: 案件办理记录
      responses:
        200: {description: 事件, content: {application/json: {schema: HistoryOut}}}
    """
    visible_case(me(), case_id)
    return HISTORY_OUT.dump({"events": [event_dict(e) for e in case_history(case_id, me())]})

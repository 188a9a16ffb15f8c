"""Case endpoints: start a case, read its status and open tasks, read its history."""
from flask import request

from models.case import CASE_STATUSES
from views.forms import case_data
from views.tx import commits
from workflows.cases import start_case
from workflows.errors import InvalidInput
from workflows.queries import case_history, case_open_tasks, list_cases, visible_case

from . import api
from ._io import event_dict, me, parse, task_dict
from .schemas import CASE_OUT, HISTORY_OUT, CaseIn


def case_dict(case, *, with_data: bool = False) -> dict:
    """A case with its open tasks."""
    out = {"id": case.id, "process": case.process_key, "process_version": case.process_version.version,
           "title": case.title, "status": case.status, "outcome": case.outcome, "agency_id": case.agency_id,
           "unit": case.unit_code, "version": case.version, "started_at": case.started_at,
           "updated_at": case.updated_at, "completed_at": case.completed_at, "last_error": case.last_error,
           "open_tasks": [task_dict(t, u, n) for t, u, n in case_open_tasks(case.id)]}
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
    """Cases I may see (process=KEY, status=running|completed …).
    ---
    get:
      summary: 案件列表
      parameters:
        - {in: query, name: process, schema: {type: string}, description: 流程标识}
        - {in: query, name: status, schema: {type: string, enum: [running, completed, error, cancelled]}}
      responses:
        200: {description: 案件, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: CaseOut}}}}}}
    """
    user = me()
    status = request.args.get("status") or None
    if status is not None and status not in CASE_STATUSES:
        raise InvalidInput("status 应为 running、completed、error 或 cancelled", {"status": ["状态值无效"]})
    cases = list_cases(user, process=request.args.get("process") or None, status=status)
    return {"items": [CASE_OUT.dump(case_dict(c)) for c in cases]}


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

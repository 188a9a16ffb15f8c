"""督办: per-unit queues for supervisors, and 催办 on a task."""
from marshmallow import Schema, fields, validate

from views.tx import commits
from workflows.supervision import queues, remind_task

from . import api
from ._io import me, parse


class RemindIn(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=500),
                         metadata={"description": "催办意见"})


@api.post("/tasks/<task_id>/remind")
@commits
def post_remind(task_id: str):
    """催办: remind the holder of a task (or its unit) with a note (officials only).
    ---
    post:
      summary: 催办
      requestBody: {required: true, content: {application/json: {schema: {type: object, required: [note], properties: {note: {type: string, maxLength: 500}}}}}}
      responses:
        200: {description: 已催办}
        403: {description: 无权催办, content: {application/json: {schema: ErrorOut}}}
        404: {description: 任务不存在, content: {application/json: {schema: ErrorOut}}}
        422: {description: 未填写意见, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(RemindIn())
    task = remind_task(me(), task_id, body["note"])
    return {"task_id": task.id, "reminded": True}


@api.get("/supervision/queues")
def get_queues():
    """Per unit and task kind: open, unclaimed, overdue, oldest (supervisors only).
    ---
    get:
      summary: 督办队列
      responses:
        200: {description: 各单位队列}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    rows = queues(me())
    return {"items": [dict(r, oldest=r["oldest"].isoformat() if r["oldest"] else None) for r in rows]}

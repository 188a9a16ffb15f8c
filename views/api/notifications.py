"""My notices: list (unread only with unread=1), mark one or all read."""
from flask import request

from views.tx import commits
from workflows.errors import NotFound
from workflows.notify import mark_read, my_notifications, unread_count

from . import api
from ._io import me


def notification_dict(n) -> dict:
    """One notice in the shape outside tools rely on."""
    return {"id": n.id, "at": n.at.isoformat(), "kind": n.kind, "case_id": n.case_id, "task_id": n.task_id,
            "text": n.text, "read": n.read_at is not None}


@api.get("/notifications")
def get_notifications():
    """My notices, newest first; `unread=1` for the unread ones only.
    ---
    get:
      summary: 我的消息
      parameters:
        - {name: unread, in: query, schema: {type: integer, enum: [0, 1]}}
      responses:
        200: {description: 消息列表与未读数}
        401: {description: 未登录, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    items = my_notifications(user.id, unread=request.args.get("unread") == "1")
    return {"items": [notification_dict(n) for n in items], "unread": unread_count(user.id)}


@api.post("/notifications/<int:notification_id>/read")
@commits
def post_notification_read(notification_id: int):
    """Mark one of my notices read.
    ---
    post:
      summary: 标记已读
      responses:
        200: {description: 已读}
        404: {description: 不存在, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    if not mark_read(user.id, notification_id) and not any(
            n.id == notification_id for n in my_notifications(user.id, limit=1000)):
        raise NotFound("消息不存在")
    return {"unread": unread_count(user.id)}


@api.post("/notifications/read-all")
@commits
def post_notifications_read_all():
    """Mark all my notices read.
    ---
    post:
      summary: 全部标记已读
      responses:
        200: {description: 已读}
        401: {description: 未登录, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    return {"marked": mark_read(user.id), "unread": 0}

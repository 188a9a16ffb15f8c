"""督办/催办: supervisors see every unit's queue and remind whoever holds a task.

Who supervises: city officials and leaders see every unit; a county official sees their own unit's queue.
"""
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from models import OpenTask, Unit, User, db

from . import audit, clock
from .errors import InvalidInput, NotAllowed, NotFound
from .notify import case_ref, deadline_text, notify_users, task_recipients

SUPERVISORS = ("city_official", "leader", "county_official")


def can_supervise(user) -> bool:
    """City officials and leaders supervise every unit; county officials their own."""
    return user is not None and user.role in SUPERVISORS


def queues(user, now: datetime | None = None) -> list[dict]:
    """Per unit and task kind: open, unclaimed, overdue, the oldest arrival, and whether anyone can act.

    One aggregate query over the inbox table plus one over active users per (role, unit).
    """
    if not can_supervise(user):
        raise NotAllowed("只有监管人员可以查看督办队列")
    now = now or clock.now()
    q = (select(OpenTask.unit_code, OpenTask.role, OpenTask.process_key, OpenTask.title,
                func.count().label("open"),
                func.sum(sql_case((OpenTask.assignee_id.is_(None), 1), else_=0)).label("unclaimed"),
                func.sum(sql_case((OpenTask.due_at < now, 1), else_=0)).label("overdue"),
                func.min(OpenTask.created_at).label("oldest"))
         .where(OpenTask.role.not_in(("agency",)))
         .group_by(OpenTask.unit_code, OpenTask.role, OpenTask.process_key, OpenTask.title)
         .order_by(OpenTask.unit_code, OpenTask.process_key, OpenTask.title))
    if user.role == "county_official":
        q = q.where(OpenTask.unit_code == user.unit_code)
    rows = db.session.execute(q).all()
    staffed = {(r, u) for r, u in db.session.execute(
        select(User.role, User.unit_code).where(User.active).group_by(User.role, User.unit_code)).all()}
    names = dict(db.session.execute(select(Unit.code, Unit.name)).all())
    return [{"unit": r.unit_code, "unit_name": names.get(r.unit_code, r.unit_code or ""), "role": r.role,
             "process": r.process_key, "task": r.title, "open": r.open, "unclaimed": int(r.unclaimed or 0),
             "overdue": int(r.overdue or 0), "oldest": r.oldest,
             "unstaffed": r.role not in ("expert",) and (r.role, r.unit_code) not in staffed}
            for r in rows]


def remind_task(user, task_id: str, note: str) -> OpenTask:
    """催办: remind the holder of a task (or its unit) with a note; audited and notified."""
    if not can_supervise(user):
        raise NotAllowed("只有监管人员可以催办")
    task = db.session.get(OpenTask, task_id)
    if task is None:
        raise NotFound("任务不存在或已办结")
    if user.role == "county_official" and task.unit_code != user.unit_code:
        raise NotAllowed("只能催办本单位的任务")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请填写催办意见", {"note": ["请填写催办意见"]})
    if len(note) > 500:
        raise InvalidInput("催办意见不超过500字", {"note": ["催办意见不超过500字"]})
    row = {"assignee_id": task.assignee_id, "role": task.role, "unit_code": task.unit_code,
           "agency_id": task.agency_id}
    due = f"，办理期限：{deadline_text(task.due_at)}" if task.due_at else ""
    text = f"{user.display_name}催办：“{task.title}”（{case_ref(task.case)}）{due}。意见：{note}"
    told = notify_users(task_recipients(row), "task_reminded", text, case_id=task.case_id, task_id=task.id)
    audit.record("task_reminded", actor=user, case_id=task.case_id, task_id=task.id,
                 detail={"note": note, "recipients": told, "assignee_id": task.assignee_id})
    return task


def flag_unstaffed(case, row: dict) -> None:
    """A new task in a unit with no active user of its role: the city hears of it at once."""
    if row["role"] in ("agency", "expert") or row.get("assignee_id"):
        return
    city = list(db.session.execute(select(User.id).where(
        User.role.in_(("city_official", "leader")), User.active)).scalars())
    unit = db.session.get(Unit, row["unit_code"]) if row.get("unit_code") else None
    notify_users(city, "task_unstaffed",
                 f"“{row['title']}”（{case_ref(case)}）已到达{unit.name if unit else '本级'}，但没有可办理的在岗人员，"
                 "请转办或安排人员。", case_id=case.id, task_id=row["id"], dedupe_key=f"task_unstaffed:{row['id']}")

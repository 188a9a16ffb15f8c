"""Verbs on inbox tasks: claim, unclaim, reassign (转办), complete. They flush; the caller commits once."""
import json

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, or_, select, update

from models import AuditEvent, Case, OpenTask, User, db

from . import audit, clock, guards
from .access import can_claim, can_complete, can_hold, can_see_case, task_matches
from .engine import get_task
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .forms import load_form
from .runtime import CaseStep


def get_open_task(user, task_id: str, *, lock: bool = False) -> OpenTask:
    """An open task the user may see; a task that is gone answers 409 naming who handled it."""
    q = select(OpenTask).where(OpenTask.id == task_id)
    if lock:
        q = q.with_for_update()
    task = db.session.execute(q).scalar_one_or_none()
    if task is None:
        if db.session.execute(select(AuditEvent.seq).where(AuditEvent.task_id == task_id).limit(1)).first():
            raise Conflict(audit.who_acted_first(task_id))
        raise NotFound("任务不存在")
    if not (task_matches(user, task) or can_see_case(user, task.case)):
        raise NotAllowed("您无权查看该任务")
    return task


def claim_task(user, task_id: str) -> OpenTask:
    """Take an unclaimed task of my role and unit into my own list."""
    task = get_open_task(user, task_id, lock=True)
    if not task_matches(user, task):
        raise NotAllowed("该任务不属于您的角色或单位")
    guards.check(user, "claim", case=task.case, agency_id=task.case.agency_id)
    if not can_claim(user, task):
        raise Conflict(audit.who_acted_first(task_id) if task.assignee_id != user.id else "您已认领该任务")
    now = clock.now()
    res = db.session.execute(update(OpenTask).where(OpenTask.id == task_id, OpenTask.assignee_id.is_(None))
                             .values(assignee_id=user.id, claimed_at=now))
    if res.rowcount != 1:
        raise Conflict(audit.who_acted_first(task_id))
    audit.record("task_claimed", actor=user, case_id=task.case_id, task_id=task_id)
    db.session.refresh(task)
    return task


def unclaim_task(user, task_id: str) -> OpenTask:
    """Give a task I hold back to the unit's unclaimed list."""
    task = get_open_task(user, task_id, lock=True)
    if not task_matches(user, task):
        raise NotAllowed("该任务不属于您的角色或单位")
    if task.assignee_id != user.id:
        raise Conflict("只能退回本人认领的任务")
    if task.role in ("agency", "expert"):
        raise Conflict("指定给您办理的任务不能退回待认领；如需调整，请联系市级监管人员转办")
    db.session.execute(update(OpenTask).where(OpenTask.id == task_id).values(assignee_id=None, claimed_at=None))
    audit.record("task_unclaimed", actor=user, case_id=task.case_id, task_id=task_id)
    db.session.refresh(task)
    return task


def reassign_task(user, task_id: str, to_user_id: int) -> OpenTask:
    """转办: a city official hands a task to another user of its role within the task's own unit or agency."""
    task = get_open_task(user, task_id, lock=True)
    if user.role not in ("city_official", "leader"):
        raise NotAllowed("只有市级监管人员可以转办任务")
    target = db.session.get(User, to_user_id) if 0 < to_user_id < 2**31 else None  # INTEGER id column
    if target is None or not target.active:
        raise InvalidInput("转办对象不存在", {"user_id": ["转办对象不存在"]})
    if target.role != task.role:
        raise InvalidInput("转办对象的角色与任务不符", {"user_id": ["转办对象的角色与任务不符"]})
    if not can_hold(target, task):
        why = ("只能转办给本机构的其他经办人" if task.role == "agency"
               else "只能转办给任务所属单位的人员")
        raise InvalidInput(why, {"user_id": [why]})
    before = task.assignee_id
    db.session.execute(update(OpenTask).where(OpenTask.id == task_id)
                       .values(assignee_id=target.id, claimed_at=clock.now()))
    audit.record("task_reassigned", actor=user, case_id=task.case_id, task_id=task_id,
                 detail={"from_user_id": before, "to_user_id": target.id, "to": target.display_name})
    db.session.refresh(task)
    return task


def complete_task(user, task_id: str, payload: dict, *, expected_version: int | None = None) -> Case:
    """Submit a task's form: permission → validation → compare-and-set → engine steps → persist → audit."""
    row = db.session.execute(select(OpenTask, Case).join(Case, Case.id == OpenTask.case_id)
                             .where(OpenTask.id == task_id)).first()
    if row is None:
        return _gone(user, task_id)
    task, case = row
    if not task_matches(user, task):
        raise NotAllowed("该任务不属于您的角色或单位")
    if not can_complete(user, task):
        raise Conflict(audit.who_acted_first(task_id))
    guards.check(user, f"complete:{case.process_key}:{task.bpmn_id}", case=case, agency_id=case.agency_id,
                 credit_code=case.credit_code)
    step = CaseStep(case, user)
    data = load_form(task.form_key, payload, step.ctx)
    spiff_task = get_task(step.wf, task_id)
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict(audit.who_acted_first(task_id))
    changed = {k: [spiff_task.data.get(k), v] for k, v in data.items() if spiff_task.data.get(k) != v}
    step.acquire(expected_version=expected_version, task_id=task_id)
    _hold_for_completion(user, task_id)
    with step.running():
        spiff_task.data.update(json.loads(json.dumps(data, default=str)))
        spiff_task.data["completed_by"] = user.id
        spiff_task.run()
        step.wf.do_engine_steps()
    audit.record("task_completed", actor=user, case_id=case.id, task_id=task_id,
                 detail={"task": task.bpmn_id, "form": task.form_key, "title": task.title, "submitted": data,
                         "changed": {k: v for k, v in changed.items() if v[0] is not None}})
    return step.save()


def _hold_for_completion(user, task_id: str) -> None:
    """Re-check, under the case lock, that nobody else claimed the task since it was read.

    A claim changes only the inbox row, so the case's compare-and-set alone cannot see it; this conditional
    UPDATE can (it waits for, or blocks, a concurrent claim of the same row), and the loser gets a 409.
    """
    res = db.session.execute(update(OpenTask).where(
        OpenTask.id == task_id, or_(OpenTask.assignee_id.is_(None), OpenTask.assignee_id == user.id))
        .values(assignee_id=user.id, claimed_at=func.coalesce(OpenTask.claimed_at, clock.now())))
    if res.rowcount != 1:
        raise Conflict(audit.who_acted_first(task_id))


def _gone(user, task_id: str):
    if db.session.execute(select(AuditEvent.seq).where(AuditEvent.task_id == task_id).limit(1)).first():
        raise Conflict(audit.who_acted_first(task_id))
    raise NotFound("任务不存在")

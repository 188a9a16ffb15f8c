"""Starting cases and delivering messages to them."""
import json

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import delete, update

from handlers import PROCESSES
from models import Case, CaseTimer, OpenTask, db

from . import audit, clock, guards
from .access import can_see_case
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .runtime import CaseStep, latest_version, start_workflow_case


def start_case(user, process_key: str, data: dict | None = None, *, title: str | None = None,
               variables: dict | None = None, agency_id: int | None = None, unit_code: str | None = None,
               credit_code: str | None = None, via: str = "") -> Case:
    """Open a case of a process; if `data` is given it completes the starter's first task with it.

    `via` names where the start comes from when not the start menu (a grading round starts its cases).
    """
    info = PROCESSES.get(process_key)
    if info is None:
        raise NotFound(f"没有名为“{process_key}”的流程")
    if info.start_via and via != info.start_via:
        raise Conflict(f"“{info.title}”不能单独发起：{START_VIA.get(info.start_via, '')}")
    if user is not None and user.role not in info.starter_roles:
        raise NotAllowed(f"您的角色不能发起“{info.title}”")
    if user is not None and user.role == "agency":
        agency_id = user.agency_id
        unit_code = unit_code or user.unit_code
    guards.check(user, f"start:{process_key}", agency_id=agency_id, credit_code=credit_code)
    version = latest_version(process_key)
    step = start_workflow_case(user, version, title=title or info.title, variables=variables,
                               agency_id=agency_id, unit_code=unit_code, credit_code=credit_code)
    case = step.save()
    if data:
        from .engine import ready_user_tasks
        from .tasks import complete_task
        mine = [t for t in ready_user_tasks(step.wf) if t.task_spec.lane == user.role]
        if not mine:
            raise Conflict("该流程的第一步不由您办理，不能随发起一并提交表单")
        db.session.flush()
        case = complete_task(user, str(mine[0].id), data)
    return case


START_VIA = {"round": "须由市级监管人员在“评定轮次”页面开启一轮评定，平台为每家参评机构发起案件",
             "staff": "由平台在人员库发现同一人员同时在两家机构从业时自动发起"}


def withdraw_case(user, case_id: int, reason: str) -> Case:
    """作废/撤回 a running case with a reason: its starter, or an official who may see it (not an agency's
    case that has reached the bureau, for the agency); open tasks and timers go, the trail keeps everything."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    if not can_withdraw(user, case):
        raise NotAllowed("您不能作废该案件：只有发起人或有权查看该案件的监管人员可以作废")
    if not (reason or "").strip():
        raise InvalidInput("请填写作废理由", {"reason": ["请填写作废理由"]})
    if case.status != "running":
        raise Conflict("该案件已办结或已作废，不能再作废")
    loaded = case.version
    res = db.session.execute(update(Case).where(Case.id == case.id, Case.version == loaded).values(
        version=loaded + 1, status="cancelled", outcome="voided", completed_at=clock.now(),
        updated_at=clock.now()))
    if res.rowcount != 1:
        raise Conflict("该案件已被他人同时处理，您的操作未生效，请刷新后重试")
    db.session.execute(delete(OpenTask).where(OpenTask.case_id == case.id))
    db.session.execute(delete(CaseTimer).where(CaseTimer.case_id == case.id))
    audit.record("case_withdrawn", actor=user, case_id=case.id, detail={"reason": reason.strip()[:2000]})
    db.session.refresh(case)
    return case


def can_withdraw(user, case: Case) -> bool:
    """The starter of a running case, or a city/county official or leader who may see it."""
    if user is None or case.status != "running":
        return False
    if case.started_by_id == user.id:
        return True
    return user.role in ("city_official", "leader", "county_official") and can_see_case(user, case)


def send_message(case_id: int, name: str, payload: dict, *, actor=None, actor_name: str | None = None) -> Case:
    """Deliver a BPMN message (e.g. an objection) to a waiting case; 409 if it is not waiting for it."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    step = CaseStep(case, actor)
    step.acquire()
    with step.running():
        try:
            step.wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=json.loads(json.dumps(payload)),
                                         correlations={}))
        except WorkflowException:
            raise Conflict("该案件当前不接收此类事项（可能已超过期限或已办结）") from None
        step.wf.do_engine_steps()
    audit.record("message_received", actor=actor, actor_name=actor_name, case_id=case.id,
                 detail={"message": name, "payload": payload})
    return step.save()

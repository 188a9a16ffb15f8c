"""Starting cases and delivering messages to them."""
import json

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from handlers import PROCESSES
from models import Case, db

from . import audit, guards
from .errors import Conflict, NotAllowed, NotFound
from .runtime import CaseStep, latest_version, start_workflow_case


def start_case(user, process_key: str, data: dict | None = None, *, title: str | None = None,
               variables: dict | None = None, agency_id: int | None = None, unit_code: str | None = None,
               credit_code: str | None = None) -> Case:
    """Open a case of a process; if `data` is given it completes the starter's first task with it."""
    info = PROCESSES.get(process_key)
    if info is None:
        raise NotFound(f"没有名为“{process_key}”的流程")
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

"""Running a step of a case: load → act → engine steps → save case, inbox rows, timers and audit in one go.

Every verb that moves a workflow goes through `CaseStep`, so the restricted engine is always attached, the
inbox and timer tables always match the workflow, and a failed step never reaches the database.
"""
import json
from datetime import datetime

from flask import current_app
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import Case, CaseTimer, OpenTask, ProcessVersion, db

from . import audit, clock
from .context import StepContext, active
from .engine import dump_workflow, load_workflow, new_workflow, ready_user_tasks, waiting_timers
from .errors import Conflict, DomainError, EngineFailure, NotFound
from .notify import notify_case_closed, notify_new_tasks
from .numbering import assign_number
from .script_engine import SandboxViolation
from .script_limits import ScriptLimitExceeded, end_step_limit, start_step_limit
from .service_levels import service_deadline

COUNTY_ROLES = {"county_official", "agency"}
RETURNING_ROLES = {"county_official", "city_official", "leader"}  # what they returned comes back to them
RETURN_DECISIONS = {"return"}  # the decision value by which a reviewer sends a case back for correction


def latest_version(process_key: str) -> ProcessVersion:
    """The newest deployed version of a process; new cases start on it."""
    version = db.session.execute(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"没有名为“{process_key}”的流程")
    return version


def _due(task) -> tuple[datetime | None, bool]:
    props = task.task_spec.extensions.get("properties", {})
    var = props.get("dueDateVariable")
    value = task.data.get(var) if var else None
    if isinstance(value, dict):
        return datetime.fromisoformat(value["due_at"]), bool(value.get("provisional"))
    if isinstance(value, str):
        return datetime.fromisoformat(value), False
    return None, False


class CaseStep:
    """One unit of work on one case; construct, run actions inside `with step.running():`, then `save()`."""

    def __init__(self, case: Case, actor, wf=None):
        self.case, self.actor, self.case_id = case, actor, case.id
        self.is_new = wf is not None
        self.locked_version: int | None = None
        self.wf = wf if wf is not None else load_workflow(case.workflow_json, case.process_version)
        self.ctx = StepContext(case=case, actor=actor, settings=current_app.config)
        self.before_tasks = {str(t.id) for t in ready_user_tasks(self.wf)} if wf is None else set()
        self.before_timers = {(str(t.id), due) for t, due in waiting_timers(self.wf)} if wf is None else set()

    def acquire(self, *, expected_version: int | None = None, task_id: str | None = None) -> None:
        """Take the case before any side effect: bump its version if it is still the one we loaded.

        The UPDATE is the lock (a row lock on PostgreSQL, the write lock on SQLite); whoever comes second
        finds the version moved and gets a 409 naming who acted first.
        """
        loaded = self.case.version
        if expected_version is not None and expected_version != loaded:
            raise Conflict(audit.who_acted_first(task_id) if task_id else "案件已更新，请刷新后重试")
        res = db.session.execute(update(Case).where(Case.id == self.case_id, Case.version == loaded)
                                 .values(version=loaded + 1))
        if res.rowcount != 1:
            raise Conflict(audit.who_acted_first(task_id) if task_id else
                           "该案件已被他人同时处理，您的操作未生效，请刷新后重试")
        self.locked_version = loaded + 1
        set_committed_value(self.case, "version", loaded + 1)

    def running(self):
        """Context in which service tasks see this step; engine errors become EngineFailure."""
        return _Guard(self)

    def _task_row(self, t, now: datetime) -> dict:
        role = t.task_spec.lane or ""
        case_unit = self.ctx.case_changes.get("unit_code", self.case.unit_code)
        agency_id = self.ctx.case_changes.get("agency_id", self.case.agency_id)
        unit = case_unit if role in COUNTY_ROLES else current_app.config["CITY_CODE"]
        due_at, provisional = _due(t)
        if due_at is None and role not in ("agency", ""):
            due_at, provisional = service_deadline(self.case.process_key, t.task_spec.bpmn_id, now)
        assignee = t.data.get("assignee_id") if role != "agency" else None
        if role == "agency" and agency_id is None:
            assignee = self.case.started_by_id
        if assignee is None and role in RETURNING_ROLES and current_app.config.get("RETURN_TO_SAME_REVIEWER", True):
            assignee = previous_holder(self.case_id, t.task_spec.bpmn_id, role, unit)
        return {
            "id": str(t.id), "case_id": self.case_id, "process_key": self.case.process_key,
            "bpmn_id": t.task_spec.bpmn_id, "title": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
            "role": role, "unit_code": unit, "agency_id": agency_id if role == "agency" else None,
            "form_key": t.task_spec.extensions.get("properties", {}).get("formKey", ""),
            "assignee_id": assignee, "claimed_at": now if assignee else None, "created_at": now,
            "due_at": due_at, "due_provisional": provisional,
        }

    def save(self) -> Case:
        """Persist the workflow and the step's case changes, then sync inbox rows and timers."""
        now, case, wf = self.ctx.now, self.case, self.wf
        values = dict(self.ctx.case_changes, workflow_json=dump_workflow(wf), updated_at=now)
        if wf.is_completed():
            values.update(status="completed", completed_at=now, outcome=wf.data.get("outcome"))
        if self.is_new:
            for k, v in values.items():
                setattr(case, k, v)
        else:
            if self.locked_version is None:
                raise RuntimeError("CaseStep.save() without acquire()")
            res = db.session.execute(update(Case).where(Case.id == self.case_id,
                                                        Case.version == self.locked_version).values(**values))
            if res.rowcount != 1:
                raise Conflict("该案件已被他人同时处理，您的操作未生效，请刷新后重试")
            for k, v in values.items():
                set_committed_value(case, k, v)
        self._sync_tasks(now)
        self._sync_timers()
        if wf.is_completed():
            notify_case_closed(case)
        return case

    def _sync_tasks(self, now: datetime) -> None:
        after = {str(t.id): t for t in ready_user_tasks(self.wf)}
        gone = self.before_tasks - after.keys()
        if gone:
            db.session.execute(delete(OpenTask).where(OpenTask.id.in_(gone)))
        new = [self._task_row(t, now) for tid, t in after.items() if tid not in self.before_tasks]
        if new:
            db.session.execute(insert(OpenTask), new)
            notify_new_tasks(self.case, new, getattr(self.actor, "id", None))
            for row in new:
                audit.record("task_created", case_id=self.case_id, task_id=row["id"],
                             detail={"title": row["title"], "role": row["role"], "unit": row["unit_code"],
                                     "due_at": row["due_at"].isoformat() if row["due_at"] else None},
                             actor_name="系统")
        if "agency_id" in self.ctx.case_changes and self.before_tasks & after.keys():
            db.session.execute(update(OpenTask).where(OpenTask.case_id == self.case_id, OpenTask.role == "agency")
                               .values(agency_id=self.ctx.case_changes["agency_id"]))

    def _sync_timers(self) -> None:
        after = {(str(t.id), due): t for t, due in waiting_timers(self.wf)}
        if after.keys() == self.before_timers:
            return
        if self.before_timers:
            db.session.execute(delete(CaseTimer).where(CaseTimer.case_id == self.case_id))
        if after:
            db.session.execute(insert(CaseTimer), [
                {"case_id": self.case_id, "task_id": tid, "bpmn_id": t.task_spec.bpmn_id, "due_at": due}
                for (tid, due), t in after.items()])


class _Guard:
    def __init__(self, step: CaseStep):
        self.step = step
        self._cm = active(step.ctx)

    def __enter__(self):
        self._cm.__enter__()
        self._limit = start_step_limit()
        return self.step

    def __exit__(self, exc_type, exc, tb):
        end_step_limit(self._limit)
        self._cm.__exit__(exc_type, exc, tb)
        if exc is None or isinstance(exc, DomainError) and not isinstance(exc, EngineFailure):
            return False
        if isinstance(exc, EngineFailure):
            exc.case_id = self.step.case_id
            return False
        if isinstance(exc, (WorkflowException, SyntaxError, NameError, TypeError, ValueError, KeyError,
                            AttributeError, ZeroDivisionError)) or exc_type.__module__.startswith("RestrictedPython"):
            err = EngineFailure(f"流程执行出错，案件未作任何改动：{_describe(exc)}")
            err.case_id = self.step.case_id
            raise err from exc
        return False


def _where(exc: BaseException) -> str:
    """The element an engine error happened on, e.g. 环节“审核”（review）."""
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    if spec is None:
        return ""
    name = getattr(spec, "bpmn_name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or getattr(spec, "name", "")
    return f"（环节“{name}”，{bpmn_id}）" if name else f"（环节 {bpmn_id}）"


def _python_error(inner: BaseException) -> str | None:
    """A Chinese sentence for the Python errors diagram code typically makes."""
    detail = str(inner)[:200]
    if isinstance(inner, NameError):
        name = getattr(inner, "name", None) or detail
        return f"脚本或条件使用了未定义的名称“{name}”（流程脚本中没有这个变量，也不能导入模块）"
    if isinstance(inner, KeyError):
        return f"脚本或条件读取的数据项 {detail} 不存在"
    if isinstance(inner, ZeroDivisionError):
        return "脚本或条件中出现了除以零"
    if isinstance(inner, SyntaxError):
        return f"脚本或条件第 {inner.lineno} 行有语法错误"
    kinds = {TypeError: "数据类型不符", ValueError: "数值不合法", AttributeError: "访问了不存在的属性"}
    for kind, words in kinds.items():
        if isinstance(inner, kind):
            return f"脚本或条件出错（{words}）：{detail}"
    return None


def _describe(exc: BaseException) -> str:
    where = _where(exc)
    inner = exc.__cause__ or getattr(exc, "exception", None) or exc
    if isinstance(inner, DomainError):
        return inner.message + where
    if isinstance(inner, (SandboxViolation, ScriptLimitExceeded)):
        return f"{inner}{where}"
    if isinstance(exc, WorkflowException) and str(exc).startswith("No conditions satisfied"):
        return f"排他或包容网关的所有出口条件都不成立，且没有默认出口，案件无法继续{where}"
    sentence = _python_error(inner)
    return (sentence or f"{type(exc).__name__}: {str(exc)[:300]}") + where


def previous_holder(case_id: int, bpmn_id: str, role: str, unit: str | None) -> int | None:
    """Who last completed this step of this case, if still active in the task's role and unit: a correction
    returned by a reviewer comes back to that reviewer (setting RETURN_TO_SAME_REVIEWER; else the unit's queue)."""
    from models import AuditEvent, User
    rows = db.session.execute(select(AuditEvent.actor_id, AuditEvent.detail).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "task_completed", AuditEvent.role == role)
        .order_by(AuditEvent.seq.desc())).all()
    for actor_id, detail in rows:
        event = json.loads(detail)
        if event.get("task") == bpmn_id and actor_id is not None:
            if (event.get("submitted") or {}).get("decision") not in RETURN_DECISIONS:
                return None  # only what the reviewer sent back for correction comes back to them
            user = db.session.get(User, actor_id)
            if user is not None and user.active and user.role == role and (unit is None or user.unit_code == unit):
                return user.id
            return None
    return None


def record_engine_failure(case_id: int | None, message: str, actor=None) -> None:
    """Note a rolled-back failure on the case (if its row survives) and in the audit trail; commits, never raises."""
    try:
        exists = case_id is not None and db.session.get(Case, case_id) is not None
        if exists:
            db.session.execute(update(Case).where(Case.id == case_id).values(last_error=message))
        detail = {"message": message} if exists or case_id is None else {"message": message, "rolled_back": True}
        audit.record("engine_error", actor=actor, case_id=case_id if exists else None, detail=detail)
        db.session.commit()
    except Exception:  # recording must not turn the 422 into a 500
        db.session.rollback()
        current_app.logger.exception("could not record engine failure: %s", message)


def start_workflow_case(actor, version: ProcessVersion, *, title: str, variables: dict | None = None,
                        agency_id: int | None = None, unit_code: str | None = None,
                        credit_code: str | None = None) -> CaseStep:
    """Create the case row and run the new workflow to its first waiting point (not yet saved)."""
    now = clock.now()
    case = Case(process_key=version.process_key, process_version_id=version.id, title=title,
                status="running", agency_id=agency_id, unit_code=unit_code, credit_code=credit_code,
                started_by_id=getattr(actor, "id", None), started_at=now, updated_at=now, version=1,
                workflow_json="{}")
    case.process_version = version
    db.session.add(case)
    db.session.flush()
    assign_number(case)
    wf = new_workflow(version)
    step = CaseStep(case, actor, wf=wf)
    try:
        with step.running():
            for t in wf.get_tasks(state=TaskState.READY):
                t.data.update(json.loads(json.dumps(variables or {})))
                t.data.setdefault("case_id", case.id)
            wf.do_engine_steps()
    except EngineFailure as err:
        err.case_id = None  # the case row goes with the rollback; the failure is recorded without it
        reason = err.message.removeprefix("流程执行出错，案件未作任何改动：")
        err.message = f"案件未能发起（{version.title}，第 {version.version} 版）：{reason}"
        err.args = (err.message,)
        raise
    audit.record("case_started", actor=actor, case_id=case.id,
                 detail={"process": version.process_key, "version": version.version, "title": title})
    return step

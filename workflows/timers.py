"""The scheduler's unit of work: fire the timers that are due, case by case, each under a row lock."""
from datetime import datetime

from sqlalchemy import select

from models import Case, CaseTimer, db

from . import audit, clock
from .engine import waiting_timers
from .errors import Conflict, DomainError
from .runtime import CaseStep, record_engine_failure


def due_case_ids(now: datetime) -> list[int]:
    """Cases with at least one timer due at `now`, earliest first."""
    rows = db.session.execute(select(CaseTimer.case_id, CaseTimer.due_at).where(CaseTimer.due_at <= now)
                              .order_by(CaseTimer.due_at)).all()
    seen: dict[int, None] = {}
    for case_id, _ in rows:
        seen.setdefault(case_id, None)
    return list(seen)


def fire_case_timers(case_id: int, now: datetime) -> int:
    """Fire the due timers of one case (caller commits); returns how many fired."""
    q = select(Case).where(Case.id == case_id, Case.status == "running")
    if db.engine.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)  # a case being worked on is picked up at the next tick
    case = db.session.execute(q).scalar_one_or_none()
    if case is None:
        return 0
    step = CaseStep(case, None)
    due = [(t, at) for t, at in waiting_timers(step.wf) if at <= now]
    if not due:
        return 0
    step.acquire()
    with step.running():
        for t, _ in due:
            # The platform clock decides due-ness; the engine is told the event fired.
            t.internal_data["event_fired"] = True
        step.wf.refresh_timers()
        step.wf.do_engine_steps()
    for t, at in due:
        audit.record("timer_fired", case_id=case.id, task_id=str(t.id),
                     detail={"timer": t.task_spec.bpmn_id, "title": t.task_spec.bpmn_name, "due_at": at.isoformat()})
    step.save()
    return len(due)


def tick(now: datetime | None = None) -> int:
    """Fire every due timer; one commit per case; returns the number fired."""
    now = now or clock.now()
    fired = 0
    with clock.fixed_at(now):
        for case_id in due_case_ids(now):
            try:
                fired += fire_case_timers(case_id, now)
                db.session.commit()
            except Conflict:
                db.session.rollback()  # someone acted on the case meanwhile; the next tick retries
            except DomainError as err:
                db.session.rollback()
                record_engine_failure(case_id, err.message)
                db.session.commit()
        _notices(now)
        _supervision(now)
    return fired


def _supervision(now: datetime) -> None:
    """After the notices: dormant accounts ([WJ] 第十四条, workflows/dormancy.py) and the half-yearly public list
    (workflows/public_list.py), each committed on its own; a failure is logged and never stops the timers."""
    import logging

    from .dormancy import check_dormancy
    from .public_list import take_due_snapshot
    for step in (check_dormancy, take_due_snapshot):
        try:
            step(now)
            db.session.commit()
        except Exception:  # the daily checks must never break the timer worker
            db.session.rollback()
            logging.getLogger("anfu.supervision").exception("%s failed in tick", step.__name__)


def _notices(now: datetime) -> None:
    """After the timers: deadline reminders, then delivery of queued e-mail/SMS (each committed on its own;
    a failure here is logged and never stops the timers)."""
    import logging

    from .notify import deliver_pending, remind_due_tasks
    try:
        remind_due_tasks(now)
        db.session.commit()
        deliver_pending(now)
    except Exception:  # notices must never break the timer worker
        db.session.rollback()
        logging.getLogger("anfu.notify").exception("notices failed in tick")

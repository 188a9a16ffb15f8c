"""Provisional deadlines recounted once the administrator enters a year's holidays (domain.md §5, §8).

A deadline counted over a year without holiday data was counted Mon–Fri and marked provisional. When the
administrator enters that year's days off / make-up days (or declares the year complete), every running case's
provisional deadline is counted again with the same start, length and kind: the workflow's task data, its
timers' stored event values, the inbox rows (`open_task.due_at`, `due_provisional`) and the scheduler's
`case_timer` rows all move together, and each move is audited with the old and new dates.
"""
from datetime import date, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update

from models import Case, OpenTask, db

from . import audit, clock
from .calendar import SHANGHAI, Deadline, WorkingCalendar
from .calendar_service import platform_calendar
from .engine import ready_user_tasks, waiting_timers
from .reports import deadline_moved
from .runtime import CaseStep, _due

DEADLINE_KEYS = frozenset({"start", "days", "kind", "ends_on", "due_at", "provisional", "explanation"})
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


def is_provisional_deadline(value) -> bool:
    """A deadline stored by `Deadline.to_json` (possibly with extras such as `reminder_at`) still provisional."""
    return isinstance(value, dict) and DEADLINE_KEYS <= value.keys() and value.get("provisional") is True


def _touches(value: dict, year: int) -> bool:
    return date.fromisoformat(value["start"]).year <= year <= date.fromisoformat(value["ends_on"]).year + 1


def _weekdays_between(a: date, b: date) -> int:
    """Mon–Fri days d with a < d <= b: how a provisional reminder offset was counted."""
    return sum((a + timedelta(days=i)).weekday() < 5 for i in range(1, (b - a).days + 1))


def recount(value: dict, cal: WorkingCalendar, now: datetime) -> dict:
    """The same period counted again on `cal`; a `reminder_at` keeps its working-day offset before the end."""
    old = Deadline.from_json(value)
    new = (cal.add_working_days(old.start, old.days) if old.kind == "working"
           else cal.add_calendar_days(old.start, old.days))
    out = dict(value, **new.to_json())
    if value.get("reminder_at"):
        before = datetime.fromisoformat(value["reminder_at"]).astimezone(SHANGHAI)
        offset = value.get("reminder_working_days")
        if offset is None:
            offset = _weekdays_between(before.date(), old.ends_on)
        remind_on = cal.subtract_working_days(new.ends_on, int(offset))
        remind_at = datetime.combine(remind_on, before.timetz().replace(tzinfo=None), SHANGHAI)
        out["reminder_at"] = max(remind_at, now.astimezone(SHANGHAI)).isoformat()
    return out


def _candidate_cases() -> list[Case]:
    return list(db.session.execute(
        select(Case).where(Case.status == "running", Case.workflow_json.contains('"provisional":true'))
        .order_by(Case.id)).scalars())


def _changes_in(wf, year: int, cal: WorkingCalendar, now: datetime) -> dict[str, tuple[dict, dict]]:
    """Variable name → (old, new) for the provisional deadlines of open tasks that count differently now."""
    changes: dict[str, tuple[dict, dict]] = {}
    for t in wf.get_tasks(state=_OPEN):
        for name, value in t.data.items():
            if name in changes or not is_provisional_deadline(value) or not _touches(value, year):
                continue
            new = recount(value, cal, now)
            if new != value:
                changes[name] = (value, new)
    return changes


def _apply(step: CaseStep, changes: dict[str, tuple[dict, dict]]) -> set[str]:
    """Write the new values into every open task holding the old ones; re-evaluate their timers."""
    wf, touched = step.wf, set()
    for t in wf.get_tasks(state=_OPEN):
        hit = False
        for name, (old, new) in changes.items():
            if t.data.get(name) == old:
                t.data[name] = dict(new)
                hit = True
        if hit:
            touched.add(str(t.id))
    for t, _ in waiting_timers(wf):
        definition = getattr(t.task_spec, "event_definition", None)
        if str(t.id) in touched and isinstance(definition, TimeDateEventDefinition) \
                and not t.internal_data.get("event_fired"):
            t.internal_data["event_value"] = wf.script_engine.evaluate(t, definition.expression)
    return touched


def recompute_provisional_deadlines(year: int, actor=None) -> list[dict]:
    """Count again every running case's provisional deadline touching `year`; returns what moved (flushes)."""
    cal, now, moved = platform_calendar(), clock.now(), []
    for case in _candidate_cases():
        step = CaseStep(case, actor)
        changes = _changes_in(step.wf, year, cal, now)
        if not changes:
            continue
        step.acquire()
        with step.running():
            touched = _apply(step, changes)
        step.save()
        for t in ready_user_tasks(step.wf):
            if str(t.id) in touched:
                due_at, provisional = _due(t)
                db.session.execute(update(OpenTask).where(OpenTask.id == str(t.id))
                                   .values(due_at=due_at, due_provisional=provisional))
        for name, (old, new) in changes.items():
            detail = {"variable": name, "year": year, "old_due_at": old["due_at"], "new_due_at": new["due_at"],
                      "old_ends_on": old["ends_on"], "new_ends_on": new["ends_on"],
                      "provisional": new["provisional"], "explanation": new["explanation"]}
            if "reminder_at" in old:
                detail.update(old_reminder_at=old["reminder_at"], new_reminder_at=new["reminder_at"])
            audit.record("deadline_recomputed", actor=actor, case_id=case.id, detail=detail)
            deadline_moved(case.id, name, new)
            moved.append(dict(detail, case_id=case.id))
    return moved

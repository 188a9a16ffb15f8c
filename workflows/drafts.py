"""暂存: a form saved half-way by the person working on a task, restored when they open it again.

Only the saver sees their draft; it is not case data (gateways and other people never see it) and is
discarded once the task is completed. Saving is audited without its content.
"""
from sqlalchemy import delete, select

from models import TaskDraft, db

from . import audit, clock


def save_draft(user, task, values: dict) -> TaskDraft:
    """Keep what I have typed into a task's form (flushes)."""
    draft = db.session.get(TaskDraft, (task.id, user.id))
    if draft is None:
        draft = TaskDraft(task_id=task.id, user_id=user.id, case_id=task.case_id, data=values, saved_at=clock.now())
        db.session.add(draft)
    else:
        draft.data, draft.saved_at = values, clock.now()
    db.session.flush()
    audit.record("draft_saved", actor=user, case_id=task.case_id, task_id=task.id,
                 detail={"fields": sorted(values)})
    return draft


def my_draft(user, task_id: str) -> TaskDraft | None:
    """My saved draft of a task, if any."""
    return db.session.execute(select(TaskDraft).where(TaskDraft.task_id == task_id,
                                                      TaskDraft.user_id == user.id)).scalar_one_or_none()


def discard_drafts(task_id: str) -> None:
    """A completed task needs no drafts any more (flushes)."""
    db.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))

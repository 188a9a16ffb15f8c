"""Read-side queries: inboxes, cases, histories. Indexed SQL on the projection tables, never workflow scans."""
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from models import AuditEvent, Case, Document, OpenTask, User, db

from . import clock
from .access import can_see_case, case_filter, inbox_filter
from .errors import NotAllowed, NotFound
from .privacy import document_hidden, visible_events

Assignee = aliased(User)


def inbox(user, *, scope: str = "all", process: str | None = None, overdue: bool = False,
          limit: int = 200) -> list[tuple]:
    """(OpenTask, assignee username, assignee name) rows for a user's inbox, due first."""
    q = (select(OpenTask, Assignee.username, Assignee.display_name)
         .outerjoin(Assignee, Assignee.id == OpenTask.assignee_id))
    if scope == "mine":
        q = q.where(OpenTask.assignee_id == user.id)
    elif scope == "unclaimed":
        q = q.where(inbox_filter(user), OpenTask.assignee_id.is_(None))
    else:
        q = q.where(inbox_filter(user))
    if process:
        q = q.where(OpenTask.process_key == process)
    if overdue:
        q = q.where(OpenTask.due_at.is_not(None), OpenTask.due_at < clock.now())
    q = q.order_by(OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at).limit(limit)
    return db.session.execute(q).all()


def inbox_counts(user) -> dict[str, int]:
    """Open tasks per process in a user's inbox (for the side menu)."""
    from sqlalchemy import func
    rows = db.session.execute(select(OpenTask.process_key, func.count()).where(inbox_filter(user))
                              .group_by(OpenTask.process_key)).all()
    return {k: n for k, n in rows}


def visible_case(user, case_id: int) -> Case:
    """A case the user may see, or NotFound / NotAllowed."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    if not can_see_case(user, case):
        raise NotAllowed("您无权查看该案件")
    return case


def case_open_tasks(case_id: int) -> list[tuple]:
    """The open tasks of a case with their assignees."""
    return db.session.execute(
        select(OpenTask, Assignee.username, Assignee.display_name)
        .outerjoin(Assignee, Assignee.id == OpenTask.assignee_id)
        .where(OpenTask.case_id == case_id).order_by(OpenTask.created_at)).all()


def case_history(case_id: int, viewer=None) -> list[AuditEvent]:
    """Every audit event of a case in order (as `viewer` may see them: no objector identity for agencies)."""
    events = list(db.session.execute(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                     .order_by(AuditEvent.seq)).scalars())
    return visible_events(viewer, events)


def case_documents(case_id: int, viewer=None) -> list[Document]:
    """Documents attached to a case, newest first (files sent by the public are not listed for agencies)."""
    docs = db.session.execute(select(Document).where(Document.case_id == case_id).order_by(Document.id.desc()))
    return [d for d in docs.scalars() if not document_hidden(viewer, d)]


def list_cases(user, *, process: str | None = None, status: str | None = None, limit: int = 100) -> list[Case]:
    """Cases the user may see, newest first."""
    conds = [case_filter(user)]
    if process:
        conds.append(Case.process_key == process)
    if status:
        conds.append(Case.status == status)
    return list(db.session.execute(select(Case).where(and_(*conds)).order_by(Case.id.desc()).limit(limit)).scalars())

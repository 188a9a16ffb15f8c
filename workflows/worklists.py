"""The officials' work lists: the inbox (search, sort, pages, tab counts, 已办) and the filtered case list.

Each page is a fixed number of statements whatever the data size: one count, one page of rows with only the
columns shown (never a case's workflow JSON), and for the case list one query for the page's open tasks.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, defer

from models import Agency, AuditEvent, Case, OpenTask, User, db

from . import clock
from .access import case_filter, inbox_filter
from .errors import InvalidInput

Assignee = aliased(User)
INBOX_SCOPES = ("all", "mine", "unclaimed", "done")
INBOX_SORTS = ("due", "arrived")
MAX_PER_PAGE = 100
_ONE_DAY = timedelta(days=1)


@dataclass
class InboxQuery:
    """What an inbox page asks for (the same on the page and in the API)."""

    scope: str = "all"
    process: str | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "due"
    page: int = 1
    per_page: int = 20


@dataclass
class CaseQuery:
    """Filters of the case list: process, status, unit, started between, search text, current step, holder."""

    process: str | None = None
    status: str | None = None
    unit: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    step: str | None = None
    holder: int | None = None
    page: int = 1
    per_page: int = 20


def page_args(args, default_per_page: int = 20) -> tuple[int, int]:
    """`page` (≥1) and `per_page` (1–100) from request args, or InvalidInput with a Chinese message."""
    errors = {}
    out = []
    for name, default, top in (("page", 1, 100_000), ("per_page", default_per_page, MAX_PER_PAGE)):
        raw = args.get(name) or str(default)
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            errors[name] = [f"应为 1 至 {top} 之间的整数"]
            out.append(default)
        else:
            out.append(int(raw))
    if errors:
        raise InvalidInput("分页参数无效", errors)
    return out[0], out[1]


def _search(q: str):
    """Agency name, credit code, 办件编号, task or case title containing `q`."""
    return or_(OpenTask.title.contains(q, autoescape=True), Case.title.contains(q, autoescape=True),
               Case.number.contains(q, autoescape=True), Case.credit_code.contains(q, autoescape=True),
               Agency.name.contains(q, autoescape=True))


def _overdue():
    return and_(OpenTask.due_at.is_not(None), OpenTask.due_at < clock.now())


def _inbox_conds(user, f: InboxQuery) -> list:
    if f.scope == "mine":
        conds = [OpenTask.assignee_id == user.id]
    elif f.scope == "unclaimed":
        conds = [inbox_filter(user), OpenTask.assignee_id.is_(None)]
    else:
        conds = [inbox_filter(user)]
    if f.process:
        conds.append(OpenTask.process_key == f.process)
    if f.overdue:
        conds.append(_overdue())
    if f.q:
        conds.append(_search(f.q))
    return conds


def _joined(q):
    return (q.join(Case, Case.id == OpenTask.case_id).outerjoin(Agency, Agency.id == Case.agency_id))


def inbox_page(user, f: InboxQuery) -> tuple[list[tuple], int]:
    """(OpenTask, assignee username, assignee name, case title, 办件编号) rows of one page, and the total."""
    conds = _inbox_conds(user, f)
    total = db.session.execute(_joined(select(func.count(OpenTask.id))).where(*conds)).scalar_one()
    q = (_joined(select(OpenTask, Assignee.username, Assignee.display_name, Case.title, Case.number))
         .outerjoin(Assignee, Assignee.id == OpenTask.assignee_id).where(*conds))
    if f.sort == "arrived":
        q = q.order_by(OpenTask.created_at.desc(), OpenTask.id)
    else:
        q = q.order_by(OpenTask.due_at.asc().nulls_last(), OpenTask.created_at, OpenTask.id)  # index order on PG
    rows = db.session.execute(q.limit(f.per_page).offset((f.page - 1) * f.per_page)).all()
    return [tuple(r) for r in rows], total


def inbox_tab_counts(user) -> dict[str, int]:
    """Counts on the 我的 / 待认领 / 逾期 tabs, in one statement."""
    mine = OpenTask.assignee_id == user.id
    row = db.session.execute(select(
        func.count(OpenTask.id),
        func.coalesce(func.sum(case((mine, 1), else_=0)), 0),
        func.coalesce(func.sum(case((OpenTask.assignee_id.is_(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((_overdue(), 1), else_=0)), 0),
    ).where(inbox_filter(user))).one()
    return {"all": row[0], "mine": int(row[1]), "unclaimed": int(row[2]), "overdue": int(row[3])}


def done_page(user, page: int = 1, per_page: int = 20, q: str = "") -> tuple[list[dict], int]:
    """已办: the tasks I completed, newest first (an expert sees the scorings they submitted)."""
    conds = [AuditEvent.actor_id == user.id, AuditEvent.action == "task_completed"]
    if q:
        conds.append(or_(Case.title.contains(q, autoescape=True), Case.number.contains(q, autoescape=True)))
    base = select(func.count(AuditEvent.seq)).join(Case, Case.id == AuditEvent.case_id).where(*conds)
    total = db.session.execute(base).scalar_one()
    rows = db.session.execute(
        select(AuditEvent.task_id, AuditEvent.at, AuditEvent.detail, Case.id, Case.title, Case.number,
               Case.process_key).join(Case, Case.id == AuditEvent.case_id).where(*conds)
        .order_by(AuditEvent.seq.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    out = []
    for task_id, at, detail, case_id, title, number, process in rows:
        d = json.loads(detail or "{}")
        out.append({"task_id": task_id, "completed_at": at, "case_id": case_id, "case_title": title,
                    "case_number": number, "process": process, "title": d.get("title", ""),
                    "form": d.get("form", ""), "submitted": d.get("submitted") or {}})
    return out, total


def local_day_start(day: date) -> datetime:
    """00:00 of a Shanghai date as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)


def _case_conds(user, f: CaseQuery) -> list:
    conds = [case_filter(user)]
    if f.process:
        conds.append(Case.process_key == f.process)
    if f.status:
        conds.append(Case.status == f.status)
    if f.unit:
        conds.append(Case.unit_code == f.unit)
    if f.date_from:
        conds.append(Case.started_at >= local_day_start(f.date_from))
    if f.date_to:
        conds.append(Case.started_at < local_day_start(f.date_to) + _ONE_DAY)
    if f.q:
        conds.append(or_(Case.title.contains(f.q, autoescape=True), Case.number.contains(f.q, autoescape=True),
                         Case.credit_code.contains(f.q, autoescape=True),
                         Agency.name.contains(f.q, autoescape=True)))
    if f.step:
        conds.append(exists().where(OpenTask.case_id == Case.id, OpenTask.bpmn_id == f.step))
    if f.holder:
        conds.append(exists().where(OpenTask.case_id == Case.id, OpenTask.assignee_id == f.holder))
    return conds


def _case_select(*cols):
    return select(*cols).outerjoin(Agency, Agency.id == Case.agency_id)


def case_page(user, f: CaseQuery, *, limit: int | None = None) -> tuple[list[tuple], int]:
    """(Case without its workflow JSON, agency name) rows of one page (or up to `limit` for export), total."""
    conds = _case_conds(user, f)
    total = db.session.execute(_case_select(func.count(Case.id)).where(*conds)).scalar_one()
    q = _case_select(Case, Agency.name).options(defer(Case.workflow_json)).where(*conds).order_by(Case.id.desc())
    q = q.limit(limit) if limit else q.limit(f.per_page).offset((f.page - 1) * f.per_page)
    return [tuple(r) for r in db.session.execute(q).all()], total


def open_tasks_of(case_ids: list[int]) -> dict[int, list[tuple]]:
    """The open tasks (with assignee username and name) of several cases in one statement."""
    out: dict[int, list[tuple]] = {i: [] for i in case_ids}
    if not case_ids:
        return out
    rows = db.session.execute(
        select(OpenTask, Assignee.username, Assignee.display_name)
        .outerjoin(Assignee, Assignee.id == OpenTask.assignee_id)
        .where(OpenTask.case_id.in_(case_ids)).order_by(OpenTask.created_at)).all()
    for t, u, n in rows:
        out[t.case_id].append((t, u, n))
    return out



def inbox_query(args, default_per_page: int = 20) -> InboxQuery:
    """An InboxQuery from request args; bad values answer InvalidInput naming the field."""
    errors: dict = {}
    scope = args.get("scope") or "all"
    if scope not in INBOX_SCOPES:
        errors["scope"] = ["范围无效（可选：全部、我的、待认领、已办）"]
    sort = args.get("sort") or "due"
    if sort not in INBOX_SORTS:
        errors["sort"] = ["排序方式无效（可选：按办理期限、按到达时间）"]
    overdue = args.get("overdue") or "0"
    if overdue not in ("1", "0", "true", "false"):
        errors["overdue"] = ["逾期筛选值无效"]
    q = (args.get("q") or "").strip()
    if len(q) > 100 or "\x00" in q:
        errors["q"] = ["检索词过长或含有无效字符"]
    try:
        page, per_page = page_args(args, default_per_page)
    except InvalidInput as err:
        errors.update(err.errors)
        page, per_page = 1, default_per_page
    if errors:
        raise InvalidInput("查询条件无效", errors)
    return InboxQuery(scope=scope, process=args.get("process") or None, overdue=overdue in ("1", "true"), q=q,
                      sort=sort, page=page, per_page=per_page)


def case_query(args, statuses) -> CaseQuery:
    """A CaseQuery from request args (dates as YYYY-MM-DD in Asia/Shanghai); bad values answer InvalidInput."""
    errors: dict = {}
    status = args.get("status") or None
    if status is not None and status not in statuses:
        errors["status"] = ["状态值无效"]
    days = {}
    for name in ("from", "to"):
        raw = args.get(name) or ""
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = ["日期格式应为“年-月-日”，如 2026-01-31"]
            days[name] = None
    holder = args.get("holder") or ""
    if holder and not (holder.isdigit() and 0 < int(holder) < 2**31):
        errors["holder"] = ["办理人无效"]
    q = (args.get("q") or "").strip()
    if len(q) > 100 or "\x00" in q:
        errors["q"] = ["检索词过长或含有无效字符"]
    try:
        page, per_page = page_args(args)
    except InvalidInput as err:
        errors.update(err.errors)
        page, per_page = 1, 20
    if errors:
        raise InvalidInput("查询条件无效", errors)
    return CaseQuery(process=args.get("process") or None, status=status, unit=args.get("unit") or None,
                     date_from=days["from"], date_to=days["to"], q=q, step=args.get("step") or None,
                     holder=int(holder) if holder else None, page=page, per_page=per_page)


def unit_names() -> dict[str, str]:
    """Unit code → name."""
    from models import Unit
    return dict(db.session.execute(select(Unit.code, Unit.name)).all())


def list_choices(user) -> dict:
    """Choices of the case-list filters: units, current steps and current holders (each one statement)."""
    from models import Unit
    units = db.session.execute(select(Unit.code, Unit.name).order_by(Unit.code)).all()
    steps = db.session.execute(select(OpenTask.bpmn_id, func.min(OpenTask.title)).group_by(OpenTask.bpmn_id)
                               .order_by(OpenTask.bpmn_id).limit(200)).all()
    holders = db.session.execute(select(User.id, User.display_name).where(
        exists().where(OpenTask.assignee_id == User.id)).order_by(User.display_name).limit(200)).all()
    return {"units": units, "steps": steps, "holders": holders}

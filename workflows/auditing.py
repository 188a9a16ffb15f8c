"""The auditor's side: who may audit, the read-only door, and finding any case by what happened in it."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, or_, select

from models import Agency, AuditEvent, Case, Unit, User, db

from .clock import SHANGHAI
from .errors import InvalidInput, NotAllowed
from .guards import register_guard

AUDIT_ROLES = {"auditor"}  # read-only; the administrator manages accounts, not case files
READ_ONLY_ROLES = {"auditor"}
STATUSES = ("running", "completed", "error", "cancelled")
PER_PAGE = 20
EXPORT_LIMIT = 5000


def require_auditor(user) -> None:
    """Only auditors use the audit pages and case files."""
    if user is None or getattr(user, "role", None) not in AUDIT_ROLES:
        raise NotAllowed("仅审计人员或系统管理员可以使用审计功能")


@register_guard
def refuse_read_only_roles(user, action: str, **_) -> str | None:
    """Auditors read everything and act on nothing, whatever a diagram or route might allow."""
    if user is not None and getattr(user, "role", None) in READ_ONLY_ROLES:
        return "审计人员只能查阅，不能办理、认领、发起案件或上传材料"
    return None


@dataclass(frozen=True)
class CaseQuery:
    """What an auditor searches by; empty fields do not filter."""

    agency: str = ""
    process: str = ""
    status: str = ""
    started_from: date | None = None
    started_to: date | None = None
    actor: str = ""
    text: str = ""
    page: int = 1

    def args(self, **override) -> dict:
        """The query as URL parameters (for paging and the Excel link)."""
        out = {"agency": self.agency, "process": self.process, "status": self.status,
               "from": self.started_from.isoformat() if self.started_from else "",
               "to": self.started_to.isoformat() if self.started_to else "",
               "actor": self.actor, "text": self.text, "page": self.page}
        out.update(override)
        return {k: v for k, v in out.items() if v not in ("", None)}


def _date(raw: str, field: str, errors: dict) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = ["日期格式应为 YYYY-MM-DD，例如 2026-10-14"]
        return None


def parse_case_query(args, processes: set[str]) -> CaseQuery:
    """Read the search form; 422 with Chinese field messages when a value cannot be used."""
    errors: dict[str, list[str]] = {}
    started_from = _date(args.get("from", ""), "from", errors)
    started_to = _date(args.get("to", ""), "to", errors)
    if started_from and started_to and started_to < started_from:
        errors["to"] = ["结束日期不能早于开始日期"]
    process = (args.get("process") or "").strip()
    if process and process not in processes:
        errors["process"] = ["没有该流程"]
    status = (args.get("status") or "").strip()
    if status and status not in STATUSES:
        errors["status"] = ["状态应为 running、completed、error 或 cancelled"]
    raw_page = (args.get("page") or "1").strip()
    if not raw_page.isdigit() or int(raw_page) < 1:
        errors["page"] = ["页码应为正整数"]
    if errors:
        raise InvalidInput("查询条件有误", errors)
    return CaseQuery(agency=(args.get("agency") or "").strip(), process=process, status=status,
                     started_from=started_from, started_to=started_to, actor=(args.get("actor") or "").strip(),
                     text=(args.get("text") or "").strip(), page=int(raw_page))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _conditions(q: CaseQuery) -> list:
    conds = []
    if q.agency:
        conds.append(or_(Case.title.contains(q.agency, autoescape=True),
                         Case.credit_code.contains(q.agency.upper(), autoescape=True),
                         Agency.name.contains(q.agency, autoescape=True),
                         Agency.credit_code.contains(q.agency.upper(), autoescape=True)))
    if q.process:
        conds.append(Case.process_key == q.process)
    if q.status:
        conds.append(Case.status == q.status)
    if q.started_from:
        conds.append(Case.started_at >= _local_midnight(q.started_from))
    if q.started_to:
        conds.append(Case.started_at < _local_midnight(q.started_to + timedelta(days=1)))
    if q.actor:
        by_username = select(User.id).where(User.username == q.actor).scalar_subquery()
        conds.append(exists().where(AuditEvent.case_id == Case.id,
                                    or_(AuditEvent.actor_name.contains(q.actor, autoescape=True),
                                        AuditEvent.actor_id.in_(by_username))))
    if q.text:
        # Opinions, grounds and every other submitted value live in the detail of task_completed events.
        conds.append(exists().where(AuditEvent.case_id == Case.id, AuditEvent.action == "task_completed",
                                    AuditEvent.detail.contains(q.text, autoescape=True)))
    return conds


def search_cases(q: CaseQuery, *, per_page: int = PER_PAGE, everything: bool = False) -> tuple[list, int]:
    """(rows of (Case, agency name, unit name), total) for one page of matches, newest first; all rows if `everything`."""
    base = (select(Case, Agency.name, Unit.name).outerjoin(Agency, Agency.id == Case.agency_id)
            .outerjoin(Unit, Unit.code == Case.unit_code))
    conds = _conditions(q)
    if conds:
        base = base.where(and_(*conds))
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    ordered = base.order_by(Case.id.desc())
    if everything:
        ordered = ordered.limit(EXPORT_LIMIT)
    else:
        ordered = ordered.limit(per_page).offset((q.page - 1) * per_page)
    return db.session.execute(ordered).all(), total

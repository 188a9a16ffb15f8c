"""The audit trail: events are queued on the session and appended, SHA-256 chained, at commit."""
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from models import AuditEvent, AuditHead, db

from . import clock

GENESIS = "0" * 64


def record(action: str, *, actor=None, case_id: int | None = None, task_id: str | None = None,
           detail: dict | None = None, actor_name: str | None = None) -> None:
    """Queue one audit event; it is written in the same commit as the change it describes."""
    pending = db.session.info.setdefault("audit_pending", [])
    pending.append({
        "at": clock.now(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": actor_name or getattr(actor, "display_name", None) or "系统",
        "role": getattr(actor, "role", None),
        "unit_code": getattr(actor, "unit_code", None),
        "action": action,
        "case_id": case_id,
        "task_id": task_id,
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    })


def event_hash(row: dict, prev_hash: str) -> str:
    """The chain hash of one event: SHA-256 over its canonical JSON and the previous hash."""
    body = {k: row[k] for k in ("seq", "actor_id", "actor_name", "role", "unit_code", "action",
                                "case_id", "task_id", "detail")}
    body["at"] = row["at"].isoformat()
    body["prev_hash"] = prev_hash
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _append_pending(session: Session) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    rows = []
    for item in pending:
        seq += 1
        row = dict(item, seq=seq, prev_hash=prev)
        row["hash"] = prev = event_hash(row, row["prev_hash"])
        rows.append(row)
    session.execute(insert(AuditEvent), rows)
    if head:
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    else:
        session.add(AuditHead(id=1, seq=seq, hash=prev))
        session.flush()


@event.listens_for(Session, "before_commit")
def _write_audit_before_commit(session: Session) -> None:
    _append_pending(session)


@event.listens_for(Session, "after_rollback")
def _drop_audit_after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Recompute the whole chain; name the first altered or missing event."""
    expected_seq, prev, checked = 1, GENESIS, 0
    for ev in db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().yield_per(500):
        if ev.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"第 {expected_seq} 号事件缺失")
        row = {c: getattr(ev, c) for c in ("seq", "at", "actor_id", "actor_name", "role", "unit_code",
                                             "action", "case_id", "task_id", "detail")}
        if ev.prev_hash != prev or event_hash(row, prev) != ev.hash:
            return ChainReport(False, checked, ev.seq, f"第 {ev.seq} 号事件（{ev.action}）内容被改动")
        prev, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head and (head.seq != expected_seq - 1 or head.hash != prev):
        return ChainReport(False, checked, expected_seq, f"链尾缺失：应有 {head.seq} 个事件，实有 {checked} 个")
    return ChainReport(True, checked)


ACTION_WORDS = {"task_completed": "办理", "task_claimed": "认领", "task_reassigned": "转办"}


def who_acted_first(task_id: str) -> str:
    """The 409 message for a task someone else handled: who, what and when."""
    ev = db.session.execute(
        select(AuditEvent).where(AuditEvent.task_id == task_id, AuditEvent.action.in_(tuple(ACTION_WORDS)))
        .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()
    if ev is None:
        return "该任务已被他人处理，您的操作未生效"
    at = clock.local(ev.at).strftime("%Y-%m-%d %H:%M")
    return f"该任务已由{ev.actor_name}于{at}{ACTION_WORDS[ev.action]}，您的操作未生效"

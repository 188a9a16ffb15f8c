"""The audit trail: events are queued on the session and appended, SHA-256 chained, at commit."""
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import String, event, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from models import AuditEvent, AuditHead, db

from . import audit_anchor, clock

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
    session.info["audit_anchor"] = (seq, prev)


@event.listens_for(Session, "before_commit")
def _write_audit_before_commit(session: Session) -> None:
    _append_pending(session)


@event.listens_for(Session, "after_commit")
def _anchor_head_after_commit(session: Session) -> None:
    head = session.info.pop("audit_anchor", None)
    if head is None or not has_app_context():
        return
    try:
        audit_anchor.append_head(*head)
    except OSError:  # the change is committed; verify reports the head as not yet anchored, never as broken
        current_app.logger.exception("审计链头未能写入锚点文件")


@event.listens_for(Session, "after_rollback")
def _drop_audit_after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)
    session.info.pop("audit_anchor", None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


COLUMNS = ("seq", "actor_id", "actor_name", "role", "unit_code", "action", "case_id", "task_id", "detail",
           "prev_hash", "hash")


def _raw_events(*where):
    """Events as plain rows with `at` left unparsed, so a damaged timestamp is reported, not raised."""
    cols = [getattr(AuditEvent, c) for c in COLUMNS] + [type_coerce(AuditEvent.at, String).label("at")]
    stmt = select(*cols).where(*where).order_by(AuditEvent.seq)
    return db.session.execute(stmt).mappings().yield_per(500)


def parse_at(raw) -> datetime | None:
    """A stored event time as an aware UTC datetime, or None when it cannot be read."""
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=UTC) if raw.tzinfo is None else raw.astimezone(UTC)
    try:
        at = datetime.fromisoformat(str(raw))
    except (TypeError, ValueError):
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def event_row(seq: int) -> dict | None:
    """One event for display, its time None when damaged (the integrity page shows the first bad one)."""
    for row in _raw_events(AuditEvent.seq == seq):
        return dict(row, at=parse_at(row["at"]))
    return None


def verify_chain() -> ChainReport:
    """Recompute the chain up to one consistent head and hold it against the anchor outside the database."""
    anchor = audit_anchor.read_anchor()  # before the database: each line is a commit it must already hold
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    expected_seq, prev, checked = 1, GENESIS, 0
    for ev in _raw_events(*([AuditEvent.seq <= head.seq] if head else [])):
        if ev["seq"] != expected_seq:
            return ChainReport(False, checked, expected_seq, f"第 {expected_seq} 号事件缺失")
        at = parse_at(ev["at"])
        if at is None:
            return ChainReport(False, checked, ev["seq"], f"第 {ev['seq']} 号事件（{ev['action']}）的记录时间已损坏")
        row = dict(ev, at=at)
        if ev["prev_hash"] != prev or event_hash(row, prev) != ev["hash"]:
            return ChainReport(False, checked, ev["seq"], f"第 {ev['seq']} 号事件（{ev['action']}）内容被改动")
        if anchor and anchor.heads.get(ev["seq"], ev["hash"]) != ev["hash"]:
            return ChainReport(False, checked, ev["seq"], f"第 {ev['seq']} 号事件与链头锚点记录的哈希不符")
        prev, expected_seq, checked = ev["hash"], expected_seq + 1, checked + 1
    return _tail_report(head, anchor, checked, prev)


def _tail_report(head, anchor, checked: int, prev: str) -> ChainReport:
    nxt = checked + 1
    if head is None and checked:
        return ChainReport(False, checked, nxt, "链头记录缺失")
    if head is not None and (head.seq != checked or head.hash != prev):
        return ChainReport(False, checked, nxt, f"链尾缺失：应有 {head.seq} 个事件，实有 {checked} 个")
    if anchor is None:
        if checked:
            return ChainReport(False, checked, None, f"链头锚点文件不存在（{audit_anchor.anchor_path()}）")
        return ChainReport(True, 0)
    if anchor.bad_lines:
        return ChainReport(False, checked, None, f"链头锚点文件第 {anchor.bad_lines[0]} 行无法识别")
    if anchor.last_seq > checked:
        return ChainReport(False, checked, nxt, f"链尾缺失：链头锚点记录已有 {anchor.last_seq} 个事件，"
                                                f"数据库中仅有 {checked} 个（事件被截断或清空）")
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

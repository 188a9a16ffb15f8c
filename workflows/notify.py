"""Notices to people: in-app messages, e-mail through the configured SMTP server, SMS through an adapter.

A notice is a `Notification` row written in the same transaction as the change it reports, so a step that
rolls back notifies nobody. Delivery (e-mail, SMS) happens after commit in the timer worker (`deliver_pending`,
run by `tick` and by `flask notify send`), one commit per notice, retried with back-off: a failed send is
recorded on the notice and never touches the case. Texts name the case, what to do and the deadline; they
never carry who filed an objection or complaint (only titles of tasks and cases, which never hold identities).
"""
import importlib
import logging
import os
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, insert, or_, select, update

from models import Case, Notification, OpenTask, User, db

from . import audit, clock

log = logging.getLogger("anfu.notify")
RETRY_MINUTES = (1, 5, 15, 60)  # back-off between e-mail attempts; failed after the last


def setting(name: str, default=None):
    """A notification setting from the app config, else the environment (ANFU_SMTP_HOST …)."""
    return current_app.config.get(name, os.environ.get(name, default))


def notify_users(user_ids, kind: str, text: str, *, case_id: int | None = None, task_id: str | None = None,
                 dedupe_key: str | None = None) -> int:
    """Queue one notice per user (flushes; the caller commits). With `dedupe_key`, a user gets it once."""
    ids = sorted({u for u in user_ids if u is not None})
    if not ids:
        return 0
    users = db.session.execute(select(User.id, User.email, User.phone).where(User.id.in_(ids), User.active)).all()
    if dedupe_key:
        have = set(db.session.execute(select(Notification.user_id).where(
            Notification.user_id.in_(ids), Notification.dedupe_key == dedupe_key)).scalars())
        users = [u for u in users if u.id not in have]
    if not users:
        return 0
    now, smtp = clock.now(), bool(setting("ANFU_SMTP_HOST"))
    db.session.execute(insert(Notification), [{
        "user_id": u.id, "at": now, "kind": kind, "case_id": case_id, "task_id": task_id, "text": text,
        "dedupe_key": dedupe_key, "email_status": "pending" if (smtp and u.email) else "none",
        "email_attempts": 0, "email_next_at": now, "sms_status": "pending" if u.phone else "none"}
        for u in users])
    audit.record("notification_queued", case_id=case_id, task_id=task_id,
                 detail={"kind": kind, "recipients": [u.id for u in users]})
    return len(users)


def task_recipients(row: dict) -> list[int]:
    """Who is told of a task: its assignee, else every active user of its role in its unit (or agency)."""
    if row.get("assignee_id"):
        return [row["assignee_id"]]
    q = select(User.id).where(User.role == row["role"], User.active)
    if row["role"] == "agency":
        if row.get("agency_id") is None:
            return []
        q = q.where(User.agency_id == row["agency_id"])
    elif row.get("unit_code"):
        q = q.where(User.unit_code == row["unit_code"])
    return list(db.session.execute(q).scalars())


def notify_new_tasks(case: Case, rows: list[dict], actor_id: int | None = None) -> None:
    """A task arrives for me or my unit: say what to do, in which case, by when (not to whoever just acted,
    who is looking at it already). A unit with nobody to act makes the city hear of it at once."""
    from .supervision import flag_unstaffed
    for row in rows:
        recipients = task_recipients(row)
        if not recipients:
            flag_unstaffed(case, row)
            continue
        due = f"，办理期限：{deadline_text(row['due_at'])}" if row.get("due_at") else ""
        text = f"您有新的待办：“{row['title']}”（{case_ref(case)}）{due}。"
        notify_users(set(recipients) - {actor_id}, "task_arrived", text, case_id=case.id, task_id=row["id"],
                     dedupe_key=f"task_arrived:{row['id']}")


def notify_case_closed(case: Case) -> None:
    """My case was decided or closed: its starter and the agency's users hear the outcome."""
    from .labels import label
    users = {case.started_by_id}
    if case.agency_id:
        users |= set(db.session.execute(select(User.id).where(User.agency_id == case.agency_id)).scalars())
    outcome = label("outcome", case.outcome)
    text = f"案件已办结：{case_ref(case)}{f'，结果：{outcome}' if outcome else ''}。"
    notify_users(users, "case_closed", text, case_id=case.id, dedupe_key=f"case_closed:{case.id}")


def deadline_text(due: datetime) -> str:
    """A due time as people read it: Asia/Shanghai, 24:00 of the last day for day-end deadlines."""
    local = clock.local(due)
    if (local.hour, local.minute) == (0, 0):
        return (local - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def case_ref(case: Case) -> str:
    """How a notice names a case: its title and 办件编号."""
    return f"{case.title}，办件编号 {case.number}" if case.number else case.title


def remind_due_tasks(now: datetime) -> int:
    """Tasks due within the reminder window (working days, setting) or overdue: tell their holders once each.

    Only tasks not yet reminded of that kind are read (NOT EXISTS on the notice table), so a tick costs two
    indexed queries when there is nothing new to say.
    """
    from .calendar_service import working_deadline
    days = int(setting("ANFU_REMIND_WORKING_DAYS", 2))
    sent = 0
    for kind, cond, what in (("task_overdue", OpenTask.due_at <= now, "已逾期"),
                             ("task_due_soon", and_(OpenTask.due_at > now,
                                                    OpenTask.due_at <= working_deadline(now, days).due_at),
                              "即将到期")):
        told = select(Notification.id).where(Notification.task_id == OpenTask.id, Notification.kind == kind)
        rows = db.session.execute(select(OpenTask, Case.title, Case.number).join(Case, Case.id == OpenTask.case_id)
                                  .where(OpenTask.due_at.is_not(None), cond, ~told.exists())
                                  .order_by(OpenTask.due_at).limit(500)).all()
        for task, title, number in rows:
            ref = f"{title}，办件编号 {number}" if number else title
            text = f"待办“{task.title}”（{ref}）{what}，办理期限：{deadline_text(task.due_at)}。"
            row = {"assignee_id": task.assignee_id, "role": task.role, "unit_code": task.unit_code,
                   "agency_id": task.agency_id}
            sent += notify_users(task_recipients(row), kind, text, case_id=task.case_id, task_id=task.id,
                                 dedupe_key=f"{kind}:{task.id}")
    return sent


def deliver_pending(now: datetime | None = None, limit: int = 200) -> dict:
    """Send the e-mails (and SMS) due now, one commit per notice; failures are retried, never raised."""
    now = now or clock.now()
    out = {"sent": 0, "failed": 0, "retry": 0}
    ids = list(db.session.execute(select(Notification.id).where(or_(
        and_(Notification.email_status == "pending", Notification.email_next_at <= now),
        Notification.sms_status == "pending")).order_by(Notification.id).limit(limit)).scalars())
    db.session.commit()
    for nid in ids:
        note = db.session.get(Notification, nid)
        user = db.session.get(User, note.user_id)
        if note.sms_status == "pending":
            note.sms_status = "sent" if _send_sms(user, note) else "failed"
        if note.email_status == "pending" and (note.email_next_at is None or note.email_next_at <= now):
            try:
                _send_email(user, note)
                note.email_status = "sent"
                out["sent"] += 1
                audit.record("notification_sent", case_id=note.case_id, task_id=note.task_id,
                             detail={"notification": note.id, "channel": "email", "user_id": user.id})
            except (OSError, smtplib.SMTPException) as err:
                note.email_attempts += 1
                note.email_error = f"{type(err).__name__}: {err}"[:300]
                if note.email_attempts > len(RETRY_MINUTES):
                    note.email_status = "failed"
                    out["failed"] += 1
                else:
                    note.email_next_at = now + timedelta(minutes=RETRY_MINUTES[note.email_attempts - 1])
                    out["retry"] += 1
        db.session.commit()
    return out


def _send_email(user: User, note: Notification) -> None:
    msg = EmailMessage()
    msg["Subject"] = f"【安服监管】{note.text[:40]}"
    msg["From"] = setting("ANFU_SMTP_FROM", "anfu@localhost")
    msg["To"] = user.email
    base = setting("ANFU_BASE_URL", "")
    link = f"{base}/tasks/{note.task_id}" if note.task_id else (f"{base}/cases/{note.case_id}" if note.case_id else "")
    msg.set_content(f"{user.display_name}：\n\n{note.text}\n\n{('办理入口：' + link) if link else ''}\n\n"
                    "（本邮件由安服监管平台自动发送，请勿回复。）")
    with smtplib.SMTP(setting("ANFU_SMTP_HOST"), int(setting("ANFU_SMTP_PORT", 25)), timeout=10) as smtp:
        smtp.send_message(msg)


class SmsAdapter:
    """The SMS channel: implement `send(phone, text) -> bool` for the bureau's SMS gateway and name the class
    in the setting ANFU_SMS_ADAPTER ("package.module:ClassName"). The default only writes to the log."""

    def send(self, phone: str, text: str) -> bool:
        log.info("短信（未配置短信网关，仅记录）→ %s：%s", phone, text)
        return True


def _send_sms(user: User, note: Notification) -> bool:
    path = setting("ANFU_SMS_ADAPTER", "")
    adapter = SmsAdapter()
    if path:
        module, _, cls = path.partition(":")
        adapter = getattr(importlib.import_module(module), cls)()
    try:
        return bool(adapter.send(user.phone, note.text))
    except Exception:  # a gateway's failure must never reach the case
        log.exception("SMS send failed")
        return False


def unread_count(user_id: int) -> int:
    """How many of my notices are unread (the badge in the top bar)."""
    from sqlalchemy import func
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))).scalar_one()


def my_notifications(user_id: int, *, unread: bool = False, limit: int = 50) -> list[Notification]:
    """My notices, newest first."""
    q = select(Notification).where(Notification.user_id == user_id)
    if unread:
        q = q.where(Notification.read_at.is_(None))
    return list(db.session.execute(q.order_by(Notification.id.desc()).limit(limit)).scalars())


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of my notices (or all) as read; returns how many changed."""
    q = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        q = q.where(Notification.id == notification_id)
    return db.session.execute(q.values(read_at=clock.now())).rowcount

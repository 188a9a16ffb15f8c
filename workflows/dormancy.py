"""Dormant accounts ([WJ] 第十四条): no filed project for 12 months → notice → 注销 unless the agency acts or objects.

Run from the timer worker (`timers.tick`). Activity is the latest of: the registration date (名单公告之日), a
filed service contract, a filed information change, a 执业告知, the date an official last reversed a cancellation.
The months and the notice period are settings in `policies/<city>/changes.yaml` (`dormancy`).
"""
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from models import Agency, DormancyNotice, InfoChange, PracticeNotice, ServiceContract, User, db

from . import audit
from .calendar_service import working_deadline
from .clock import SHANGHAI
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .info_changes import changes_setting
from .labels import cite
from .notify import notify_users

OPEN = ("notified", "objected")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    import calendar
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_activities() -> dict[int, date]:
    """Each registered agency's latest filed project or other activity (a handful of grouped queries)."""
    latest = {a: d for a, d in db.session.execute(select(Agency.id, Agency.registered_on)
                                                  .where(Agency.status == "registered")).all()}
    sources = [(ServiceContract.agency_id, ServiceContract.filed_on, ()),
               (InfoChange.agency_id, InfoChange.filed_on, ()),
               (PracticeNotice.agency_id, PracticeNotice.filed_at, ()),
               (DormancyNotice.agency_id, DormancyNotice.closed_at,
                (DormancyNotice.status.in_(("reversed", "resumed")),))]
    for agency_col, col, where in sources:
        for agency_id, value in db.session.execute(select(agency_col, func.max(col)).where(*where)
                                                   .group_by(agency_col)).all():
            if agency_id not in latest or value is None:
                continue
            if isinstance(value, datetime):
                value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()
            day = value
            latest[agency_id] = max(d for d in (latest[agency_id], day) if d is not None)
    return {a: d for a, d in latest.items() if d is not None}


def open_notice(agency_id: int) -> DormancyNotice | None:
    """The agency's pending dormancy notice, if any."""
    return db.session.execute(select(DormancyNotice).where(DormancyNotice.agency_id == agency_id,
                                                           DormancyNotice.status.in_(OPEN))).scalar_one_or_none()


def _agency_users(agency_id: int) -> list[int]:
    return list(db.session.execute(select(User.id).where(User.agency_id == agency_id)).scalars())


def check_dormancy(now: datetime) -> dict:
    """Notify agencies dormant for the set months; cancel those whose notice ran out without activity (flushes)."""
    out = {"notified": 0, "cancelled": 0, "resumed": 0}
    if not changes_setting("dormancy", "enabled"):
        return out
    today, months = now.astimezone(SHANGHAI).date(), changes_setting("dormancy", "months")
    activity = last_activities()
    pending = {n.agency_id: n for n in db.session.execute(select(DormancyNotice)
                                                          .where(DormancyNotice.status.in_(OPEN))).scalars()}
    due = {a for a, last in activity.items() if add_months(last, months) <= today}
    for agency_id in sorted(due | set(pending)):
        agency, notice, last = db.session.get(Agency, agency_id), pending.get(agency_id), activity.get(agency_id)
        if agency is None or agency.status != "registered" or last is None:
            continue
        if notice is not None:
            if last > notice.last_activity_on:
                notice.status, notice.closed_at = "resumed", now
                audit.record("dormancy_resumed", detail={"agency_id": agency.id, "activity_on": last})
                out["resumed"] += 1
            elif notice.status == "notified" and today > notice.cancel_after:
                _cancel(agency, notice, now)
                out["cancelled"] += 1
            continue
        if add_months(last, months) <= today:
            _notify(agency, last, now)
            out["notified"] += 1
    db.session.flush()
    return out


def _notify(agency: Agency, last: date, now: datetime) -> DormancyNotice:
    deadline = working_deadline(now, changes_setting("dormancy", "notice_working_days"))
    notice = DormancyNotice(agency_id=agency.id, last_activity_on=last, notified_at=now,
                            cancel_after=deadline.ends_on, cancel_note=deadline.explanation)
    db.session.add(notice)
    db.session.flush()
    notify_users(_agency_users(agency.id), "dormancy_notice",
                 f"贵机构自{last:%Y年%m月%d日}起{changes_setting('dormancy', 'months')}个月内无项目申报记录（{cite('[WJ] 第十四条')}）。如至{deadline.ends_on:%Y年%m月%d日}"
                 "仍无项目申报或其他业务记录，也未提出异议，将注销账号。", dedupe_key=f"dormancy:{notice.id}")
    audit.record("dormancy_notified", detail={"agency_id": agency.id, "last_activity_on": last,
                                              "cancel_after": deadline.ends_on, "notice_id": notice.id})
    return notice


def _cancel(agency: Agency, notice: DormancyNotice, now: datetime) -> None:
    agency.status = "cancelled"
    notice.status, notice.cancelled_at, notice.closed_at = "cancelled", now, now
    notify_users(_agency_users(agency.id), "dormancy_cancelled",
                 f"贵机构长期无项目申报记录，告知期满未提出异议，账号已注销（{cite('[WJ] 第十四条')}）。",
                 dedupe_key=f"dormancy-cancelled:{notice.id}")
    audit.record("agency_cancelled_dormant", detail={"agency_id": agency.id, "notice_id": notice.id,
                                                     "last_activity_on": notice.last_activity_on})


def object_dormancy(user, agency_id: int, text: str, now: datetime) -> DormancyNotice:
    """The agency objects to a pending notice; cancellation then waits for an official (flushes)."""
    if user.role != "agency" or user.agency_id != agency_id:
        raise NotAllowed("只有本机构可以对注销告知提出异议")
    notice = open_notice(agency_id)
    if notice is None or notice.status != "notified":
        raise Conflict("没有待处理的注销告知")
    if not text.strip():
        raise InvalidInput("请填写异议理由", {"objection": ["请填写异议理由"]})
    notice.status, notice.objection = "objected", text.strip()[:2000]
    audit.record("dormancy_objected", actor=user, detail={"agency_id": agency_id, "notice_id": notice.id})
    db.session.flush()
    return notice


def reverse_cancellation(user, agency_id: int, reason: str, now: datetime) -> DormancyNotice:
    """An official of the agency's county (or the city) restores a cancelled or notified account, with a reason."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("机构不存在")
    if not (user.role == "city_official" or (user.role == "county_official" and user.unit_code == agency.county_code)):
        raise NotAllowed("只有机构所在县区或市级应急管理部门可以撤销注销")
    if not reason.strip():
        raise InvalidInput("请填写撤销理由", {"reason": ["请填写撤销理由"]})
    notice = db.session.execute(select(DormancyNotice).where(
        DormancyNotice.agency_id == agency_id, DormancyNotice.status.in_(OPEN + ("cancelled",)))
        .order_by(DormancyNotice.id.desc()).limit(1)).scalar_one_or_none()
    if notice is None:
        raise Conflict("该机构没有因长期无业务被注销或告知的记录")
    was = notice.status
    notice.status, notice.closed_at = "reversed", now
    notice.reversed_by_id, notice.reversal_reason = user.id, reason.strip()[:2000]
    if agency.status == "cancelled":
        agency.status = "registered"
    audit.record("dormancy_reversed", actor=user, detail={"agency_id": agency_id, "notice_id": notice.id,
                                                          "was": was, "reason": notice.reversal_reason})
    db.session.flush()
    return notice


def notices_of(agency_id: int) -> list[DormancyNotice]:
    """The agency's dormancy notices, newest first."""
    return list(db.session.execute(select(DormancyNotice).where(DormancyNotice.agency_id == agency_id)
                                   .order_by(DormancyNotice.id.desc())).scalars())

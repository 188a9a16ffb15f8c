"""Verbs on the administrator's holiday table: declare days off / make-up workdays, declare a year complete.

Each change counts again the provisional deadlines of running cases it touches (workflows/deadlines.py).
"""
from datetime import date

from sqlalchemy import select

from models import CalendarDay, CalendarYear, db

from . import audit
from .deadlines import recompute_provisional_deadlines
from .errors import InvalidInput, NotAllowed


def _admin(user) -> None:
    if user is not None and user.role != "admin":
        raise NotAllowed("只有系统管理员可以维护节假日表")


def set_calendar_day(user, day: date, *, is_workday: bool, note: str = "") -> CalendarDay:
    """Declare `day` a working day (调休上班) or a day off (法定节假日); it overrides the package data."""
    _admin(user)
    if not note.strip():
        raise InvalidInput("请注明依据（如国务院办公厅放假安排通知）", {"note": ["请注明依据"]})
    row = db.session.get(CalendarDay, day)
    before = None if row is None else row.is_workday
    if row is None:
        row = CalendarDay(day=day, is_workday=is_workday, note=note)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    db.session.flush()
    db.session.info.pop("working_calendar", None)
    audit.record("calendar_day_set", actor=user, detail={"day": day.isoformat(), "is_workday": is_workday,
                                                         "before": before, "note": note})
    recompute_provisional_deadlines(day.year, user)
    return row


def delete_calendar_day(user, day: date) -> None:
    """Remove an override; the package data (or Mon–Fri) applies again."""
    _admin(user)
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise InvalidInput("该日期没有维护记录", {"day": ["该日期没有维护记录"]})
    db.session.delete(row)
    db.session.flush()
    db.session.info.pop("working_calendar", None)
    audit.record("calendar_day_deleted", actor=user, detail={"day": day.isoformat()})
    recompute_provisional_deadlines(day.year, user)


def declare_year(user, year: int, source: str) -> CalendarYear:
    """Declare a year's holidays complete in the table, so its dates are no longer provisional."""
    _admin(user)
    if not source.strip():
        raise InvalidInput("请注明放假安排通知的文号", {"source": ["请注明放假安排通知的文号"]})
    row = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source = source
    db.session.add(row)
    db.session.flush()
    db.session.info.pop("working_calendar", None)
    audit.record("calendar_year_declared", actor=user, detail={"year": year, "source": source})
    recompute_provisional_deadlines(year, user)
    return row


def calendar_rows() -> tuple[list[CalendarDay], list[CalendarYear]]:
    """The table as it stands."""
    days = list(db.session.execute(select(CalendarDay).order_by(CalendarDay.day)).scalars())
    years = list(db.session.execute(select(CalendarYear).order_by(CalendarYear.year)).scalars())
    return days, years

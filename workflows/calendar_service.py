"""The working-day calendar as the platform uses it: the package data plus the administrator's table."""
from datetime import date, datetime

from sqlalchemy import select

from models import CalendarDay, CalendarYear, db

from .calendar import Deadline, WorkingCalendar
from .clock import SHANGHAI


def platform_calendar() -> WorkingCalendar:
    """A calendar honouring the administrator's holiday/make-up table (cached for the session's transaction)."""
    cached = db.session.info.get("working_calendar")
    if cached is None:
        overrides = {d: w for d, w in db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()}
        years = [y for (y,) in db.session.execute(select(CalendarYear.year)).all()]
        cached = db.session.info["working_calendar"] = WorkingCalendar(overrides, extra_years=years)
    return cached


def working_deadline(start: datetime | date, working_days: int) -> Deadline:
    """N working days after `start` (start day not counted), ending 24:00 Asia/Shanghai of the last day."""
    day = start.astimezone(SHANGHAI).date() if isinstance(start, datetime) else start
    return platform_calendar().add_working_days(day, working_days)


def deadline_json(start: datetime | date, working_days: int) -> dict:
    """A working-day deadline as JSON-native task data (due_at ISO with +08:00, provisional flag, explanation)."""
    return working_deadline(start, working_days).to_json()


def calendar_deadline(start: datetime | date, days: int) -> Deadline:
    """N calendar days after `start` (start day not counted); a last day off moves to the next working day
    (民法典 第二百零三条), e.g. [WJ] 第十五条 contract upload "7日内" (domain.md §8)."""
    day = start.astimezone(SHANGHAI).date() if isinstance(start, datetime) else start
    return platform_calendar().add_calendar_days(day, days)


def calendar_deadline_json(start: datetime | date, days: int) -> dict:
    """A calendar-day deadline as JSON-native task data (counted again like any provisional deadline)."""
    return calendar_deadline(start, days).to_json()

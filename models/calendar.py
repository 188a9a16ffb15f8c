"""The administrator-maintained holiday table; it takes precedence over the chinesecalendar package."""
from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class CalendarDay(db.Model):
    """One date declared a working day (调休上班) or a day off (法定节假日) by the administrator."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(100), default="")


class CalendarYear(db.Model):
    """A year the administrator declares fully covered by the table (its dates are no longer provisional)."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), default="")
